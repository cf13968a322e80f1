"""People and departments the record names are deactivated, never deleted: the admin
refuses their deletion (one at a time and in bulk) with a message and offers
deactivation; whoever the record never names can still be deleted."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tracker.forms import BulkAssignForm
from tracker.models import Department, Obligation
from tracker.services.common import ServiceError
from tracker.services.workflow import (
    obligation_add_note,
    obligation_assign,
    obligation_transition,
)

User = get_user_model()


def _user_url(view, *args):
    return reverse(f"admin:auth_user_{view}", args=args)


def _department_url(view, *args):
    return reverse(f"admin:tracker_department_{view}", args=args)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _delete(browser, url):
    """Confirm a deletion as the admin's confirmation page does."""
    return browser.post(url, {"post": "yes"}, follow=True)


def _bulk_delete(browser, changelist, objects):
    return browser.post(
        changelist,
        {
            "action": "delete_selected",
            "post": "yes",
            helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects],
        },
        follow=True,
    )


def test_user_with_timeline_entries_is_not_deleted(
    tracker_admin_client, obligation, staff_a
):
    obligation_add_note(obligation=obligation, user=staff_a, text="进展")

    response = _delete(tracker_admin_client, _user_url("delete", staff_a.pk))

    assert User.objects.filter(pk=staff_a.pk).exists()
    assert any(
        "staff_a" in m and "Deactivate instead" in m for m in _messages(response)
    )


def test_user_who_only_appears_in_the_history_is_not_deleted(
    tracker_admin_client, supervisor, obligation
):
    # A past owner: the assignment was undone, the history still names them.
    owner = UserFactory(username="former_owner")
    obligation.department.members.add(owner)
    obligation_assign(obligation=obligation, user=supervisor, owner=owner)
    obligation_assign(obligation=obligation, user=supervisor, owner=None)

    _delete(tracker_admin_client, _user_url("delete", owner.pk))

    assert User.objects.filter(pk=owner.pk).exists()


def test_author_of_a_history_row_is_not_deleted(
    tracker_admin_client, obligation, staff_a
):
    obligation_transition(obligation=obligation, user=staff_a, to_status="in_progress")
    # The timeline entry would protect them anyway; the history names them too.
    assert obligation.history.filter(history_user=staff_a).exists()

    _delete(tracker_admin_client, _user_url("delete", staff_a.pk))

    assert User.objects.filter(pk=staff_a.pk).exists()


def test_bulk_delete_of_users_is_refused_when_one_is_named_in_the_record(
    tracker_admin_client, obligation, staff_a
):
    obligation_add_note(obligation=obligation, user=staff_a, text="进展")
    unnamed = UserFactory(username="never_used")

    response = _bulk_delete(
        tracker_admin_client, _user_url("changelist"), [staff_a, unnamed]
    )

    assert User.objects.filter(pk__in=[staff_a.pk, unnamed.pk]).count() == 2
    assert any("staff_a" in m for m in _messages(response))


def test_user_the_record_never_names_can_be_deleted(tracker_admin_client):
    unnamed = UserFactory(username="never_used")

    _delete(tracker_admin_client, _user_url("delete", unnamed.pk))

    assert not User.objects.filter(pk=unnamed.pk).exists()


def test_change_page_of_a_named_user_offers_no_delete_link(
    tracker_admin_client, obligation, staff_a
):
    obligation_add_note(obligation=obligation, user=staff_a, text="进展")

    page = tracker_admin_client.get(_user_url("change", staff_a.pk)).content.decode()

    assert _user_url("delete", staff_a.pk) not in page
    assert 'name="is_active"' in page


def test_deactivate_action_keeps_the_user_and_their_record(
    tracker_admin_client, obligation, staff_a
):
    obligation_add_note(obligation=obligation, user=staff_a, text="进展")

    tracker_admin_client.post(
        _user_url("changelist"),
        {
            "action": "deactivate_selected",
            helpers.ACTION_CHECKBOX_NAME: [staff_a.pk],
        },
    )

    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert obligation.updates.get().author == staff_a


def test_department_with_obligations_is_not_deleted(tracker_admin_client, obligation):
    department = obligation.department

    response = _delete(tracker_admin_client, _department_url("delete", department.pk))

    assert Department.objects.filter(pk=department.pk).exists()
    assert any(department.name in m for m in _messages(response))


def test_department_named_only_in_the_history_is_not_deleted(
    tracker_admin_client, supervisor, obligation, department_b
):
    former = obligation.department
    obligation_assign(obligation=obligation, user=supervisor, department=department_b)

    _delete(tracker_admin_client, _department_url("delete", former.pk))
    _bulk_delete(tracker_admin_client, _department_url("changelist"), [former])

    assert Department.objects.filter(pk=former.pk).exists()


def test_department_never_assigned_can_be_deleted(tracker_admin_client):
    unused = DepartmentFactory(name="临时部门")

    _bulk_delete(tracker_admin_client, _department_url("changelist"), [unused])

    assert not Department.objects.filter(pk=unused.pk).exists()


def test_deactivated_department_is_not_offered_and_cannot_be_assigned(
    tracker_admin_client, supervisor, department_b
):
    obligation = ObligationFactory()
    tracker_admin_client.post(
        _department_url("changelist"),
        {
            "action": "deactivate_selected",
            helpers.ACTION_CHECKBOX_NAME: [department_b.pk],
        },
    )

    assert department_b not in BulkAssignForm().fields["department"].queryset
    with pytest.raises(ServiceError):
        obligation_assign(
            obligation=obligation, user=supervisor, department=department_b
        )
    assert Obligation.objects.get(pk=obligation.pk).department is None


def test_deactivated_user_cannot_be_made_responsible(supervisor, obligation):
    gone = UserFactory(username="gone", is_active=False)

    with pytest.raises(ServiceError):
        obligation_assign(obligation=obligation, user=supervisor, owner=gone)

    assert Obligation.objects.get(pk=obligation.pk).owner is None
