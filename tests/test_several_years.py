"""Two reports with open work at once (issue 23, item 2): with the wuxi 2022
fixture and the 2023 report imported, /my/ labels every item with its year and the
dashboard, departments and ranking default to both years, not to the newest."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory
from tests.followup_helpers import import_2023
from tests.pages import parse
from tests.workflow_helpers import approve
from tracker.models import Notification, Obligation, Report
from tracker.selectors.reports import labels_years, open_work_report_ids
from tracker.services.reports import report_close

S = Obligation.Status


@pytest.fixture
def two_years(db, department_a, staff_a):
    """The 2022 fixture with two items of department A (one awaiting review) and
    the 2023 report imported with one item of department A."""
    call_command("loaddata", "wuxi_2022", verbosity=0)
    earlier = {o.code: o for o in Obligation.objects.filter(report__year=2022)}
    Obligation.objects.filter(pk=earlier["4.1"].pk).update(
        department=department_a, status=S.SUBMITTED
    )
    Obligation.objects.filter(pk=earlier["1.4.2"].pk).update(department=department_a)
    _result, later = import_2023()
    Obligation.objects.filter(pk=later["4.1"].pk).update(department=department_a)
    return earlier, later


def _codes_on_my_work(client):
    page = parse(client.get(reverse("tracker:my_work")))
    return {
        (row.get("data-pk"), row.xpath("string(td[@class='cell-code'])").strip())
        for row in page.xpath("//section[starts-with(@id,'status-')]//tr[@data-pk]")
    }


def test_staff_my_work_labels_each_item_with_its_year(client, two_years, staff_a):
    earlier, later = two_years
    client.force_login(staff_a)

    codes = dict(_codes_on_my_work(in_english(client)))

    assert codes == {
        str(earlier["4.1"].pk): "2022 · 4.1",
        str(earlier["1.4.2"].pk): "2022 · 1.4.2",
        str(later["4.1"].pk): "2023 · 4.1",
    }


def test_my_work_has_no_year_label_with_one_report_open(
    client, two_years, staff_a, supervisor
):
    earlier, _later = two_years
    report_close(report=earlier["4.1"].report, user=supervisor, reason="已结转")
    client.force_login(staff_a)

    assert set(_codes_on_my_work(in_english(client))) == {
        (str(two_years[1]["4.1"].pk), "4.1")
    }


def test_supervisors_queue_labels_the_year(client, two_years, supervisor):
    earlier, _later = two_years
    client.force_login(supervisor)
    page = parse(in_english(client).get(reverse("tracker:my_work")))

    cells = page.xpath(
        f"//section[@id='queue-awaiting-review']//tr[@data-pk='{earlier['4.1'].pk}']"
        "/td[@class='cell-code']/text()"
    )
    assert cells == ["2022 · 4.1"]


def test_dashboard_default_still_counts_2022_work_waiting_for_review(
    client, two_years, supervisor
):
    client.force_login(supervisor)
    page = in_english(client).get("/").content.decode()

    waiting = dict(
        re.findall(
            r'data-year="(\d+)">.*?data-count="submitted"><a [^>]*>(\d+)<', page, re.S
        )
    )
    assert waiting == {"2022": "1", "2023": "0"}


def test_departments_default_counts_both_years(client, two_years, supervisor):
    client.force_login(supervisor)
    page = parse(in_english(client).get(reverse("tracker:department_list")))

    shown = page.xpath("string(//*[@data-shown-reports])")
    assert "2022" in shown and "2023" in shown


def test_only_reports_with_open_work_are_live(two_years, supervisor):
    earlier, later = two_years
    assert open_work_report_ids() == [earlier["4.1"].report_id, later["4.1"].report_id]
    assert labels_years()

    Obligation.objects.filter(report__year=2022).update(status=S.DONE)

    assert open_work_report_ids() == [later["4.1"].report_id]
    assert not labels_years()
    assert Report.objects.count() == 2


def test_a_notification_names_the_year_while_two_reports_have_open_work(
    two_years, staff_a, supervisor
):
    earlier, _later = two_years
    approve(earlier["4.1"], supervisor)

    texts = list(
        Notification.objects.filter(recipient=staff_a).values_list("text", flat=True)
    )
    assert texts and all("2022 · 4.1" in text for text in texts)


def test_the_list_export_labels_each_code_with_its_year(client, two_years, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("tracker:obligation_list") + "?_export=csv")

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2022 · 4.1" in content and "2023 · 4.1" in content


def test_the_several_years_dashboard_reads_the_same_queries_at_any_size(
    client, supervisor, department_a
):
    older = ReportFactory(organization="测试县", year=2022)
    newer = ReportFactory(organization="测试县", year=2023)
    client.force_login(supervisor)

    def add(n):
        for report in (older, newer):
            for _ in range(n):
                ObligationFactory(
                    report=report, department=department_a, status=S.SUBMITTED
                )

    add(2)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    add(30)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        page = client.get("/").content.decode()
    assert len(large) == len(small)
    assert 'data-count="submitted"><a' in page


def _list_codes(client, url):
    page = parse(client.get(url))
    return {
        row.get("data-pk"): row.xpath(
            "string(td[contains(@class,'cell-code')])"
        ).strip()
        for row in page.xpath("//table[contains(@class,'obligations')]//tr[@data-pk]")
    }


def test_the_list_and_a_department_page_label_each_code_with_its_year(
    client, two_years, supervisor, department_a
):
    earlier, later = two_years
    client.force_login(supervisor)

    listed = _list_codes(client, reverse("tracker:obligation_list"))
    unit = _list_codes(
        client, reverse("tracker:department_detail", args=[department_a.pk])
    )

    assert listed[str(earlier["4.1"].pk)] == "2022 · 4.1"
    assert listed[str(later["4.1"].pk)] == "2023 · 4.1"
    assert unit == {
        str(earlier["4.1"].pk): "2022 · 4.1",
        str(earlier["1.4.2"].pk): "2022 · 1.4.2",
        str(later["4.1"].pk): "2023 · 4.1",
    }


def test_the_list_shows_bare_codes_with_one_report_open(client, two_years, supervisor):
    earlier, later = two_years
    report_close(report=earlier["4.1"].report, user=supervisor, reason="已结转")
    client.force_login(supervisor)

    listed = _list_codes(client, reverse("tracker:obligation_list"))

    assert listed[str(later["4.1"].pk)] == "4.1"
