"""单位审核: in a department whose head signs off, staff's submission goes to the
head first; the head sends it on to the supervisors or returns it."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import UserFactory
from tests.workflow_helpers import set_status, upload
from tracker.models import Notification, Obligation, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.workflow import obligation_transition

S = Obligation.Status

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def head(department_a):
    user = UserFactory(username="head1", first_name="钱局长", groups=["staff"])
    department_a.heads.add(user)
    department_a.signoff_required = True
    department_a.save()
    return user


@pytest.fixture
def ready(obligation, staff_a, head):
    """In progress with evidence, in a department with sign-off on."""
    upload(obligation, staff_a)
    obligation.department.refresh_from_db()
    return set_status(obligation, S.IN_PROGRESS)


def _move(obligation, user, to_status, note="说明"):
    return obligation_transition(
        obligation=obligation, user=user, to_status=to_status, note=note
    )


def test_staff_submission_goes_to_the_head_first(ready, staff_a, head, supervisor):
    result = _move(ready, staff_a, S.SIGNOFF)

    assert result.status == S.SIGNOFF
    assert Notification.objects.filter(
        recipient=head, kind=Notification.Kind.SIGNOFF
    ).exists()
    assert not Notification.objects.filter(recipient=supervisor).exists()


def test_staff_cannot_skip_the_heads_sign_off(ready, staff_a):
    with pytest.raises(ServiceError, match="requires its head's sign-off"):
        _move(ready, staff_a, S.SUBMITTED)
    ready.refresh_from_db()
    assert ready.status == S.IN_PROGRESS


def test_head_signs_off_and_the_supervisors_hear_of_it(
    ready, staff_a, head, supervisor
):
    _move(ready, staff_a, S.SIGNOFF)
    result = _move(ready, head, S.SUBMITTED, note="")

    assert result.status == S.SUBMITTED
    entry = result.updates.filter(action=ProgressUpdate.Action.STATUS).first()
    assert entry.author == head and entry.from_status == S.SIGNOFF
    assert result.history.first().history_user == head
    assert Notification.objects.filter(
        recipient=supervisor, kind=Notification.Kind.SUBMITTED
    ).exists()


def test_head_returns_with_a_reason(ready, staff_a, head):
    _move(ready, staff_a, S.SIGNOFF)
    with pytest.raises(ServiceError, match="A reason is required"):
        _move(ready, head, S.RETURNED, note="")
    result = _move(ready, head, S.RETURNED, note="数据需核实")
    assert result.status == S.RETURNED
    assert Notification.objects.filter(
        recipient=staff_a, kind=Notification.Kind.RETURNED
    ).exists()


def test_a_supervisor_cannot_sign_off_for_the_head(ready, staff_a, supervisor):
    _move(ready, staff_a, S.SIGNOFF)
    with pytest.raises(PermissionDenied):
        _move(ready, supervisor, S.SUBMITTED)


def test_the_staff_cannot_sign_off_their_own_submission(ready, staff_a, head):
    _move(ready, staff_a, S.SIGNOFF)
    with pytest.raises(PermissionDenied):
        _move(ready, staff_a, S.SUBMITTED)


def test_without_sign_off_the_submission_goes_to_the_supervisors(obligation, staff_a):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    with pytest.raises(ServiceError, match="does not require its head's sign-off"):
        _move(obligation, staff_a, S.SIGNOFF)
    assert _move(obligation, staff_a, S.SUBMITTED).status == S.SUBMITTED
