"""Dates far from the report's year: refused where they are typed, harmless where a
legacy row already holds one (a due date of 9999-12-31 once took the obligation
page, the list, the exports, the department page and /my/ down for everyone)."""

import datetime
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.test_admin_concurrency import _change_url, _open_change_form
from tracker.models import ExtensionRequest, Obligation, ProgressUpdate
from tracker.workdays import Calendar

FAR = date(9999, 12, 31)


def _day_by_day(calendar, start, end):
    """The definition of workdays_between, counted one day at a time."""
    if end < start:
        return -_day_by_day(calendar, end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_workday(day)
    return count


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(date(2020, 1, 1), date(2040, 12, 31)),
    length=st.integers(-800, 800),
)
def test_counting_by_years_agrees_with_counting_day_by_day(start, length):
    # The package's years, the years after them and a year with a table entry.
    calendar = Calendar({date(2031, 1, 1): False, date(2031, 1, 4): True})
    end = start + timedelta(days=length)
    assert calendar.workdays_between(start, end) == _day_by_day(calendar, start, end)


def test_working_days_to_the_last_day_of_the_calendar_are_counted():
    calendar = Calendar({date(9999, 12, 31): False})
    assert calendar.workdays_between(date(9999, 12, 24), FAR) == 4
    assert calendar.workdays_between(date(1, 1, 1), date(1, 1, 8)) == 5
    assert calendar.workdays_between(date(2026, 12, 7), FAR) > 2_000_000


def test_adding_working_days_stops_at_the_ends_of_the_calendar():
    calendar = Calendar()
    assert calendar.add_workdays(date(9999, 12, 28), 15) == FAR
    assert calendar.add_workdays(date(1, 1, 2), -5) == date(1, 1, 1)


@pytest.fixture
def far_obligation(obligation, staff_a):
    """Due on 9999-12-31, set in the database before dates were bounded."""
    Obligation.objects.filter(pk=obligation.pk).update(due_date=FAR, owner=staff_a)
    obligation.refresh_from_db()
    return obligation


@pytest.mark.parametrize(
    "page",
    ["obligation", "list", "csv", "xlsx", "department", "my"],
)
def test_a_legacy_far_due_date_still_renders_every_page(
    client, far_obligation, supervisor, staff_a, page
):
    client.force_login(staff_a if page == "my" else supervisor)
    url = {
        "obligation": far_obligation.get_absolute_url(),
        "list": reverse("tracker:obligation_list"),
        "csv": reverse("tracker:obligation_list") + "?_export=csv",
        "xlsx": reverse("tracker:obligation_list") + "?_export=xlsx",
        "department": reverse(
            "tracker:department_detail", args=[far_obligation.department_id]
        ),
        "my": reverse("tracker:my_work"),
    }[page]
    response = client.get(url)
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if page in ("obligation", "csv"):
        assert "9999-12-31" in body.decode("utf-8-sig")


def test_the_obligation_page_with_a_far_due_date_can_repair_it(
    client, far_obligation, supervisor
):
    client.force_login(supervisor)
    response = client.post(
        reverse("tracker:obligation_assign", args=[far_obligation.pk]),
        {"due_date": "2030-06-30", "version": far_obligation.version},
    )
    assert response.status_code == 302
    far_obligation.refresh_from_db()
    assert far_obligation.due_date == date(2030, 6, 30)


@pytest.mark.parametrize("typed", ["9999-12-31", "2099-01-01"])
def test_assigning_a_far_due_date_is_refused_with_a_message(
    client, obligation, supervisor, typed
):
    client.force_login(supervisor)
    response = in_english(client).post(
        reverse("tracker:obligation_assign", args=[obligation.pk]),
        {"due_date": typed, "version": obligation.version},
    )
    assert response.status_code == 400
    assert f"The date {typed} is outside 2021-01-01 to " in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.due_date is None
    assert not obligation.updates.exists()


def test_the_refusal_reads_in_chinese(client, obligation, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("tracker:obligation_assign", args=[obligation.pk]),
        {"due_date": "9999-12-31", "version": obligation.version},
    )
    assert response.status_code == 400
    assert "日期 9999-12-31 不在 2021-01-01 至 " in response.content.decode()


def test_an_extension_to_a_far_date_is_refused_with_a_message(
    client, obligation, due, staff_a
):
    client.force_login(staff_a)
    response = in_english(client).post(
        reverse("tracker:extension_request", args=[obligation.pk]),
        {
            "version": obligation.version,
            "requested_due_date": "9999-12-31",
            "reason": "需要补充调研",
        },
    )
    assert response.status_code == 400
    assert "The date 9999-12-31 is outside" in response.content.decode()
    assert not ExtensionRequest.objects.exists()
    assert not ProgressUpdate.objects.exists()


def test_approving_a_legacy_far_extension_request_is_refused(
    client, obligation, due, staff_a, supervisor
):
    extension = ExtensionRequest.objects.create(
        obligation=obligation,
        requested_by=staff_a,
        previous_due_date=due,
        requested_due_date=FAR,
        reason="旧数据",
    )
    client.force_login(supervisor)
    response = in_english(client).post(
        reverse("tracker:extension_decide", args=[extension.pk]),
        {"version": obligation.version, "decision": "approve", "reason": ""},
    )
    assert response.status_code == 400
    assert "The date 9999-12-31 is outside" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.due_date == due
    extension.refresh_from_db()
    assert extension.is_pending


def test_the_admin_refuses_a_far_due_date(tracker_admin, obligation):
    browser = Client()
    browser.force_login(tracker_admin)
    seen = _open_change_form(browser, obligation)
    response = browser.post(_change_url(obligation), {**seen, "due_date": "9999-12-31"})
    assert response.status_code == 200
    assert "日期 9999-12-31 不在" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.due_date is None


def test_a_due_date_ten_years_after_the_report_is_accepted(client, supervisor):
    obligation = ObligationFactory(report__year=datetime.date.today().year)
    client.force_login(supervisor)
    last = date(obligation.report.year + 10, 12, 31)
    response = client.post(
        reverse("tracker:obligation_assign", args=[obligation.pk]),
        {"due_date": last.isoformat(), "version": obligation.version},
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.due_date == last
