"""调度: the periods of a schedule, filing a progress report, the 调度表 at
/schedule/ with its XLSX export, /my/'s 未按时报送 and the item's latest report."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tests.workflow_helpers import set_status
from tracker.models import Obligation, ProgressReport, ProgressUpdate, Schedule
from tracker.services.common import ServiceError
from tracker.services.schedules import progress_report_file, schedule_save

URL = reverse("tracker:schedule")
TODAY = date(2026, 12, 7)


@pytest.fixture
def monthly(obligation, today_is):
    """Monthly on the 25th since November 2026, seen on 7 December 2026: November
    is past due, December open."""
    today_is(TODAY)
    return Schedule.objects.create(
        report=obligation.report, starts_on=date(2026, 11, 3), day=25
    )


def _file(obligation, user, **extra):
    return progress_report_file(
        obligation=obligation, user=user, progress="已完成排查", **extra
    )


def test_monthly_periods_are_due_on_their_day():
    schedule = Schedule(starts_on=date(2026, 10, 15), day=25)
    periods = schedule.periods(date(2026, 12, 7))
    assert [(p.label, p.due) for p in periods] == [
        ("2026-10", date(2026, 10, 25)),
        ("2026-11", date(2026, 11, 25)),
        ("2026-12", date(2026, 12, 25)),
    ]


def test_quarterly_periods_are_due_in_the_quarters_last_month():
    schedule = Schedule(
        starts_on=date(2026, 2, 1), day=10, frequency=Schedule.Frequency.QUARTERLY
    )
    periods = schedule.periods(date(2026, 7, 1))
    assert [(p.label, p.due) for p in periods] == [
        ("2026 Q1", date(2026, 3, 10)),
        ("2026 Q2", date(2026, 6, 10)),
        ("2026 Q3", date(2026, 9, 10)),
    ]


def test_filing_for_the_current_period_is_on_time_and_on_the_timeline(
    monthly, obligation, staff_a
):
    report = _file(obligation, staff_a, next_steps="整改", difficulties="人手不足")

    assert report.period == date(2026, 12, 1) and report.on_time
    entry = obligation.updates.get(action=ProgressUpdate.Action.PROGRESS_REPORT)
    assert "已完成排查" in entry.text and "人手不足" in entry.text


def test_a_period_is_filed_once(monthly, obligation, staff_a):
    _file(obligation, staff_a)
    with pytest.raises(ServiceError):
        _file(obligation, staff_a)
    assert ProgressReport.objects.count() == 1


def test_filing_after_the_due_day_is_late(monthly, obligation, staff_a, today_is):
    today_is(date(2026, 12, 28))
    assert not _file(obligation, staff_a).on_time


def test_other_staff_cannot_file(monthly, obligation, staff_b):
    with pytest.raises(PermissionDenied):
        _file(obligation, staff_b)
    assert not ProgressReport.objects.exists()


def test_a_done_item_files_no_more(monthly, obligation, staff_a):
    set_status(obligation, Obligation.Status.DONE)
    with pytest.raises(ServiceError):
        _file(obligation, staff_a)


def test_schedule_page_marks_the_missed_period_missing(monthly, obligation, sv_client):
    page = parse(sv_client.get(URL))

    row = page.xpath("//tr[@data-obligation=$pk]", pk=str(obligation.pk))[0]
    assert row.xpath("td/@data-state") == ["missing", "pending"]


def test_staff_get_403_on_the_schedule(monthly, client, staff_a):
    client.force_login(staff_a)
    assert client.get(URL).status_code == 403


def test_the_xlsx_lists_the_missed_period_as_missing(
    monthly, obligation, staff_a, sv_client
):
    _file(obligation, staff_a)  # December, on time

    response = sv_client.get(URL + "?_export=xlsx")

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][-2:] == ["2026-11", "2026-12"]
    item = next(r for r in rows[1:] if r[0] == obligation.code)
    assert item[-2:] == ["Not filed on time", "Filed on time"]


def test_the_schedule_filters_by_unit(monthly, obligation, department_b, sv_client):
    other = ObligationFactory(report=obligation.report, department=department_b)
    page = parse(sv_client.get(f"{URL}?department={department_b.pk}"))
    shown = set(page.xpath("//tr/@data-obligation"))
    assert shown == {str(other.pk)}


def test_schedule_query_count_does_not_grow(monthly, obligation, sv_client):
    # The table computed anew each time (not from the cache): the factory writes
    # past the services, which would bump the report's revision.
    sv_client.get(URL)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        sv_client.get(URL)
    ObligationFactory.create_batch(
        10, report=obligation.report, department=obligation.department
    )
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        response = sv_client.get(URL)
    assert len(parse(response).xpath("//tr[@data-obligation]")) == 11
    assert len(more) == len(few)


def test_my_work_says_the_missed_period_was_not_filed_on_time(
    monthly, obligation, client, staff_a
):
    client.force_login(staff_a)
    page = parse(in_english(client).get(reverse("tracker:my_work")))

    due = page.xpath("//li[@data-progress-due=$pk]", pk=str(obligation.pk))[0]
    assert due.xpath(".//*[@data-missed]/@data-missed") == ["2026-11"]
    assert "Not filed on time" in due.text_content()


def test_the_items_page_shows_the_latest_report_at_the_top(
    monthly, obligation, staff_a, sv_client
):
    _file(obligation, staff_a, next_steps="下月完成整改")
    page = parse(sv_client.get(obligation.get_absolute_url()))

    latest = page.xpath("//section[@id='progress-report']")[0]
    assert "下月完成整改" in latest.text_content()
    sections = page.xpath("//article//section/@id")
    assert (
        sections.index("progress-report") < sections.index("parts")
        if ("parts" in sections)
        else True
    )


def test_staff_file_from_the_items_page(monthly, obligation, client, staff_a):
    client.force_login(staff_a)
    response = in_english(client).post(
        reverse("tracker:progress_report_file", args=[obligation.pk]),
        {"progress": "完成80%", "next_steps": "", "difficulties": ""},
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get().filed_by == staff_a


def test_the_supervisors_queue_counts_what_was_not_filed_on_time(
    monthly, obligation, sv_client
):
    page = parse(sv_client.get(reverse("tracker:my_work")))

    link = page.xpath("//a[@data-progress-missing]")[0]
    assert link.get("data-progress-missing") == "1"
    assert link.get("href") == URL


# The 调度表's body is cached per the revisions of the reports the reader sees, the
# query string, the day and the language (selectors.schedules.schedule_cache_key):
# each write below goes through its service and shows on the next request.


def _states(client, obligation, query=""):
    page = parse(client.get(URL + query))
    row = page.xpath("//tr[@data-obligation=$pk]", pk=str(obligation.pk))[0]
    return row.xpath("td/@data-state")


def test_a_progress_report_filed_shows_on_the_schedule_read_before_it(
    monthly, obligation, staff_a, sv_client
):
    assert _states(sv_client, obligation) == ["missing", "pending"]

    _file(obligation, staff_a)

    assert _states(sv_client, obligation) == ["missing", "on_time"]


def test_a_schedule_saved_in_the_admin_shows_on_the_schedule(
    monthly, obligation, sv_client, tracker_admin
):
    assert "due on day 25" in text(parse(sv_client.get(URL)))
    monthly.day = 5

    schedule_save(schedule=monthly, user=tracker_admin)

    page = parse(sv_client.get(URL))
    assert "due on day 5" in text(page)
    # December's day has passed too.
    row = page.xpath("//tr[@data-obligation=$pk]", pk=str(obligation.pk))[0]
    assert row.xpath("td/@data-state") == ["missing", "missing"]


def test_the_next_period_due_day_shows_the_cell_missing(
    monthly, obligation, sv_client, today_is
):
    assert _states(sv_client, obligation) == ["missing", "pending"]

    today_is(date(2026, 12, 28))

    assert _states(sv_client, obligation) == ["missing", "missing"]


def test_each_filter_has_its_own_cached_table(
    monthly, obligation, department_b, sv_client
):
    other = ObligationFactory(report=obligation.report, department=department_b)
    everything = parse(sv_client.get(URL))
    only_b = parse(sv_client.get(f"{URL}?department={department_b.pk}"))

    assert set(everything.xpath("//tr/@data-obligation")) == {
        str(obligation.pk),
        str(other.pk),
    }
    assert set(only_b.xpath("//tr/@data-obligation")) == {str(other.pk)}
    assert f"department={department_b.pk}&amp;_export=xlsx" in (
        sv_client.get(f"{URL}?department={department_b.pk}").content.decode()
    )
