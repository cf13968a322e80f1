"""The last live evidence of an obligation awaiting review or done cannot be
withdrawn: finished work keeps its proof for an inspection (督察). Staff upload the
replacement first, or a supervisor returns or reopens the obligation."""

import pytest
from django.utils import translation

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.workflow_helpers import set_status, simultaneously, upload
from tracker.models import Evidence, Obligation, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.evidence import evidence_withdraw
from tracker.services.workflow import obligation_transition

S = Obligation.Status


def withdraw_url(evidence):
    return f"/evidence/{evidence.pk}/withdraw/"


def assert_still_live(evidence):
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn
    assert evidence.history.count() == 1  # only the upload's row
    assert not ProgressUpdate.objects.filter(
        action=ProgressUpdate.Action.EVIDENCE_WITHDRAW
    ).exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.DONE, "ask a supervisor to reopen the obligation"),
        (S.SUBMITTED, "ask a supervisor to return the obligation"),
    ],
)
def test_staff_cannot_withdraw_the_only_evidence_of_finished_work(
    obligation, staff_a, status, message
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, status)

    with pytest.raises(ServiceError) as refused:
        evidence_withdraw(evidence=evidence, user=staff_a, reason="传错了")

    with translation.override("en"):
        assert "only evidence" in str(refused.value)
        assert message in str(refused.value)
    assert_still_live(evidence)


def test_an_administrator_cannot_withdraw_it_either(obligation, staff_a, admin_user):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.DONE)

    with pytest.raises(ServiceError):
        evidence_withdraw(evidence=evidence, user=admin_user, reason="传错了")

    assert_still_live(evidence)


def test_one_of_two_pieces_of_evidence_of_done_work_can_be_withdrawn(
    obligation, staff_a
):
    wrong = upload(obligation, staff_a, name="错误的.pdf")
    upload(obligation, staff_a, name="正确的.pdf")
    set_status(obligation, S.DONE)

    evidence_withdraw(evidence=wrong, user=staff_a, reason="传错了")

    wrong.refresh_from_db()
    assert wrong.is_withdrawn
    assert obligation.evidence.filter(withdrawn_at__isnull=True).count() == 1


def test_an_already_withdrawn_piece_does_not_count_as_proof(obligation, staff_a):
    old = upload(obligation, staff_a, name="旧的.pdf")
    last = upload(obligation, staff_a, name="新的.pdf")
    evidence_withdraw(evidence=old, user=staff_a, reason="过时")
    set_status(obligation, S.DONE)

    with pytest.raises(ServiceError):
        evidence_withdraw(evidence=last, user=staff_a, reason="传错了")

    last.refresh_from_db()
    assert not last.is_withdrawn


@pytest.mark.parametrize("status", [S.NOT_STARTED, S.IN_PROGRESS, S.RETURNED])
def test_the_only_evidence_of_unfinished_work_can_be_withdrawn(
    obligation, staff_a, status
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, status)

    evidence_withdraw(evidence=evidence, user=staff_a, reason="传错了")

    evidence.refresh_from_db()
    assert evidence.is_withdrawn


def test_after_a_supervisor_reopens_the_evidence_can_be_withdrawn(
    obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.DONE)
    obligation_transition(
        obligation=obligation, user=supervisor, to_status=S.IN_PROGRESS, note="补材料"
    )

    evidence_withdraw(evidence=evidence, user=staff_a, reason="换一份")

    evidence.refresh_from_db()
    assert evidence.is_withdrawn


def test_withdraw_page_refuses_with_a_400_and_says_why_in_english(
    client, obligation, staff_a
):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.DONE)
    client.force_login(staff_a)

    response = in_english(client).post(withdraw_url(evidence), {"reason": "传错了"})

    assert response.status_code == 400
    assert "This is the only evidence of a finished obligation" in (
        response.content.decode()
    )
    assert_still_live(evidence)


def test_withdraw_page_refuses_in_chinese_by_default(client, obligation, staff_a):
    evidence = upload(obligation, staff_a)
    set_status(obligation, S.SUBMITTED)
    client.force_login(staff_a)

    response = client.post(withdraw_url(evidence), {"reason": "传错了"})

    assert response.status_code == 400
    assert "唯一" in response.content.decode()
    assert_still_live(evidence)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_withdrawals_of_the_last_two_pieces_leave_one(
    staff_a, department_a
):
    """Each withdrawal alone would leave one piece; together they must not leave
    none. The obligation's row lock makes the second one count what the first
    left."""
    obligation = ObligationFactory(department=department_a)
    pieces = [upload(obligation, staff_a, name=f"{n}.pdf") for n in range(2)]
    set_status(obligation, S.DONE)

    def withdraw(mine):
        evidence_withdraw(evidence=mine, user=staff_a, reason="并发")
        return "withdrawn"

    outcomes = simultaneously(
        pieces,
        withdraw,
        load=lambda piece: Evidence.objects.get(pk=piece.pk),
        refusals={ServiceError: "refused"},
    )

    assert sorted(outcomes) == ["refused", "withdrawn"]
    assert obligation.evidence.filter(withdrawn_at__isnull=True).count() == 1
