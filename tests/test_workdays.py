"""Working days: chinese-calendar's holidays and 调休, the Holiday table on top, and
Monday to Friday for a year the package does not know yet (tracker.workdays)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import ObligationFactory
from tracker import workdays
from tracker.models import Holiday, Obligation
from tracker.workdays import Calendar

# The package's data for 2026: Mid-Autumn Fri 25 – Sun 27 September, National Day
# Thu 1 – Wed 7 October; Sunday 20 September and Saturday 10 October are worked.
PACKAGE = Calendar()


def test_national_day_week_2026_is_not_worked():
    for day in range(1, 8):
        assert not PACKAGE.is_workday(date(2026, 10, day)), day
    assert PACKAGE.is_workday(date(2026, 10, 8))


def test_mid_autumn_friday_2026_is_a_holiday():
    assert not PACKAGE.is_workday(date(2026, 9, 25))


def test_tiaoxiu_weekend_days_2026_are_worked():
    assert PACKAGE.is_workday(date(2026, 9, 20))  # a Sunday
    assert PACKAGE.is_workday(date(2026, 10, 10))  # a Saturday
    assert not PACKAGE.is_workday(date(2026, 10, 11))  # the Sunday after


def test_one_working_day_after_september_30_2026_is_october_8():
    assert PACKAGE.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_the_tiaoxiu_saturday_counts_in_a_time_limit():
    # Thu 8, Fri 9, Sat 10 (调休), then Mon 12 October.
    assert PACKAGE.add_workdays(date(2026, 10, 7), 3) == date(2026, 10, 10)
    assert PACKAGE.add_workdays(date(2026, 10, 7), 4) == date(2026, 10, 12)


def test_fifteen_working_days_across_the_golden_week():
    # 24 Sep (Thu) → Sep 28, 29, 30, Oct 8, 9, 10, 12…16, 19, 20, 21, 22.
    assert PACKAGE.add_workdays(date(2026, 9, 24), 15) == date(2026, 10, 22)
    assert PACKAGE.workdays_between(date(2026, 9, 24), date(2026, 10, 22)) == 15


def test_workdays_between_counts_after_start_up_to_and_including_end():
    assert PACKAGE.workdays_between(date(2026, 9, 30), date(2026, 9, 30)) == 0
    assert PACKAGE.workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert PACKAGE.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_workdays_between_is_negative_when_end_is_before_start():
    # Due Wednesday 30 September, seen on Friday 9 October: 2 working days late.
    assert PACKAGE.workdays_between(date(2026, 10, 9), date(2026, 9, 30)) == -2


def test_add_workdays_backwards_lands_on_a_working_day():
    assert PACKAGE.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    # Due on the holiday of 1 October: from 29 September it is 1 working day away.
    assert PACKAGE.add_workdays(date(2026, 10, 1), -1) == date(2026, 9, 29)
    assert PACKAGE.add_workdays(date(2026, 10, 8), 0) == date(2026, 10, 8)


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=-60, max_value=60),
)
def test_workdays_between_undoes_add_workdays(start, n):
    assert PACKAGE.workdays_between(start, PACKAGE.add_workdays(start, n)) == n


@given(
    due=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_n_working_days_before_due_is_the_first_day_showing_n_left(due, n):
    before = PACKAGE.add_workdays(due, -n)
    assert PACKAGE.is_workday(before)
    assert PACKAGE.workdays_between(before, due) == n
    assert PACKAGE.workdays_between(before - timedelta(days=1), due) > n


@given(
    start=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)),
    end=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)),
)
def test_workdays_between_agrees_with_counting_day_by_day(start, end):
    low, high = sorted((start, end))
    days = (low + timedelta(days=i) for i in range(1, (high - low).days + 1))
    count = sum(PACKAGE.is_workday(day) for day in days)
    expected = count if end >= start else -count
    assert PACKAGE.workdays_between(start, end) == expected


def test_a_year_outside_the_package_counts_monday_to_friday():
    assert PACKAGE.is_workday(date(2031, 1, 1))  # a Wednesday, no holiday known
    assert not PACKAGE.is_workday(date(2031, 1, 4))  # a Saturday
    assert PACKAGE.add_workdays(date(2031, 1, 3), 1) == date(2031, 1, 6)
    assert PACKAGE.missing_years([2026, 2031]) == [2031]


@pytest.mark.django_db
def test_a_holiday_row_overrides_the_package():
    Holiday.objects.create(date=date(2026, 10, 8), name="县庆")
    Holiday.objects.create(date=date(2026, 10, 11), is_workday=True, name="补班")
    calendar = Calendar.load()
    assert not calendar.is_workday(date(2026, 10, 8))
    assert calendar.is_workday(date(2026, 10, 11))
    assert calendar.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 9)


@pytest.mark.django_db
def test_holidays_entered_for_an_uncovered_year_count_and_silence_the_warning():
    Holiday.objects.create(date=date(2031, 1, 1), name="元旦")
    calendar = Calendar.load()
    assert not calendar.is_workday(date(2031, 1, 1))
    assert calendar.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)
    assert calendar.missing_years([2031]) == []


@pytest.mark.django_db
def test_the_holiday_table_is_read_once_per_scope():
    Holiday.objects.create(date=date(2026, 10, 8))
    with CaptureQueriesContext(connection) as queries, workdays.calendar_scope():
        for day in range(1, 30):
            workdays.is_workday(date(2026, 10, day))
        workdays.workdays_between(date(2026, 1, 1), date(2026, 12, 31))
        workdays.add_workdays(date(2026, 9, 30), 20)
    assert len(queries) == 1


# --- The warning that a year's holidays must be entered ---------------------------


@pytest.fixture
def today_2026(monkeypatch):
    today = date(2026, 11, 27)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    return today


def _dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("tracker:dashboard")).content.decode()


def test_dashboard_warns_when_a_due_date_falls_in_an_uncovered_year(
    client, supervisor, today_2026
):
    ObligationFactory(due_date=date(2031, 3, 1))
    page = _dashboard(client, supervisor)
    assert 'data-warning="holidays"' in page
    assert "2027, 2028, 2029, 2030, 2031" in page


def test_dashboard_does_not_warn_when_the_years_are_covered(
    client, supervisor, today_2026
):
    ObligationFactory(due_date=date(2026, 12, 31))
    ObligationFactory(due_date=date(2031, 3, 1), status=Obligation.Status.DONE)
    assert 'data-warning="holidays"' not in _dashboard(client, supervisor)


def test_dashboard_stops_warning_once_the_holidays_are_entered(
    client, supervisor, today_2026
):
    ObligationFactory(due_date=date(2027, 3, 1))
    Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    assert 'data-warning="holidays"' not in _dashboard(client, supervisor)


def test_admin_holiday_list_warns_about_uncovered_years(
    client, tracker_admin, today_2026
):
    ObligationFactory(due_date=date(2027, 3, 1))
    client.force_login(tracker_admin)
    response = client.get(reverse("admin:tracker_holiday_changelist"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("2027" in m for m in messages)


def test_admin_adds_a_working_weekend_day(client, tracker_admin):
    client.force_login(tracker_admin)
    response = client.post(
        reverse("admin:tracker_holiday_add"),
        {"date": "2031-01-04", "is_workday": "on", "name": "补班"},
    )
    assert response.status_code == 302
    assert Calendar.load().is_workday(date(2031, 1, 4))


def test_admin_refuses_the_same_day_twice(client, tracker_admin):
    Holiday.objects.create(date=date(2031, 1, 1), name="元旦")
    client.force_login(tracker_admin)
    response = client.post(
        reverse("admin:tracker_holiday_add"), {"date": "2031-01-01", "name": "又一个"}
    )
    assert response.status_code == 200
    assert Holiday.objects.count() == 1
