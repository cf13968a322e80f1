"""限时办结: obligation_assign takes a due date or a limit in working days, and
refuses a due date in the past, a limit out of range, or both at once."""

from datetime import date

import pytest
from django.utils import translation

from tracker.models import Obligation, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.workflow import obligation_assign

pytestmark = pytest.mark.usefixtures("english")


def test_a_limit_in_working_days_sets_the_due_date_across_the_golden_week(
    obligation, supervisor, today_is
):
    today_is(date(2026, 9, 24))
    obligation_assign(obligation=obligation, user=supervisor, limit_workdays=15)
    obligation.refresh_from_db()
    assert obligation.due_date == date(2026, 10, 22)


def test_the_timeline_gives_the_date_and_the_limit_in_the_record_language(
    obligation, supervisor, today_is
):
    today_is(date(2026, 9, 24))
    obligation_assign(obligation=obligation, user=supervisor, limit_workdays=15)
    entry = obligation.updates.get(action=ProgressUpdate.Action.ASSIGN)
    assert "— → 2026-10-22（15 个工作日）" in entry.text


@pytest.mark.parametrize("limit", [0, -3, 251, 1000])
def test_a_limit_out_of_range_is_refused_and_nothing_written(
    obligation, supervisor, limit
):
    with pytest.raises(ServiceError, match="between 1 and 250"):
        obligation_assign(obligation=obligation, user=supervisor, limit_workdays=limit)
    assert Obligation.objects.get(pk=obligation.pk).due_date is None
    assert not obligation.updates.exists()


def test_a_due_date_and_a_limit_together_are_refused(obligation, supervisor):
    with pytest.raises(ServiceError, match="not both"):
        obligation_assign(
            obligation=obligation,
            user=supervisor,
            due_date=date(2030, 6, 30),
            limit_workdays=10,
        )
    assert not obligation.updates.exists()


def test_the_unchanged_due_date_of_the_form_does_not_count_as_given(
    obligation, supervisor, today_is
):
    # The assign form is filled with the current due date: a limit replaces it.
    today_is(date(2026, 11, 2))
    Obligation.objects.filter(pk=obligation.pk).update(due_date=date(2026, 11, 30))
    obligation.refresh_from_db()
    obligation_assign(
        obligation=obligation,
        user=supervisor,
        due_date=date(2026, 11, 30),
        limit_workdays=5,
    )
    assert Obligation.objects.get(pk=obligation.pk).due_date == date(2026, 11, 9)


def test_a_due_date_in_the_past_is_refused(obligation, supervisor, today_is):
    today_is(date(2026, 11, 27))
    with pytest.raises(ServiceError, match="2026-11-26 is in the past"):
        obligation_assign(
            obligation=obligation, user=supervisor, due_date=date(2026, 11, 26)
        )
    assert Obligation.objects.get(pk=obligation.pk).due_date is None


def test_an_overdue_obligation_can_still_be_given_an_owner(
    obligation, supervisor, staff_a, today_is
):
    today_is(date(2026, 11, 27))
    Obligation.objects.filter(pk=obligation.pk).update(due_date=date(2026, 11, 2))
    obligation.refresh_from_db()
    obligation_assign(
        obligation=obligation,
        user=supervisor,
        owner=staff_a,
        due_date=date(2026, 11, 2),
    )
    assert Obligation.objects.get(pk=obligation.pk).owner == staff_a


def test_today_is_a_valid_due_date(obligation, supervisor, today_is):
    today_is(date(2026, 11, 27))
    with translation.override("en"):
        obligation_assign(
            obligation=obligation, user=supervisor, due_date=date(2026, 11, 27)
        )
    assert Obligation.objects.get(pk=obligation.pk).due_date == date(2026, 11, 27)
