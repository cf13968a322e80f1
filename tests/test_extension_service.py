"""延期申请: staff request a later due date (services.extension_request), a
supervisor approves or refuses it (services.extension_decide)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import ObligationFactory, UserFactory
from tests.workflow_helpers import simultaneously
from tracker.models import ExtensionRequest, Notification, Obligation, ProgressUpdate
from tracker.services.common import ServiceError, StaleVersionError
from tracker.services.workflow import (
    extension_decide,
    extension_request,
    obligation_assign,
)

pytestmark = pytest.mark.usefixtures("english")
E = ExtensionRequest.Status
A = ProgressUpdate.Action


def _request(obligation, user, days_later=20, reason="需要补充调研"):
    return extension_request(
        obligation=obligation,
        user=user,
        requested_due_date=obligation.due_date + timedelta(days=days_later),
        reason=reason,
        version=obligation.version,
    )


def test_staff_request_is_pending_and_in_the_timeline(obligation, due, staff_a):
    extension = _request(obligation, staff_a)
    assert extension.status == E.PENDING
    assert extension.previous_due_date == due
    assert extension.requested_due_date == due + timedelta(days=20)
    entry = obligation.updates.get()
    assert (entry.action, entry.author) == (A.EXTENSION, staff_a)
    assert due.isoformat() in entry.text and "需要补充调研" in entry.text
    # The due date itself waits for the decision.
    assert Obligation.objects.get(pk=obligation.pk).due_date == due


@pytest.mark.parametrize(
    ("days_later", "message"),
    [(0, "later than the current due date"), (-3, "later than the current due date")],
)
def test_an_earlier_or_equal_date_is_refused(
    obligation, due, staff_a, days_later, message
):
    with pytest.raises(ServiceError, match=message):
        _request(obligation, staff_a, days_later=days_later)
    assert not ExtensionRequest.objects.exists()
    assert not obligation.updates.exists()


def test_a_date_in_the_past_is_refused(obligation, staff_a):
    # Overdue by a month: a date after the due date but before today is no help.
    Obligation.objects.filter(pk=obligation.pk).update(
        due_date=timezone.localdate() - timedelta(days=30)
    )
    obligation.refresh_from_db()
    with pytest.raises(ServiceError, match="in the past"):
        _request(obligation, staff_a, days_later=10)
    assert not ExtensionRequest.objects.exists()


def test_an_obligation_without_due_date_has_nothing_to_extend(obligation, staff_a):
    with pytest.raises(ServiceError, match="no due date"):
        extension_request(
            obligation=obligation,
            user=staff_a,
            requested_due_date=date(2030, 1, 1),
            reason="x",
        )


def test_a_reason_is_required(obligation, due, staff_a):
    with pytest.raises(ServiceError, match="reason is required"):
        _request(obligation, staff_a, reason="  ")
    assert not ExtensionRequest.objects.exists()


def test_a_second_pending_request_is_refused(obligation, due, staff_a):
    _request(obligation, staff_a)
    with pytest.raises(ServiceError, match="already pending"):
        _request(obligation, staff_a, days_later=40)
    assert ExtensionRequest.objects.count() == 1
    assert obligation.updates.count() == 1


def test_the_database_refuses_a_second_pending_request(obligation, due, staff_a):
    _request(obligation, staff_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            obligation=obligation,
            requested_by=staff_a,
            previous_due_date=due,
            requested_due_date=due + timedelta(days=5),
            reason="绕过服务",
        )


def test_staff_of_another_department_may_not_request(obligation, due, staff_b):
    with pytest.raises(PermissionDenied):
        _request(obligation, staff_b)
    assert not ExtensionRequest.objects.exists()


def test_approval_moves_the_due_date_with_an_assignment_entry(
    obligation, due, staff_a, supervisor
):
    extension = _request(obligation, staff_a)
    extension_decide(extension=extension, user=supervisor, approve=True)
    obligation.refresh_from_db()
    assert obligation.due_date == due + timedelta(days=20)
    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == (E.APPROVED, supervisor)
    assert extension.decided_at is not None
    entry = obligation.updates.filter(action=A.ASSIGN).get()
    assert entry.author == supervisor
    assert (due + timedelta(days=20)).isoformat() in entry.text
    assert "张三" in entry.text  # whose request was approved
    assert obligation.history.latest().history_user == supervisor


def test_refusal_needs_a_reason_and_keeps_the_due_date(
    obligation, due, staff_a, supervisor
):
    extension = _request(obligation, staff_a)
    with pytest.raises(ServiceError, match="reason is required"):
        extension_decide(extension=extension, user=supervisor, approve=False)
    assert ExtensionRequest.objects.get().status == E.PENDING

    extension_decide(
        extension=extension, user=supervisor, approve=False, reason="理由不充分"
    )
    extension.refresh_from_db()
    assert (extension.status, extension.decision_reason) == (E.REFUSED, "理由不充分")
    assert Obligation.objects.get(pk=obligation.pk).due_date == due
    entry = obligation.updates.order_by("-pk").first()
    assert (entry.action, entry.author) == (A.EXTENSION, supervisor)
    assert "理由不充分" in entry.text


def test_a_refused_request_leaves_room_for_a_new_one(
    obligation, due, staff_a, supervisor
):
    first = _request(obligation, staff_a)
    extension_decide(extension=first, user=supervisor, approve=False, reason="不行")
    obligation.refresh_from_db()
    assert _request(obligation, staff_a).status == E.PENDING


def test_a_decided_request_cannot_be_decided_again(
    obligation, due, staff_a, supervisor
):
    extension = _request(obligation, staff_a)
    extension_decide(extension=extension, user=supervisor, approve=True)
    with pytest.raises(ServiceError, match="already been decided"):
        extension_decide(
            extension=extension, user=supervisor, approve=False, reason="改主意"
        )
    assert ExtensionRequest.objects.get().status == E.APPROVED


def test_staff_may_not_decide(obligation, due, staff_a):
    extension = _request(obligation, staff_a)
    with pytest.raises(PermissionDenied):
        extension_decide(extension=extension, user=staff_a, approve=True)
    assert ExtensionRequest.objects.get().status == E.PENDING


def test_approving_a_date_overtaken_by_a_new_due_date_is_refused(
    obligation, due, staff_a, supervisor
):
    extension = _request(obligation, staff_a, days_later=5)
    obligation_assign(
        obligation=obligation, user=supervisor, due_date=due + timedelta(days=30)
    )
    with pytest.raises(ServiceError, match="no longer later"):
        extension_decide(extension=extension, user=supervisor, approve=True)
    assert ExtensionRequest.objects.get().status == E.PENDING
    assert Obligation.objects.get(pk=obligation.pk).due_date == due + timedelta(30)


def test_deciding_on_a_stale_page_is_refused(obligation, due, staff_a, supervisor):
    extension = _request(obligation, staff_a)
    seen = Obligation.objects.get(pk=obligation.pk).version
    obligation_assign(obligation=obligation, user=supervisor, owner=staff_a)
    with pytest.raises(StaleVersionError):
        extension_decide(
            extension=extension, user=supervisor, approve=True, version=seen
        )
    assert ExtensionRequest.objects.get().status == E.PENDING


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_leave_one_pending(department_a, staff_a):
    """Two staff members ask at the same moment: one request is pending, the other
    is told so; never two (the row lock, then the partial unique index)."""
    colleague = UserFactory(username="colleague")
    department_a.members.add(colleague)
    obligation = ObligationFactory(
        department=department_a, due_date=timezone.localdate() + timedelta(days=10)
    )

    def ask(loaded):
        mine, user = loaded
        _request(mine, user)
        return "pending"

    outcomes = simultaneously(
        [staff_a, colleague],
        ask,
        load=lambda user: (Obligation.objects.get(pk=obligation.pk), user),
        refusals={ServiceError: "refused"},
    )

    assert sorted(outcomes) == ["pending", "refused"]
    assert ExtensionRequest.objects.filter(status=E.PENDING).count() == 1
    assert obligation.updates.count() == 1


def test_a_request_tells_the_supervisors(obligation, due, staff_a, supervisor):
    _request(obligation, staff_a)
    (note,) = Notification.objects.all()
    assert note.recipient == supervisor
    assert note.kind == Notification.Kind.EXTENSION_REQUESTED
    assert "需要补充调研" in note.text


def test_a_refused_request_tells_nobody(obligation, due, staff_b, supervisor):
    with pytest.raises(PermissionDenied):
        _request(obligation, staff_b)
    assert not Notification.objects.exists()


def test_a_decision_tells_the_requester_and_the_department(
    obligation, due, staff_a, supervisor, department_a, tracker_admin
):
    colleague = UserFactory(username="colleague", groups=["staff"])
    department_a.members.add(colleague)
    # An admin asking on the department's behalf hears the answer too.
    extension = _request(obligation, tracker_admin)
    Notification.objects.all().delete()
    extension_decide(
        extension=extension, user=supervisor, approve=False, reason="理由不充分"
    )
    told = Notification.objects.filter(kind=Notification.Kind.EXTENSION_DECIDED)
    assert {n.recipient for n in told} == {staff_a, colleague, tracker_admin}
    assert all("理由不充分" in n.text for n in told)
