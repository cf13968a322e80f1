"""What the administrator sets for the group robots: a department's robot kind and
its 钉钉 加签 secret (written, never shown back in full), and a person's mobile
number for @mentions."""

import pytest
from django.urls import reverse

from tracker.models import AccountProfile, Department

SECRET = "SECabcdef0123456789abcdef0123456789wxyz"


@pytest.fixture
def admin_client(client, tracker_admin):
    client.force_login(tracker_admin)
    return client


def department_form(department, **changes):
    return {
        "name": department.name,
        "short_name": department.short_name,
        "kind": department.kind,
        "is_active": "on",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "webhook_kind": "dingtalk",
        "webhook_secret": "",
        **changes,
    }


def change_url(department):
    return reverse("admin:tracker_department_change", args=[department.pk])


def test_the_admin_sets_a_dingtalk_robot_with_its_signing_secret(
    admin_client, department_a
):
    response = admin_client.post(
        change_url(department_a), department_form(department_a, webhook_secret=SECRET)
    )

    assert response.status_code == 302
    department_a.refresh_from_db()
    assert (department_a.webhook_kind, department_a.webhook_secret) == (
        "dingtalk",
        SECRET,
    )


def test_the_secret_is_never_shown_back_only_its_last_four_characters(
    admin_client, department_a
):
    Department.objects.filter(pk=department_a.pk).update(webhook_secret=SECRET)

    page = admin_client.get(change_url(department_a)).content.decode()

    assert SECRET not in page
    assert SECRET[:-4] not in page
    assert "…wxyz" in page


def test_saving_the_department_with_the_secret_field_empty_keeps_the_secret(
    admin_client, department_a
):
    Department.objects.filter(pk=department_a.pk).update(webhook_secret=SECRET)

    admin_client.post(change_url(department_a), department_form(department_a))

    department_a.refresh_from_db()
    assert department_a.webhook_secret == SECRET


def test_the_admin_removes_the_secret(admin_client, department_a):
    Department.objects.filter(pk=department_a.pk).update(webhook_secret=SECRET)

    admin_client.post(
        change_url(department_a),
        department_form(department_a, clear_webhook_secret="on"),
    )

    department_a.refresh_from_db()
    assert department_a.webhook_secret == ""


def test_the_admin_sets_a_persons_mobile_number_for_mentions(admin_client, staff_a):
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[staff_a.pk]),
        {
            "username": staff_a.username,
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
            "account_profile-TOTAL_FORMS": "1",
            "account_profile-INITIAL_FORMS": "0",
            "account_profile-0-mobile": "13800138000",
        },
    )

    assert response.status_code == 302
    assert AccountProfile.objects.get(user=staff_a).mobile == "13800138000"
