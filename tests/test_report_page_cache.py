"""The report page's parts that are the same for every reader (the follow-up
across years, the open summary above the close form) are cached per report
revision (``selectors.followups.cached_report_followup``,
``selectors.reports.cached_report_open_summary``): a write through a service
shows on the next request, and what a reader may do stays theirs."""

import pytest
from django.test import Client

from tests.conftest import in_english
from tests.factories import ReportFactory
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse, text
from tests.workflow_helpers import submit_and_return
from tracker.services.followups import followup_confirm
from tracker.services.reports import report_archived, report_close


@pytest.fixture
def years(db):
    earlier = import_2022()
    _result, later = import_2023()
    return earlier, later


def _open_counts(page):
    (summary,) = page.xpath("//*[@id='open-summary']")
    return {
        li.get("data-status") or li.get("data-open"): li.xpath("string(.//strong)")
        for li in summary.xpath(".//li")
    }


def test_a_confirmation_shows_on_the_report_page_read_before_it(
    sv_client, supervisor, years
):
    earlier, later = years
    url = earlier["4.1"].report.get_absolute_url()
    (row,) = parse(sv_client.get(url)).xpath("//li[@data-code='4.1']")
    assert "Reported in 2023 as" not in text(row)

    followup_confirm(earlier=earlier["4.1"], later=later["1.2.2"], user=supervisor)

    (row,) = parse(sv_client.get(url)).xpath("//li[@data-code='4.1']")
    assert "Reported in 2023 as 1.2.2" in text(row)


def test_a_status_change_shows_in_the_open_summary_read_before_it(
    sv_client, obligation, staff_a, supervisor
):
    url = obligation.report.get_absolute_url()
    assert _open_counts(parse(sv_client.get(url))) == {"not_started": "1"}

    submit_and_return(obligation, staff_a, supervisor)

    assert _open_counts(parse(sv_client.get(url))) == {"returned": "1"}


def test_closing_the_next_report_takes_the_carry_over_form_away(
    sv_client, obligation, supervisor
):
    report = obligation.report
    later = ReportFactory(organization=report.organization, year=report.year + 2)
    assert parse(sv_client.get(report.get_absolute_url())).xpath(
        "//*[@id='carry-over']"
    )

    report_close(report=later, user=supervisor, reason="年度工作结束")

    page = parse(sv_client.get(report.get_absolute_url()))
    assert not page.xpath("//*[@id='carry-over']")


def test_staff_reading_first_leave_the_supervisor_their_forms(
    sv_client, staff_a, years
):
    earlier, _later = years
    url = earlier["4.1"].report.get_absolute_url()
    client = Client()
    client.force_login(staff_a)
    staff_page = parse(in_english(client).get(url))

    supervisor_page = parse(sv_client.get(url))
    staff_again = parse(client.get(url))

    assert not staff_page.xpath("//*[@id='open-summary']")
    assert not staff_page.xpath("//form[@id='followups-form']")
    assert supervisor_page.xpath("//*[@id='open-summary']")
    assert supervisor_page.xpath("//form[@id='followups-form']")
    assert not staff_again.xpath("//*[@id='open-summary']")
    assert not staff_again.xpath("//form[@id='followups-form']")


def test_an_archive_made_after_the_page_was_read_shows_in_the_log(
    sv_client, obligation, tracker_admin
):
    url = obligation.report.get_absolute_url()
    assert not parse(sv_client.get(url)).xpath("//ul[@class='report-log']")

    report_archived(report=obligation.report, user=tracker_admin, note="12 files")

    (log,) = parse(sv_client.get(url)).xpath("//ul[@class='report-log']")
    assert "Archived: 12 files" in text(log)
