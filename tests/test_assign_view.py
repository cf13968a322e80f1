"""POST /obligations/<pk>/assign/: department, owner and due date by a reviewer."""

import datetime

from django.urls import reverse

from tests.conftest import in_english
from tests.factories import DepartmentFactory
from tests.pages import errors, field, form, parse, text
from tests.workflow_helpers import assignment_trail
from tracker.models import Obligation, ProgressUpdate


def _url(obligation):
    return reverse("tracker:obligation_assign", args=[obligation.pk])


def test_assign_saves_and_writes_timeline_and_history_with_the_user(
    client, obligation, supervisor, department_b, staff_b
):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation),
        {
            "department": department_b.pk,
            "owner": staff_b.pk,
            "due_date": "2030-06-30",
            "note": "调整责任单位",
            "version": obligation.version,
        },
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.department == department_b
    assert obligation.owner == staff_b
    assert obligation.due_date == datetime.date(2030, 6, 30)
    assert assignment_trail(obligation) == ([supervisor] * 3, supervisor)
    entries = obligation.updates.filter(action=ProgressUpdate.Action.ASSIGN)
    assert any("2030-06-30" in entry.text for entry in entries)
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert "Assignment saved." in page


def test_impossible_due_date_is_400_with_the_error_on_the_field(
    client, obligation, supervisor
):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation), {"due_date": "2023-02-30", "version": obligation.version}
    )
    assert response.status_code == 400
    assert errors(response, "assign-due_date") == ["Enter a valid date."]
    obligation.refresh_from_db()
    assert obligation.due_date is None
    assert not obligation.updates.exists()


def test_posting_only_the_due_date_keeps_department_and_owner(
    client, obligation, supervisor, department_a, staff_a
):
    Obligation.objects.filter(pk=obligation.pk).update(owner=staff_a)
    client.force_login(supervisor)
    response = client.post(
        _url(obligation), {"due_date": "2030-01-31", "version": obligation.version}
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.department == department_a
    assert obligation.owner == staff_a
    assert obligation.due_date == datetime.date(2030, 1, 31)


def test_unknown_department_is_400(client, obligation, supervisor, department_a):
    client.force_login(supervisor)
    response = client.post(
        _url(obligation), {"department": 999999, "version": obligation.version}
    )
    assert response.status_code == 400
    assert errors(response, "assign-department")
    obligation.refresh_from_db()
    assert obligation.department == department_a


def test_same_values_change_nothing_and_say_so(
    client, obligation, supervisor, department_a
):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation),
        {
            "department": department_a.pk,
            "owner": "",
            "due_date": "",
            "version": obligation.version,
        },
    )
    assert response.status_code == 302
    assert (
        "Nothing was changed."
        in in_english(client).get(response["Location"]).content.decode()
    )
    assert not obligation.updates.exists()


def test_stale_version_is_409_and_keeps_the_other_change(
    client, obligation, supervisor, tracker_admin, department_b
):
    seen = obligation.version
    client.force_login(tracker_admin)
    client.post(_url(obligation), {"due_date": "2030-12-31", "version": seen})
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation),
        {"department": department_b.pk, "due_date": "2030-01-01", "version": seen},
    )
    assert response.status_code == 409
    assert "管理员" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.due_date == datetime.date(2030, 12, 31)
    assert obligation.department != department_b


def test_working_staff_may_not_assign(client, obligation, staff_a):
    client.force_login(staff_a)
    response = client.post(
        _url(obligation), {"due_date": "2030-01-01", "version": obligation.version}
    )
    assert response.status_code == 403
    obligation.refresh_from_db()
    assert obligation.due_date is None


def test_owner_outside_the_department_is_refused_with_400_and_nothing_written(
    client, obligation, supervisor, staff_b
):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation),
        {
            "department": obligation.department_id,
            "owner": staff_b.pk,
            "version": obligation.version,
        },
    )
    assert response.status_code == 400
    assert "李四 is not a member of 县司法局" in text(response)
    obligation.refresh_from_db()
    assert obligation.owner is None
    assert not obligation.updates.exists()


def test_admin_cannot_be_made_owner_unless_a_member(
    client, obligation, supervisor, tracker_admin
):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation), {"owner": tracker_admin.pk, "version": obligation.version}
    )
    assert response.status_code == 400
    obligation.refresh_from_db()
    assert obligation.owner is None


def test_owner_choice_is_grouped_by_department_and_says_when_one_has_no_members(
    client, obligation, supervisor, staff_a, staff_b
):
    DepartmentFactory(name="县档案馆")
    client.force_login(supervisor)
    response = in_english(client).get(obligation.get_absolute_url())
    page = parse(response)
    owner = field(form(response, _url(obligation)), "owner")
    groups = {
        group.get("label"): [text(option) for option in group.xpath("option")]
        for group in owner.xpath("optgroup")
    }
    assert groups["县司法局"] == ["张三 (staff_a)"]
    assert groups["县政务服务管理办公室"] == ["李四 (staff_b)"]
    (empty,) = owner.xpath("optgroup[@label='县档案馆']/option")
    assert empty.get("disabled") is not None
    assert "No members yet" in text(empty)
    # The script narrowing the choice to the chosen department is served from here.
    assert page.xpath("//script[contains(@src, 'tracker/owner-choice.js')]")
