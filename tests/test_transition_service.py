"""obligation_transition: the allowed-transitions table, per role, with its timeline
and history rows."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.factories import UserFactory
from tests.workflow_helpers import set_status, submit_and_return, upload
from tracker import permissions
from tracker.models import Evidence, Obligation, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.evidence import evidence_withdraw
from tracker.services.workflow import obligation_add_note, obligation_transition

S = Obligation.Status


pytestmark = pytest.mark.usefixtures("english")


def _actor(request, role):
    return request.getfixturevalue(role)


# (from, to, roles allowed, roles refused); notes are given so only the role decides.
WORKERS = (["staff_a", "tracker_admin"], ["staff_b", "supervisor"])
REVIEWERS = (["supervisor", "tracker_admin"], ["staff_a", "staff_b"])
MATRIX = [
    (S.NOT_STARTED, S.IN_PROGRESS, *WORKERS),
    (S.RETURNED, S.IN_PROGRESS, *WORKERS),
    (S.IN_PROGRESS, S.SUBMITTED, *WORKERS),
    (S.RETURNED, S.SUBMITTED, *WORKERS),
    (S.SUBMITTED, S.DONE, *REVIEWERS),
    (S.SUBMITTED, S.RETURNED, *REVIEWERS),
    (S.DONE, S.IN_PROGRESS, *REVIEWERS),
    # 单位审核: the department's heads (none here) and the admins.
    (S.SIGNOFF, S.SUBMITTED, ["tracker_admin"], ["staff_a", "staff_b", "supervisor"]),
    (S.SIGNOFF, S.RETURNED, ["tracker_admin"], ["staff_a", "staff_b", "supervisor"]),
]
# Submitting for the head's sign-off is in the table but only for a department
# that requires it (tests/test_signoff_service.py).
SIGNOFF_ONLY = {
    pair for pair, each in permissions.TRANSITIONS.items() if each.signoff is True
}
RATED = {S.DONE: Obligation.Rating.GOOD}
ALLOWED = [(f, t, role) for f, t, ok, _no in MATRIX for role in ok]
REFUSED = [(f, t, role) for f, t, _ok, no in MATRIX for role in no]


@pytest.mark.parametrize(("from_status", "to_status", "role"), ALLOWED)
def test_allowed_transition_changes_status_and_writes_timeline_and_history(
    request, obligation, staff_a, from_status, to_status, role
):
    user = _actor(request, role)
    upload(obligation, staff_a)
    set_status(obligation, from_status)
    before = obligation.version

    # Approving rates the result; no other transition takes a rating.
    rating = RATED.get(to_status, "")

    result = obligation_transition(
        obligation=obligation,
        user=user,
        to_status=to_status,
        note="说明",
        rating=rating,
    )

    obligation.refresh_from_db()
    assert obligation.status == to_status == result.status
    assert obligation.version == before + 1
    update = obligation.updates.get(action=ProgressUpdate.Action.STATUS)
    assert (update.author, update.from_status, update.to_status) == (
        user,
        from_status,
        to_status,
    )
    assert update.text == ("说明\n考评结果：良好" if rating else "说明")
    latest = obligation.history.latest()
    assert latest.history_user == user
    assert latest.status == to_status


def test_history_reason_is_in_the_record_language_whatever_the_user_reads(
    obligation, staff_a
):
    # This module runs in English (the "english" fixture), as a user's browser may.
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    assert obligation.history.latest().history_change_reason == "开始推进"


@pytest.mark.parametrize(("from_status", "to_status", "role"), REFUSED)
def test_refused_role_gets_permission_denied_and_nothing_changes(
    request, obligation, staff_a, from_status, to_status, role
):
    user = _actor(request, role)
    upload(obligation, staff_a)
    set_status(obligation, from_status)
    history_before = obligation.history.count()

    with pytest.raises(PermissionDenied):
        obligation_transition(
            obligation=obligation, user=user, to_status=to_status, note="说明"
        )

    obligation.refresh_from_db()
    assert obligation.status == from_status
    assert not obligation.updates.filter(action=ProgressUpdate.Action.STATUS).exists()
    assert obligation.history.count() == history_before


UNLISTED = [
    (f, t)
    for f in S.values
    for t in S.values
    if (f, t) not in {(m[0], m[1]) for m in MATRIX} and (f, t) not in SIGNOFF_ONLY
]


@pytest.mark.parametrize(("from_status", "to_status"), UNLISTED)
def test_transition_not_in_table_is_refused_with_a_message(
    obligation, staff_a, tracker_admin, from_status, to_status
):
    upload(obligation, staff_a)
    set_status(obligation, from_status)

    with pytest.raises(ServiceError, match="cannot be moved"):
        obligation_transition(
            obligation=obligation, user=tracker_admin, to_status=to_status, note="x"
        )

    obligation.refresh_from_db()
    assert obligation.status == from_status
    assert not obligation.updates.filter(action=ProgressUpdate.Action.STATUS).exists()


def test_other_department_staff_get_permission_denied_even_for_unlisted_move(
    obligation, staff_b
):
    with pytest.raises(PermissionDenied):
        obligation_transition(obligation=obligation, user=staff_b, to_status=S.DONE)


def test_unknown_status_is_refused(obligation, staff_a):
    with pytest.raises(ServiceError, match="Unknown status"):
        obligation_transition(obligation=obligation, user=staff_a, to_status="closed")


def test_submit_without_evidence_is_refused(obligation, staff_a):
    set_status(obligation, S.IN_PROGRESS)

    with pytest.raises(ServiceError, match="at least one piece of evidence"):
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="完成"
        )

    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_submit_with_only_withdrawn_evidence_is_refused(obligation, staff_a):
    upload(obligation, staff_a)
    evidence_withdraw(
        evidence=Evidence.objects.get(obligation=obligation), user=staff_a, reason="错"
    )
    set_status(obligation, S.IN_PROGRESS)

    with pytest.raises(ServiceError, match="at least one piece of evidence"):
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="完成"
        )


def test_submit_without_note_is_refused(obligation, staff_a):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)

    with pytest.raises(ServiceError, match="Describe what was done"):
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="   "
        )

    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(S.SUBMITTED, S.RETURNED), (S.DONE, S.IN_PROGRESS)],
)
def test_return_and_reopen_without_reason_are_refused(
    obligation, supervisor, from_status, to_status
):
    set_status(obligation, from_status)

    with pytest.raises(ServiceError, match="reason is required"):
        obligation_transition(
            obligation=obligation, user=supervisor, to_status=to_status, note=""
        )

    obligation.refresh_from_db()
    assert obligation.status == from_status
    assert obligation.updates.count() == 0


def test_approve_needs_no_note(obligation, supervisor):
    set_status(obligation, S.SUBMITTED)

    obligation_transition(
        obligation=obligation,
        user=supervisor,
        to_status=S.DONE,
        rating=Obligation.Rating.EXCELLENT,
    )

    obligation.refresh_from_db()
    assert obligation.status == S.DONE


def test_transition_sets_status_changed_at(obligation, staff_a):
    assert obligation.status_changed_at is None
    before = timezone.now()

    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    obligation.refresh_from_db()
    assert obligation.status_changed_at >= before


def test_owner_outside_the_department_may_start(obligation, staff_b):
    Obligation.objects.filter(pk=obligation.pk).update(owner=staff_b)
    obligation.refresh_from_db()

    obligation_transition(obligation=obligation, user=staff_b, to_status=S.IN_PROGRESS)

    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_full_cycle_leaves_one_timeline_entry_per_step_with_right_authors(
    obligation, staff_a, supervisor
):
    steps = [
        (staff_a, S.IN_PROGRESS, ""),
        (staff_a, S.SUBMITTED, "已完成"),
        (supervisor, S.RETURNED, "材料不全"),
        (staff_a, S.IN_PROGRESS, ""),
        (staff_a, S.SUBMITTED, "已补充"),
        (supervisor, S.DONE, ""),
    ]
    upload(obligation, staff_a)
    for user, to_status, note in steps:
        obligation_transition(
            obligation=obligation,
            user=user,
            to_status=to_status,
            note=note,
            rating=RATED.get(to_status, ""),
        )

    entries = obligation.updates.filter(action=ProgressUpdate.Action.STATUS).order_by(
        "created_at", "pk"
    )
    assert [(e.author, e.to_status) for e in entries] == [(u, t) for u, t, _n in steps]
    users = [h.history_user for h in obligation.history.order_by("history_id")][-6:]
    assert users == [u for u, _t, _n in steps]


def test_returned_work_is_resubmitted_in_one_step_after_a_new_note(
    obligation, staff_a, supervisor
):
    submit_and_return(obligation, staff_a, supervisor)
    obligation_add_note(obligation=obligation, user=staff_a, text="已补充会议纪要")

    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已按意见修改"
    )

    obligation.refresh_from_db()
    assert obligation.status == S.SUBMITTED
    latest = obligation.updates.filter(action=ProgressUpdate.Action.STATUS).first()
    assert (latest.from_status, latest.to_status) == (S.RETURNED, S.SUBMITTED)


def test_returned_work_is_resubmitted_in_one_step_after_new_evidence(
    obligation, staff_a, supervisor
):
    submit_and_return(obligation, staff_a, supervisor)
    upload(obligation, staff_a, name="补充材料.pdf")

    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已补充"
    )

    obligation.refresh_from_db()
    assert obligation.status == S.SUBMITTED


def test_resubmitting_without_anything_new_since_the_return_is_refused(
    obligation, staff_a, supervisor
):
    submit_and_return(obligation, staff_a, supervisor)
    version = Obligation.objects.get(pk=obligation.pk).version

    with pytest.raises(ServiceError, match="about the rework before resubmitting"):
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="再提交"
        )

    obligation.refresh_from_db()
    assert (obligation.status, obligation.version) == (S.RETURNED, version)


def test_who_starts_an_unowned_obligation_becomes_its_owner(obligation, staff_a):
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    obligation.refresh_from_db()
    assert obligation.owner == staff_a
    entry = obligation.updates.get(action=ProgressUpdate.Action.ASSIGN)
    assert entry.author == staff_a
    assert entry.text.startswith("责任人: — → 张三")
    assert obligation.history.latest().owner_id == staff_a.pk


def test_starting_an_owned_obligation_keeps_its_owner(obligation, staff_a):
    colleague = UserFactory(username="colleague", groups=["staff"])
    obligation.department.members.add(colleague)
    Obligation.objects.filter(pk=obligation.pk).update(owner=colleague)

    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    obligation.refresh_from_db()
    assert obligation.owner == colleague
    assert not obligation.updates.filter(action=ProgressUpdate.Action.ASSIGN).exists()


def test_an_admin_starting_unowned_work_does_not_become_its_owner(
    obligation, tracker_admin
):
    obligation_transition(
        obligation=obligation, user=tracker_admin, to_status=S.IN_PROGRESS
    )

    obligation.refresh_from_db()
    assert obligation.owner is None
