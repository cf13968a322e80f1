"""剩余 N 个工作日 / 今日到期 / 超期 N 个工作日: models.countdown, and the pages
that show it next to a due date."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tests.test_export import csv_rows
from tracker.models import Holiday, Obligation, countdown
from tracker.workdays import Calendar

S = Obligation.Status


def _state(due, today, status=S.IN_PROGRESS):
    result = countdown(due, status, today, calendar=Calendar())
    return None if result is None else (result.state, result.workdays)


def test_due_today():
    assert _state(date(2026, 11, 27), date(2026, 11, 27)) == ("today", 0)


def test_working_days_left_skip_the_golden_week():
    assert _state(date(2026, 10, 8), date(2026, 9, 30)) == ("remaining", 1)
    assert _state(date(2026, 10, 9), date(2026, 9, 29)) == ("remaining", 3)


def test_only_a_weekend_left_is_zero_working_days():
    # Friday, due Sunday.
    assert _state(date(2026, 11, 29), date(2026, 11, 27)) == ("remaining", 0)


def test_overdue_counts_the_working_days_lost():
    # Due Wednesday 30 September, seen Friday 9 October: Oct 8 and 9.
    assert _state(date(2026, 9, 30), date(2026, 10, 9)) == ("overdue", 2)


def test_the_weekend_after_a_friday_deadline_is_already_overdue():
    assert _state(date(2026, 11, 27), date(2026, 11, 28)) == ("overdue", 1)
    assert _state(date(2026, 11, 27), date(2026, 11, 30)) == ("overdue", 1)


def test_done_or_undated_obligations_have_no_countdown():
    assert _state(date(2026, 9, 30), date(2026, 10, 9), status=S.DONE) is None
    assert _state(None, date(2026, 10, 9)) is None


def test_labels_read_naturally_in_chinese_and_english():
    cases = [
        (date(2026, 10, 8), "剩余 1 个工作日", "1 working day left"),
        (date(2026, 9, 30), "今日到期", "Due today"),
        (date(2026, 9, 29), "超期 1 个工作日", "1 working day overdue"),
    ]
    for due, chinese, english in cases:
        result = countdown(due, S.IN_PROGRESS, date(2026, 9, 30), calendar=Calendar())
        with translation.override("zh-hans"):
            assert result.label == chinese
        with translation.override("en"):
            assert result.label == english


# --- On the pages -------------------------------------------------------------------


@pytest.fixture
def late(department_a, today_is):
    """Seen on Friday 9 October 2026, due Wednesday 30 September: 2 working days
    late; another due Monday 12 October: 2 working days left, the 调休 Saturday
    10 October being one."""
    today_is(date(2026, 10, 9))
    return (
        ObligationFactory(
            department=department_a, due_date=date(2026, 9, 30), title="节前到期"
        ),
        ObligationFactory(
            department=department_a, due_date=date(2026, 10, 12), title="下周一到期"
        ),
    )


def test_obligation_page_shows_the_countdown(client, staff_a, late):
    client.force_login(staff_a)
    page = in_english(client).get(late[0].get_absolute_url())
    assert "2026-09-30 2 working days overdue" in text(page)


def test_obligation_page_in_chinese(client, staff_a, late):
    client.force_login(staff_a)
    page = client.get(late[1].get_absolute_url())
    assert "剩余 2 个工作日" in text(page)


def test_my_work_shows_the_countdown_on_each_row(client, staff_a, late):
    client.force_login(staff_a)
    page = text(in_english(client).get(reverse("tracker:my_work")))
    assert "2 working days overdue" in page
    assert "2 working days left" in page


def test_dashboard_overdue_list_says_by_how_much(client, supervisor, late):
    client.force_login(supervisor)
    page = parse(in_english(client).get(reverse("tracker:dashboard")))
    (panel,) = page.xpath('//*[@id="overdue"]')
    assert "2 working days overdue" in text(panel)


def test_a_holiday_entered_in_the_admin_changes_the_countdown(client, staff_a, late):
    Holiday.objects.create(date=date(2026, 10, 9), name="县庆")
    client.force_login(staff_a)
    page = in_english(client).get(late[0].get_absolute_url())
    assert "1 working day overdue" in text(page)


def _queries(client, url):
    in_english(client).get(url)  # the session and the like settle on a first visit
    # The rows are made by factories, behind the services that would bump the
    # report's revision: drop the dashboard's cached figures to count computing them.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert in_english(client).get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("url_name", ["tracker:my_work", "tracker:dashboard"])
def test_countdowns_read_the_holidays_once_whatever_the_number_of_rows(
    client, staff_a, department_a, today_is, url_name
):
    today = today_is(date(2026, 10, 9))
    Holiday.objects.create(date=date(2026, 10, 12), name="县庆")
    first = ObligationFactory(
        department=department_a, due_date=today + timedelta(days=3)
    )
    client.force_login(staff_a)
    url = reverse(url_name)
    few = _queries(client, url)
    for offset in range(1, 40):
        ObligationFactory(
            report=first.report,
            department=department_a,
            due_date=today + timedelta(days=offset - 20),
        )
    many = _queries(client, url)
    assert len(many) == len(few), "\n".join(many)
    assert sum("tracker_holiday" in sql for sql in many) == 1


def test_the_list_has_a_sortable_time_left_column(client, supervisor, late):
    client.force_login(supervisor)
    url = reverse("tracker:obligation_list")
    page = parse(in_english(client).get(url, {"sort": "-countdown"}))
    headers = [text(th) for th in page.xpath("//table//thead//th")]
    assert "Time left" in headers
    column = headers.index("Time left")
    cells = [text(row.xpath("td")[column]) for row in page.xpath("//table//tbody/tr")]
    assert cells == ["2 working days left", "2 working days overdue"]


def test_the_export_says_the_countdown_and_reads_the_holidays_once(
    client, supervisor, late, department_a
):
    Holiday.objects.create(date=date(2026, 10, 12), name="县庆")
    client.force_login(supervisor)
    url = reverse("tracker:obligation_list")

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = in_english(client).get(
                url, {"_export": "csv", "sort": "due_date"}
            )
            rows = csv_rows(response)
        return rows, [query["sql"] for query in queries]

    rows, few = export()
    column = rows[0].index("Time left")
    assert [row[column] for row in rows[1:]] == [
        "2 working days overdue",
        "1 working day left",  # the holiday moved Monday 12 October out
    ]
    ObligationFactory.create_batch(
        30, department=department_a, due_date=date(2026, 10, 20)
    )
    rows, many = export()
    assert len(rows) == 33
    assert len(many) == len(few)
    assert sum("tracker_holiday" in sql for sql in many) == 1
