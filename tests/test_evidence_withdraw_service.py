"""evidence_withdraw: the file stays, the row is marked, the timeline says why."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.workflow_helpers import PDF, upload
from tracker.models import ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.evidence import evidence_withdraw

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def evidence(obligation, staff_a):
    return upload(obligation, staff_a)


def test_withdrawing_marks_the_evidence_and_keeps_the_file(evidence, staff_a):
    evidence_withdraw(evidence=evidence, user=staff_a, reason="上传错了")

    evidence.refresh_from_db()
    assert evidence.is_withdrawn
    assert (evidence.withdrawn_by, evidence.withdraw_reason) == (staff_a, "上传错了")
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF


def test_withdrawing_writes_a_timeline_entry_and_a_history_row_with_the_user(
    evidence, obligation, tracker_admin
):
    evidence_withdraw(evidence=evidence, user=tracker_admin, reason="重复")

    update = obligation.updates.get(action=ProgressUpdate.Action.EVIDENCE_WITHDRAW)
    assert (update.author, update.evidence, update.text) == (
        tracker_admin,
        evidence,
        "重复",
    )
    latest = evidence.history.latest()
    assert latest.history_user == tracker_admin
    assert latest.withdraw_reason == "重复"


def test_withdrawing_without_reason_is_refused(evidence, staff_a):
    with pytest.raises(ServiceError, match="reason is required"):
        evidence_withdraw(evidence=evidence, user=staff_a, reason="  ")

    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_withdrawing_twice_is_refused(evidence, staff_a):
    evidence_withdraw(evidence=evidence, user=staff_a, reason="错")

    with pytest.raises(ServiceError, match="already been withdrawn"):
        evidence_withdraw(evidence=evidence, user=staff_a, reason="再撤")

    evidence.refresh_from_db()
    assert evidence.withdraw_reason == "错"


@pytest.mark.parametrize("role", ["staff_b", "supervisor"])
def test_other_staff_and_supervisors_may_not_withdraw(request, evidence, role):
    with pytest.raises(PermissionDenied):
        evidence_withdraw(
            evidence=evidence, user=request.getfixturevalue(role), reason="x"
        )

    evidence.refresh_from_db()
    assert not evidence.is_withdrawn
