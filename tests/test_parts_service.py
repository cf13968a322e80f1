"""Co-operating units' parts (分办事项): naming a unit, 签收, submitting to the lead
unit, its acceptance or return, a supervisor's waiver, and the lead's submission
waiting for every part."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import DepartmentFactory, UserFactory
from tests.workflow_helpers import PDF, set_status, upload
from tracker.models import Notification, Obligation, Part, ProgressUpdate, Report
from tracker.services.common import ReportClosedError, ServiceError
from tracker.services.evidence import evidence_upload
from tracker.services.parts import (
    StalePartError,
    part_add,
    part_add_note,
    part_transition,
    part_waive,
)
from tracker.services.workflow import obligation_transition

S = Obligation.Status
P = Part.Status

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def township(db):
    return DepartmentFactory(name="城关镇", kind="township")


@pytest.fixture
def town_staff(township):
    user = UserFactory(username="town1", first_name="周乡镇", groups=["staff"])
    township.members.add(user)
    return user


@pytest.fixture
def part(obligation, supervisor, township, town_staff):
    return part_add(obligation=obligation, user=supervisor, department=township)


def _submit_lead(obligation, staff_a):
    return obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已完成"
    )


def test_added_part_waits_for_acknowledgement_and_is_due_with_the_item(
    obligation, due, supervisor, township, town_staff
):
    part = part_add(obligation=obligation, user=supervisor, department=township)

    assert part.status == P.NOT_ACKNOWLEDGED
    assert part.due_date == due
    entry = obligation.updates.get(action=ProgressUpdate.Action.PART)
    assert entry.part == part and entry.author == supervisor
    assert "城关镇" in entry.text
    assert Notification.objects.filter(
        recipient=town_staff, kind=Notification.Kind.PART
    ).exists()


def test_lead_unit_cannot_be_its_own_co_operating_unit(
    obligation, supervisor, department_a
):
    with pytest.raises(ServiceError, match="is the lead unit"):
        part_add(obligation=obligation, user=supervisor, department=department_a)
    assert not Part.objects.exists()


def test_a_unit_gets_one_part_of_an_item(obligation, supervisor, township, part):
    with pytest.raises(ServiceError, match="already has a part"):
        part_add(obligation=obligation, user=supervisor, department=township)
    assert Part.objects.count() == 1


def test_part_due_after_the_item_is_refused(obligation, due, supervisor, township):
    with pytest.raises(ServiceError, match="at the latest"):
        part_add(
            obligation=obligation,
            user=supervisor,
            department=township,
            due_date=due.replace(year=due.year + 1),
        )
    assert not Part.objects.exists()


def test_staff_cannot_add_a_part(obligation, staff_a, township):
    with pytest.raises(PermissionDenied):
        part_add(obligation=obligation, user=staff_a, department=township)


def test_lead_unit_cannot_submit_while_a_part_is_open(obligation, staff_a, part):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    version = obligation.version

    with pytest.raises(ServiceError, match="城关镇 are not accepted yet"):
        _submit_lead(obligation, staff_a)

    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS
    assert obligation.version == version
    assert not obligation.updates.filter(action=ProgressUpdate.Action.STATUS).exists()


def test_unit_acknowledges_submits_and_lead_accepts_then_lead_submits(
    obligation, staff_a, supervisor, town_staff, part
):
    part = part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    assert part.acknowledged_by == town_staff and part.acknowledged_at is not None
    part = part_transition(
        part=part, user=town_staff, to_status=P.SUBMITTED, note="已完成配合工作"
    )
    assert Notification.objects.filter(
        recipient=staff_a, kind=Notification.Kind.PART
    ).exists()
    part = part_transition(part=part, user=staff_a, to_status=P.ACCEPTED)
    assert part.status == P.ACCEPTED

    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    assert _submit_lead(obligation, staff_a).status == S.SUBMITTED
    history = part.history.order_by("history_date")
    assert [h.history_user for h in history] == [
        supervisor,
        town_staff,
        town_staff,
        staff_a,
    ]


def test_submitting_a_part_needs_a_note(town_staff, part):
    part = part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    with pytest.raises(ServiceError, match="Describe what the unit did"):
        part_transition(part=part, user=town_staff, to_status=P.SUBMITTED)
    part.refresh_from_db()
    assert part.status == P.IN_PROGRESS


def test_lead_unit_returns_a_part_with_a_reason_and_the_unit_resubmits(
    staff_a, town_staff, part
):
    part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    part_transition(part=part, user=town_staff, to_status=P.SUBMITTED, note="完成")
    with pytest.raises(ServiceError, match="A reason is required"):
        part_transition(part=part, user=staff_a, to_status=P.RETURNED)
    part = part_transition(
        part=part, user=staff_a, to_status=P.RETURNED, note="缺少会议纪要"
    )
    assert Notification.objects.filter(
        recipient=town_staff, kind=Notification.Kind.PART, text__contains="缺少会议纪要"
    ).exists()
    part = part_transition(
        part=part, user=town_staff, to_status=P.SUBMITTED, note="已补充"
    )
    assert part.status == P.SUBMITTED


def test_the_co_operating_unit_cannot_accept_its_own_part(town_staff, part):
    part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    part_transition(part=part, user=town_staff, to_status=P.SUBMITTED, note="完成")
    with pytest.raises(PermissionDenied):
        part_transition(part=part, user=town_staff, to_status=P.ACCEPTED)
    part.refresh_from_db()
    assert part.status == P.SUBMITTED


def test_the_lead_unit_cannot_acknowledge_for_the_co_operating_unit(staff_a, part):
    with pytest.raises(PermissionDenied):
        part_transition(part=part, user=staff_a, to_status=P.IN_PROGRESS)
    part.refresh_from_db()
    assert part.status == P.NOT_ACKNOWLEDGED


def test_supervisors_waiver_lets_the_lead_submit(obligation, staff_a, supervisor, part):
    with pytest.raises(ServiceError, match="A reason is required"):
        part_waive(part=part, user=supervisor, reason="")
    part = part_waive(part=part, user=supervisor, reason="该镇无此项工作")
    assert part.is_settled and part.waived_by == supervisor

    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    assert _submit_lead(obligation, staff_a).status == S.SUBMITTED


def test_staff_cannot_waive_a_part(staff_a, part):
    with pytest.raises(PermissionDenied):
        part_waive(part=part, user=staff_a, reason="不需要")
    part.refresh_from_db()
    assert not part.is_waived


def test_a_stale_part_version_changes_nothing(town_staff, part):
    version = part.version
    part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    with pytest.raises(StalePartError):
        part_transition(
            part=part,
            user=town_staff,
            to_status=P.SUBMITTED,
            note="完成",
            version=version,
        )
    part.refresh_from_db()
    assert part.status == P.IN_PROGRESS


def test_no_part_changes_in_a_closed_report(obligation, supervisor, town_staff, part):
    Report.objects.filter(pk=obligation.report_id).update(
        closed_at=timezone.now(), closed_by=supervisor
    )
    with pytest.raises(ReportClosedError):
        part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    part.refresh_from_db()
    assert part.status == P.NOT_ACKNOWLEDGED


def test_the_units_note_is_on_the_parts_timeline(town_staff, part):
    entry = part_add_note(part=part, user=town_staff, text="已召开专题会议")
    assert entry.part == part
    assert (
        list(part.updates.values_list("text", flat=True)).count(
            "城关镇: 已召开专题会议"
        )
        == 1
    )


def test_a_part_file_does_not_count_as_the_leads_evidence(
    obligation, staff_a, supervisor, town_staff, part
):
    part_transition(part=part, user=town_staff, to_status=P.IN_PROGRESS)
    evidence_upload(
        obligation=obligation,
        part=part,
        user=town_staff,
        file=SimpleUploadedFile("乡镇材料.pdf", PDF),
    )
    part_waive(part=part, user=supervisor, reason="已由牵头单位汇总")
    set_status(obligation, S.IN_PROGRESS)
    with pytest.raises(ServiceError, match="at least one piece of evidence"):
        _submit_lead(obligation, staff_a)
