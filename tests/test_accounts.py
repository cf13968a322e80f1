"""Accounts: users change their own password; administrators set a temporary one
(changed before anything else) or email a reset link; the login page and the
admin name the system."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode

from tests.factories import ReportFactory
from tests.pages import parse
from tracker.models import AccountProfile, OutboundMessage

NEW_PASSWORD = "Qingdan-2026-xin"
TEMPORARY = "Linshi-mima-0001"


def _change_password(client, old_password):
    return client.post(
        reverse("tracker:password_change"),
        {
            "old_password": old_password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )


def _set_temporary_password(admin_client, user):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": TEMPORARY, "password2": TEMPORARY, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]


@pytest.fixture
def admin_client_zh(client, tracker_admin):
    client.force_login(tracker_admin)
    return client


def test_user_changes_their_own_password(client, staff_a):
    staff_a.set_password("Old-password-123")
    staff_a.save()
    client.force_login(staff_a)

    response = _change_password(client, "Old-password-123")

    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:password_change_done")
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)
    # Still signed in after the change.
    assert client.get(reverse("tracker:dashboard")).status_code == 200


def test_header_links_to_the_password_change_page(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("tracker:dashboard")).content.decode()
    assert f'href="{reverse("tracker:password_change")}"' in page
    assert "修改密码" in page


def test_wrong_old_password_is_refused_on_the_page(client, staff_a):
    client.force_login(staff_a)
    response = _change_password(client, "not-it")
    assert response.status_code == 200
    assert "旧密码" in response.content.decode()


def test_admin_set_password_is_temporary(admin_client_zh, staff_a):
    _set_temporary_password(admin_client_zh, staff_a)
    staff_a.refresh_from_db()
    assert staff_a.check_password(TEMPORARY)
    assert AccountProfile.objects.get(user=staff_a).must_change_password


def _log_in(client, username, password):
    response = client.post(
        reverse("login"), {"username": username, "password": password}
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def temporary_user(client, tracker_admin, staff_a):
    admin = type(client)()
    admin.force_login(tracker_admin)
    _set_temporary_password(admin, staff_a)
    return staff_a


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/obligations/",
        "/my/",
        "/departments/",
        "/notifications/",
        "/obligations/?_export=csv",
        "/accounts/password_change/done/",
        "/admin/",
        "/no-such-page/",
    ],
)
def test_temporary_password_sends_every_page_to_the_change_page(
    client, temporary_user, url
):
    _log_in(client, "staff_a", TEMPORARY)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:password_change")


def test_temporary_password_also_blocks_posts(client, temporary_user, obligation):
    _log_in(client, "staff_a", TEMPORARY)
    response = client.post(
        reverse("tracker:obligation_add_note", args=[obligation.pk]),
        {"text": "进展", "version": obligation.version},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:password_change")
    assert not obligation.updates.exists()


def test_temporary_password_change_page_and_logout_stay_open(client, temporary_user):
    response = _log_in(client, "staff_a", TEMPORARY)
    assert client.get(response["Location"]).status_code == 302
    page = client.get(reverse("tracker:password_change"))
    assert page.status_code == 200
    assert "临时密码" in page.content.decode()
    assert client.post(reverse("logout")).status_code == 302


def test_choosing_a_password_ends_the_redirects(client, temporary_user):
    _log_in(client, "staff_a", TEMPORARY)
    response = _change_password(client, TEMPORARY)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert not AccountProfile.objects.get(user=temporary_user).must_change_password
    # And at the next login too.
    client.post(reverse("logout"))
    _log_in(client, "staff_a", NEW_PASSWORD)
    assert client.get("/").status_code == 200


def test_reset_action_is_hidden_without_email(admin_client_zh, settings):
    settings.EMAIL_ENABLED = False
    page = admin_client_zh.get(reverse("admin:auth_user_changelist"))
    assert "send_password_reset" not in page.content.decode()


def test_admin_emails_a_reset_link_that_sets_the_users_own_password(
    admin_client_zh, settings, staff_a, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff_a.email = "zhangsan@county.gov.cn"
    staff_a.save()
    AccountProfile.objects.create(user=staff_a, must_change_password=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_zh.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [staff_a.pk]},
        )

    assert response.status_code == 302
    # Through the outbox like every other mail: recorded, then sent after commit.
    (row,) = OutboundMessage.objects.filter(recipient=staff_a)
    assert row.state == OutboundMessage.State.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@county.gov.cn"]
    assert "法治清单" in message.subject
    link = re.search(r"http\S+/accounts/reset/\S+/", message.body).group(0)
    path = link.removeprefix(settings.SITE_URL)

    anonymous = type(admin_client_zh)()
    form_page = anonymous.get(path, follow=True)
    assert form_page.status_code == 200
    response = anonymous.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(NEW_PASSWORD)
    assert not AccountProfile.objects.get(user=staff_a).must_change_password


def test_reset_link_refused_by_the_mail_server_stays_in_the_outbox_for_a_retry(
    admin_client_zh, settings, staff_a, django_capture_on_commit_callbacks
):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    staff_a.email = "zhangsan@county.gov.cn"
    staff_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_zh.post(
            reverse("admin:auth_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [staff_a.pk]},
            follow=True,
        )

    assert response.status_code == 200
    (row,) = OutboundMessage.objects.filter(recipient=staff_a)
    assert row.state == OutboundMessage.State.PENDING
    assert row.last_error
    assert "/accounts/reset/" in row.body


def test_reset_to_a_user_without_email_is_reported(admin_client_zh, settings, staff_a):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = admin_client_zh.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [staff_a.pk]},
        follow=True,
    )
    assert mail.outbox == []
    assert not OutboundMessage.objects.exists()
    assert "没有电子邮件地址" in response.content.decode()


def test_login_page_names_the_system_and_the_reports_organization(client, db):
    ReportFactory(organization="巫溪县", year=2022)
    page = client.get(reverse("login")).content.decode()
    assert "法治清单" in page
    assert "巫溪县" in page


def test_login_page_names_the_configured_organization(client, db, settings):
    settings.ORGANIZATION_NAME = "巫溪县人民政府"
    page = client.get(reverse("login")).content.decode()
    assert "巫溪县人民政府" in page


def test_admin_header_says_fazhi_qingdan_guanli(admin_client_zh):
    page = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "法治清单 管理" in parse(page).xpath("string(//div[@id='site-name'])")
    assert "<title>" in page and "法治清单 管理" in page.split("</title>")[0]


def test_axes_models_are_in_chinese_in_the_admin(admin_client_zh):
    page = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "访问尝试" in page
    assert "access attempts" not in page.lower()


def test_the_forced_change_refuses_the_temporary_password_itself(
    client, temporary_user
):
    _log_in(client, "staff_a", TEMPORARY)
    response = client.post(
        reverse("tracker:password_change"),
        {
            "old_password": TEMPORARY,
            "new_password1": TEMPORARY,
            "new_password2": TEMPORARY,
        },
    )
    assert response.status_code == 200
    assert "这是当前使用的密码，请设置一个新密码。" in response.content.decode()
    assert AccountProfile.objects.get(user=temporary_user).must_change_password
    assert client.get("/")["Location"] == reverse("tracker:password_change")


def test_a_reset_link_refuses_the_current_password_too(client, staff_a):
    staff_a.set_password(TEMPORARY)
    staff_a.save()
    uid = urlsafe_base64_encode(str(staff_a.pk).encode())
    token = default_token_generator.make_token(staff_a)
    start = client.get(reverse("password_reset_confirm", args=[uid, token]))
    response = client.post(
        start["Location"], {"new_password1": TEMPORARY, "new_password2": TEMPORARY}
    )
    assert response.status_code == 200
    assert "这是当前使用的密码" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab-3", "密码太短，至少需要 10 个字符。"),
        ("1234567890123", "密码只包含数字。"),
        ("password123", "这个密码太常见了。"),
        ("staff_a_1234", "密码跟 用户名 太相似了。"),
    ],
)
def test_password_rules_are_explained_in_chinese(client, staff_a, password, message):
    staff_a.set_password("Old-password-123")
    staff_a.save()
    client.force_login(staff_a)
    response = client.post(
        reverse("tracker:password_change"),
        {
            "old_password": "Old-password-123",
            "new_password1": password,
            "new_password2": password,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "This password" not in page
