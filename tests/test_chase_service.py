"""催办: a supervisor chases an item's lead unit or a co-operating unit's part; the
unit hears of it and answers."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import DepartmentFactory, UserFactory
from tests.workflow_helpers import set_status
from tracker.models import Chase, Notification, Obligation, ProgressUpdate
from tracker.services.chases import chase_answer, obligation_chase
from tracker.services.common import ServiceError
from tracker.services.parts import part_add

pytestmark = pytest.mark.usefixtures("english")


def test_chase_notifies_the_units_members_and_heads_and_is_on_the_timeline(
    obligation, staff_a, supervisor, department_a
):
    head = UserFactory(username="head1", groups=["staff"])
    department_a.heads.add(head)

    chase = obligation_chase(obligation=obligation, user=supervisor, note="请加快进度")

    assert chase.department == department_a
    recipients = set(
        Notification.objects.filter(kind=Notification.Kind.CHASED).values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"staff_a", "head1"}
    entry = obligation.updates.get(action=ProgressUpdate.Action.CHASE)
    assert "请加快进度" in entry.text and entry.author == supervisor


def test_chase_needs_a_note(obligation, supervisor):
    with pytest.raises(ServiceError, match="chase's note"):
        obligation_chase(obligation=obligation, user=supervisor, note="  ")
    assert not Chase.objects.exists()


def test_staff_cannot_chase(obligation, staff_a):
    with pytest.raises(PermissionDenied):
        obligation_chase(obligation=obligation, user=staff_a, note="快点")
    assert not Chase.objects.exists()


def test_a_done_item_is_not_chased(obligation, supervisor):
    set_status(obligation, Obligation.Status.DONE)
    with pytest.raises(ServiceError, match="nothing to chase"):
        obligation_chase(obligation=obligation, user=supervisor, note="快点")


def test_chasing_a_part_notifies_the_co_operating_unit(obligation, supervisor):
    township = DepartmentFactory(name="城关镇", kind="township")
    town1 = UserFactory(username="town1", groups=["staff"])
    township.members.add(town1)
    part = part_add(obligation=obligation, user=supervisor, department=township)

    chase = obligation_chase(
        obligation=obligation, user=supervisor, note="请报送配合情况", part=part
    )

    assert chase.department == township and chase.part == part
    assert Notification.objects.filter(
        recipient=town1, kind=Notification.Kind.CHASED
    ).exists()


def test_the_unit_answers_once_and_the_supervisor_hears_it(
    obligation, staff_a, staff_b, supervisor
):
    chase = obligation_chase(obligation=obligation, user=supervisor, note="请加快进度")
    with pytest.raises(PermissionDenied):
        chase_answer(chase=chase, user=staff_b, answer="与我无关")

    chase = chase_answer(chase=chase, user=staff_a, answer="本周内完成")

    assert chase.answered_by == staff_a
    assert Notification.objects.filter(
        recipient=supervisor, kind=Notification.Kind.CHASED, text__contains="本周内完成"
    ).exists()
    with pytest.raises(ServiceError, match="already been answered"):
        chase_answer(chase=chase, user=staff_a, answer="再次回复")
