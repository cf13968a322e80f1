"""Optimistic locking: a write based on a stale version is refused and loses nothing."""

import datetime

import pytest

from tests.factories import ObligationFactory
from tests.workflow_helpers import simultaneously
from tracker.models import Obligation, ProgressUpdate
from tracker.services.common import StaleVersionError
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_assign, obligation_transition

S = Obligation.Status


pytestmark = pytest.mark.usefixtures("english")


def test_stale_version_is_refused_and_the_other_change_survives(
    obligation, staff_a, supervisor
):
    seen = obligation.version
    obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="进度滞后",
    )

    with pytest.raises(StaleVersionError) as refused:
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS, version=seen
        )

    current = Obligation.objects.get(pk=obligation.pk)
    assert current.status == S.NOT_STARTED
    assert current.supervision_level == Obligation.SupervisionLevel.RED
    assert current.version == seen + 1
    assert refused.value.obligation.version == seen + 1
    ((author, _when, text),) = refused.value.changes
    assert author == supervisor
    assert "红色督办" in text
    assert "王督查" in str(refused.value)
    assert not obligation.updates.filter(action=ProgressUpdate.Action.STATUS).exists()


def test_matching_version_is_accepted_and_bumped(obligation, staff_a):
    seen = obligation.version

    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS, version=seen
    )

    obligation.refresh_from_db()
    assert obligation.version == seen + 1


def test_version_given_as_text_from_a_form_is_compared_as_number(obligation, staff_a):
    obligation_transition(
        obligation=obligation,
        user=staff_a,
        to_status=S.IN_PROGRESS,
        version=str(obligation.version),
    )

    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_stale_assign_lists_every_change_since_with_its_author(
    obligation, supervisor, tracker_admin, staff_a, department_b
):
    seen = obligation.version
    obligation_transition(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=staff_a,
        to_status=S.IN_PROGRESS,
    )
    obligation_assign(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=tracker_admin,
        due_date=datetime.date(2030, 6, 30),
    )

    with pytest.raises(StaleVersionError) as refused:
        obligation_assign(
            obligation=obligation,
            user=supervisor,
            department=department_b,
            version=seen,
        )

    # staff_a took the unowned obligation on when starting it: two entries.
    assert [author for author, _w, _t in refused.value.changes] == [
        staff_a,
        staff_a,
        tracker_admin,
    ]
    current = Obligation.objects.get(pk=obligation.pk)
    assert current.department.name == "县司法局"
    assert current.owner == staff_a


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_writers_with_the_same_version_one_wins(
    supervisor, tracker_admin, department_a, department_b
):
    """Two connections race on the same row: exactly one write lands, the other is
    told its version is stale, and the history has exactly one new row."""
    obligation = ObligationFactory(department=department_a)
    seen = obligation.version

    def write(loaded):
        mine, user, department = loaded
        obligation_assign(
            obligation=mine, user=user, department=department, version=seen
        )
        return "saved"

    outcomes = simultaneously(
        [(supervisor, department_b), (tracker_admin, None)],
        write,
        load=lambda writer: (Obligation.objects.get(pk=obligation.pk), *writer),
        refusals={StaleVersionError: "stale"},
    )

    assert sorted(outcomes) == ["saved", "stale"]
    current = Obligation.objects.get(pk=obligation.pk)
    assert current.version == seen + 1
    winner = supervisor if outcomes[0] == "saved" else tracker_admin
    assert current.history.latest().history_user == winner
    assert current.updates.get().author == winner
