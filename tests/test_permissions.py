"""tracker.permissions: the helpers behind the permission matrix of issue 3."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.http import Http404
from django.test import RequestFactory

from tests.factories import UserFactory
from tests.workflow_helpers import upload
from tracker import permissions
from tracker.models import Obligation

S = Obligation.Status


@pytest.fixture
def evidence(obligation, staff_a):
    return upload(obligation, staff_a)


@pytest.fixture
def staff_admin(db):
    """A Django staff user made admin by the model permission, not superuser."""
    user = UserFactory(username="clerk_admin", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_obligation"))
    return user


def _sees(user, obligation):
    # What every page reads through: ObligationQuerySet.visible_to.
    return Obligation.objects.visible_to(user).filter(pk=obligation.pk).exists()


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


# role -> (view, work on, review, download)
MATRIX = {
    "staff_a": (True, True, False, True),
    "staff_b": (True, False, False, False),
    "supervisor": (True, False, True, True),
    "tracker_admin": (True, True, True, True),
    "staff_admin": (True, True, True, True),
}


@pytest.mark.parametrize("role", MATRIX)
def test_matrix_cells_per_role(request, obligation, evidence, role):
    user = request.getfixturevalue(role)
    expected = MATRIX[role]

    assert (
        _sees(user, obligation),
        permissions.can_work_on(user, obligation),
        permissions.can_review(user),
        permissions.can_download(user, evidence),
    ) == expected
    assert permissions.can_assign(user) == expected[2]


def test_owner_outside_the_department_may_work_on_it(obligation, staff_b):
    obligation.owner = staff_b

    assert permissions.can_work_on(staff_b, obligation)


def test_obligation_without_department_is_only_for_admins_to_work_on(
    obligation, staff_a, tracker_admin
):
    obligation.department = None

    assert not permissions.can_work_on(staff_a, obligation)
    assert permissions.can_work_on(tracker_admin, obligation)


def test_django_staff_without_the_model_permission_is_not_admin(db):
    user = UserFactory(username="plain_staff", is_staff=True)

    assert not permissions.is_admin(user)
    assert not permissions.can_review(user)


def test_inactive_superuser_may_do_nothing(db):
    user = UserFactory(username="gone", is_superuser=True, is_active=False)

    assert not permissions.is_admin(user)


def test_anonymous_may_do_nothing(obligation, evidence):
    anonymous = AnonymousUser()

    assert not _sees(anonymous, obligation)
    assert not permissions.can_work_on(anonymous, obligation)
    assert not permissions.can_review(anonymous)
    assert not permissions.can_download(anonymous, evidence)


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        (S.NOT_STARTED, "staff_a", [S.IN_PROGRESS]),
        (S.NOT_STARTED, "supervisor", []),
        (S.NOT_STARTED, "staff_b", []),
        (S.RETURNED, "staff_a", [S.IN_PROGRESS, S.SUBMITTED]),
        (S.IN_PROGRESS, "staff_a", [S.SUBMITTED]),
        (S.IN_PROGRESS, "supervisor", []),
        (S.SUBMITTED, "staff_a", []),
        (S.SUBMITTED, "supervisor", [S.DONE, S.RETURNED]),
        (S.SUBMITTED, "tracker_admin", [S.DONE, S.RETURNED]),
        (S.DONE, "supervisor", [S.IN_PROGRESS]),
        (S.DONE, "staff_a", []),
    ],
)
def test_allowed_transitions_lists_only_the_moves_this_user_may_make(
    request, obligation, status, role, expected
):
    obligation.status = status

    allowed = permissions.allowed_transitions(request.getfixturevalue(role), obligation)

    assert allowed == expected


def test_transition_choices_give_labels_and_whether_a_note_is_needed(
    obligation, supervisor
):
    obligation.status = S.SUBMITTED

    choices = permissions.transition_choices(supervisor, obligation)

    assert [(choice.value, choice.note_required) for choice in choices] == [
        (S.DONE, False),
        (S.RETURNED, True),
    ]


def test_every_signed_in_user_gets_the_obligation(obligation, staff_b):
    found = permissions.get_obligation_or_404(_request(staff_b), obligation.pk)

    assert found == obligation


def test_missing_obligation_is_404(db, staff_b):
    with pytest.raises(Http404):
        permissions.get_obligation_or_404(_request(staff_b), 999999)


def test_anonymous_gets_404_for_an_obligation(obligation):
    with pytest.raises(Http404):
        permissions.get_obligation_or_404(_request(AnonymousUser()), obligation.pk)


def test_other_staff_can_see_evidence_but_not_download_it(evidence, staff_b):
    found = permissions.get_evidence_or_404(_request(staff_b), evidence.pk)

    assert found == evidence
    assert not permissions.can_download(staff_b, found)


def test_missing_evidence_is_404(db, staff_a):
    with pytest.raises(Http404):
        permissions.get_evidence_or_404(_request(staff_a), 999999)
