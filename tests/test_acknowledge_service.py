"""签收: a newly assigned department acknowledges the obligation (services.
obligation_acknowledge), and the query the reminders use for the late ones."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ObligationFactory, UserFactory
from tracker.models import Obligation, ProgressUpdate
from tracker.services.common import ServiceError, StaleVersionError
from tracker.services.workflow import obligation_acknowledge, obligation_assign
from tracker.workdays import Calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("english")
A = ProgressUpdate.Action


def test_assigning_a_department_waits_for_its_acknowledgement(supervisor, department_a):
    obligation = ObligationFactory()
    obligation_assign(obligation=obligation, user=supervisor, department=department_a)
    obligation.refresh_from_db()
    assert obligation.department_assigned_at is not None
    assert obligation.acknowledged_at is None
    assert Obligation.objects.unacknowledged().get() == obligation


def test_member_acknowledges_and_the_timeline_says_who(obligation, staff_a):
    seen = obligation.version
    obligation_acknowledge(obligation=obligation, user=staff_a, version=seen)
    obligation.refresh_from_db()
    assert obligation.acknowledged_by == staff_a
    assert obligation.acknowledged_at is not None
    assert obligation.version == seen + 1
    entry = obligation.updates.get()
    assert (entry.action, entry.author) == (A.ACKNOWLEDGE, staff_a)
    assert "县司法局" in entry.text
    assert obligation.history.latest().history_user == staff_a
    assert not Obligation.objects.unacknowledged().exists()


def test_reassigning_to_another_department_asks_again(
    obligation, staff_a, supervisor, department_b
):
    obligation_acknowledge(obligation=obligation, user=staff_a, version=None)
    obligation_assign(obligation=obligation, user=supervisor, department=department_b)
    obligation.refresh_from_db()
    assert obligation.acknowledged_at is None
    assert obligation.acknowledged_by is None
    assert Obligation.objects.unacknowledged().get() == obligation


def test_changing_only_the_owner_or_due_date_keeps_the_acknowledgement(
    obligation, staff_a, supervisor
):

    obligation_acknowledge(obligation=obligation, user=staff_a, version=None)
    obligation_assign(
        obligation=obligation,
        user=supervisor,
        owner=staff_a,
        due_date=date(2030, 6, 30),
    )
    obligation.refresh_from_db()
    assert obligation.acknowledged_by == staff_a


@pytest.mark.parametrize("who", ["owner", "staff_b", "supervisor", "tracker_admin"])
def test_only_a_member_of_the_department_may_acknowledge(request, obligation, who):
    if who == "owner":
        user = UserFactory(groups=["staff"])
        Obligation.objects.filter(pk=obligation.pk).update(owner=user)
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        obligation_acknowledge(obligation=obligation, user=user, version=None)
    obligation.refresh_from_db()
    assert obligation.acknowledged_at is None
    assert not obligation.updates.exists()


def test_acknowledging_twice_is_refused(obligation, staff_a, department_a):
    colleague = UserFactory(groups=["staff"])
    department_a.members.add(colleague)
    obligation_acknowledge(obligation=obligation, user=staff_a, version=None)
    with pytest.raises(ServiceError, match="already been acknowledged"):
        obligation_acknowledge(obligation=obligation, user=colleague, version=None)
    obligation.refresh_from_db()
    assert obligation.acknowledged_by == staff_a
    assert obligation.updates.count() == 1


def test_acknowledging_a_stale_version_is_refused(obligation, staff_a, supervisor):
    seen = obligation.version
    obligation_assign(obligation=obligation, user=supervisor, owner=staff_a)
    with pytest.raises(StaleVersionError):
        obligation_acknowledge(obligation=obligation, user=staff_a, version=seen)
    assert Obligation.objects.get(pk=obligation.pk).acknowledged_at is None


# --- Assigned and not acknowledged for 2 working days ------------------------------


def _assigned_on(day, department):
    obligation = ObligationFactory(department=department)
    moment = datetime(day.year, day.month, day.day, 17, 0, tzinfo=SHANGHAI)
    Obligation.objects.filter(pk=obligation.pk).update(department_assigned_at=moment)
    return obligation


def _late(today):
    return set(Obligation.objects.unacknowledged_for(today, calendar=Calendar()))


def test_assigned_on_monday_is_late_on_wednesday_not_on_tuesday(department_a):
    monday = _assigned_on(date(2026, 11, 23), department_a)
    assert _late(date(2026, 11, 24)) == set()
    assert _late(date(2026, 11, 25)) == {monday}


def test_the_national_day_week_does_not_count(department_a):
    # Assigned Wednesday 30 September 2026; 1–7 October are holidays.
    assigned = _assigned_on(date(2026, 9, 30), department_a)
    assert _late(date(2026, 10, 7)) == set()
    assert _late(date(2026, 10, 8)) == set()
    assert _late(date(2026, 10, 9)) == {assigned}


def test_acknowledged_and_done_obligations_are_never_late(department_a, staff_a):
    acknowledged = _assigned_on(date(2026, 11, 2), department_a)
    obligation_acknowledge(obligation=acknowledged, user=staff_a, version=None)
    done = _assigned_on(date(2026, 11, 2), department_a)
    Obligation.objects.filter(pk=done.pk).update(status=Obligation.Status.DONE)
    assert _late(date(2026, 11, 25)) == set()
