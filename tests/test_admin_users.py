"""Users made in one screen in the admin: name, address, role and department(s)
on the add form, the initial password temporary; roles and permissions named in
the reader's language; a department's page lists its members with a button to
add one."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import UserFactory
from tests.pages import parse, text
from tracker.models import AccountProfile

User = get_user_model()
ADD = reverse("admin:auth_user_add")
PASSWORD = "Linshi-2026-mima"


def _new_user(client, **fields):
    data = {
        "username": "lisi",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "李四",
        "email": "lisi@example.cn",
        "role": "staff",
        **fields,
    }
    return client.post(ADD, data)


def test_one_form_makes_a_staff_member_of_two_departments(
    tracker_admin_client, department_a, department_b
):
    response = _new_user(
        tracker_admin_client, departments=[department_a.pk, department_b.pk]
    )
    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert (user.first_name, user.email) == ("李四", "lisi@example.cn")
    assert list(user.groups.values_list("name", flat=True)) == ["staff"]
    assert set(user.departments.all()) == {department_a, department_b}
    assert not user.is_staff


def test_the_password_typed_when_creating_a_user_is_temporary(
    tracker_admin_client, client, department_a
):
    _new_user(tracker_admin_client, departments=[department_a.pk])
    assert AccountProfile.objects.get(user__username="lisi").must_change_password
    tracker_admin_client.logout()
    client.post(reverse("login"), {"username": "lisi", "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tracker:password_change"))


def test_a_supervisor_is_made_with_the_supervisor_role(tracker_admin_client, db):
    _new_user(tracker_admin_client, role="supervisor")
    user = User.objects.get(username="lisi")
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]


def test_a_superuser_may_make_an_administrator(tracker_admin_client, db):
    _new_user(tracker_admin_client, role="admin")
    user = User.objects.get(username="lisi")
    assert user.is_staff and user.is_superuser


def test_an_admin_who_is_not_a_superuser_cannot_make_an_administrator(client, db):
    delegate = UserFactory(username="delegate", is_staff=True)
    delegate.user_permissions.add(
        *Permission.objects.filter(
            codename__in=("change_obligation", "add_user", "change_user", "view_user")
        )
    )
    client.force_login(delegate)
    response = _new_user(client, role="admin")
    assert response.status_code == 200  # the form again, with the error
    assert not User.objects.filter(username="lisi").exists()
    roles = parse(client.get(ADD)).xpath("//select[@name='role']/option/@value")
    assert "admin" not in roles


def test_a_head_is_staff_and_heads_the_chosen_departments(
    tracker_admin_client, client, department_a, department_b
):
    response = _new_user(
        tracker_admin_client, role="head", departments=[department_a.pk]
    )
    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert list(user.groups.values_list("name", flat=True)) == ["staff"]
    assert list(user.departments.all()) == [department_a]
    assert list(user.headed_departments.all()) == [department_a]
    assert AccountProfile.objects.get(user=user).must_change_password


def test_a_head_without_a_department_is_refused_and_nobody_is_made(
    tracker_admin_client, department_a
):
    response = _new_user(tracker_admin_client, role="head")
    assert response.status_code == 200
    assert "Choose the departments this head is responsible for." in (
        response.content.decode()
    )
    assert not User.objects.filter(username="lisi").exists()


def test_a_leader_is_made_in_the_leader_group(tracker_admin_client, db):
    response = _new_user(tracker_admin_client, role="leader")
    assert response.status_code == 302
    user = User.objects.get(username="lisi")
    assert list(user.groups.values_list("name", flat=True)) == ["leader"]
    assert not user.is_staff


def test_a_role_is_required(tracker_admin_client, db):
    response = _new_user(tracker_admin_client, role="")
    assert response.status_code == 200
    assert not User.objects.filter(username="lisi").exists()


def test_the_add_form_is_in_chinese_with_roles_and_departments(
    client, tracker_admin, department_a
):
    client.force_login(tracker_admin)
    page = parse(client.get(ADD))
    roles = [text(o) for o in page.xpath("//select[@name='role']/option")][1:]
    assert roles == ["经办人员", "单位负责人", "督查人员", "领导", "管理员"]
    labels = [text(label) for label in page.xpath("//label")]
    assert any(label.startswith("角色") for label in labels)
    assert department_a.name in text(page.xpath("//*[@id='id_departments']")[0])
    assert "临时密码" in client.get(ADD).content.decode()


def test_a_department_link_presets_the_department(tracker_admin_client, department_a):
    page = parse(tracker_admin_client.get(f"{ADD}?departments={department_a.pk}"))
    (box,) = page.xpath(f"//input[@name='departments'][@value='{department_a.pk}']")
    assert box.get("checked") is not None


def test_group_and_permission_names_are_chinese(client, tracker_admin):
    client.force_login(tracker_admin)
    group = Group.objects.get(name="staff")
    changelist = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "经办人员" in changelist and "督查人员" in changelist
    page = parse(client.get(reverse("admin:auth_group_change", args=[group.pk])))
    options = [text(o) for o in page.xpath("//select[@name='permissions']/option")]
    assert "tracker | 可以修改 事项" in options
    assert not [o for o in options if "Can change" in o]


def test_the_department_page_lists_its_members_with_a_button_to_add_one(
    tracker_admin_client, department_a, staff_a
):
    url = reverse("admin:tracker_department_change", args=[department_a.pk])
    page = parse(tracker_admin_client.get(url))
    (members,) = page.xpath("//ul[@class='member-list']")
    assert "张三" in text(members) and "Staff" in text(members)
    (button,) = page.xpath("//a[@class='addlink'][contains(@href, 'departments=')]")
    assert button.get("href") == f"{ADD}?departments={department_a.pk}"


@pytest.mark.parametrize("field", ["first_name"])
def test_control_characters_are_cleaned_from_the_new_users_name(
    tracker_admin_client, db, field
):
    _new_user(tracker_admin_client, **{field: "李\x00四"})
    assert User.objects.get(username="lisi").first_name == "李四"
