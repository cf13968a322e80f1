"""The inbox (/notifications/), the header's unread badge and the notification
settings page."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ObligationFactory
from tests.notify_helpers import DAILY_DIGEST, EVERY_EVENT, choose_email
from tracker.models import Notification, NotificationPreference
from tracker.views.inbox import NOTIFICATIONS_PER_PAGE

INBOX = reverse("tracker:notification_list")
PREFERENCES = reverse("tracker:notification_preferences")


def note(user, text="事项已分派", obligation=None, **fields):
    return Notification.objects.create(
        recipient=user, obligation=obligation, kind="assigned", text=text, **fields
    )


@pytest.fixture
def staff_client(client, staff_a):
    client.force_login(staff_a)
    return client


def test_inbox_lists_the_users_notifications_newest_first(
    staff_client, staff_a, staff_b
):
    note(staff_a, "第一条")
    note(staff_a, "第二条")
    note(staff_b, "别人的通知")

    html = staff_client.get(INBOX).content.decode()

    assert html.index("第二条") < html.index("第一条")
    assert "别人的通知" not in html


def test_empty_inbox_says_what_will_arrive_there(staff_client):
    html = staff_client.get(INBOX).content.decode()

    assert "暂无通知" in html
    assert "全部标为已读" not in html


def test_inbox_is_paginated(staff_client, staff_a):
    for n in range(NOTIFICATIONS_PER_PAGE + 3):
        note(staff_a, f"通知{n:03d}")

    first = staff_client.get(INBOX).content.decode()
    second = staff_client.get(INBOX, {"page": 2}).content.decode()

    assert first.count('<li class="notification') == NOTIFICATIONS_PER_PAGE
    assert second.count('<li class="notification') == 3
    assert "通知000" in second and "通知000" not in first


def test_header_shows_the_unread_count_on_every_page(staff_client, staff_a):
    note(staff_a)
    note(staff_a)
    note(staff_a, read_at="2026-01-01T00:00Z")

    response = staff_client.get(reverse("tracker:dashboard"))

    assert "2 条未读" in response.content.decode()


def test_header_shows_no_badge_without_unread_notifications(staff_client, staff_a):
    note(staff_a, read_at="2026-01-01T00:00Z")

    html = staff_client.get(reverse("tracker:my_work")).content.decode()

    assert 'id="unread-count"' not in html
    assert "通知" in html  # the link to the inbox is always there


def test_unread_badge_costs_one_query_whatever_the_number_of_notifications(
    staff_client, staff_a
):
    url = reverse("tracker:my_work")
    staff_client.get(url)
    with CaptureQueriesContext(connection) as none_yet:
        staff_client.get(url)
    for _ in range(30):
        note(staff_a)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(url)

    assert len(many) == len(none_yet)
    assert sum("tracker_notification" in q["sql"] for q in many) == 1


def test_header_reads_role_and_unread_count_in_one_query(client, staff_a):
    """A member of two groups: the join gives two rows, the badge still counts
    each unread notification once, and both roles' links are there."""
    staff_a.groups.add(Group.objects.get_or_create(name="supervisor")[0])
    note(staff_a)
    note(staff_a)
    client.force_login(staff_a)
    url = reverse("tracker:dashboard")
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()

    assert "2 条未读" in html
    assert reverse("tracker:notice_register") in html  # the supervisor's link
    header = [
        q
        for q in queries
        if "auth_group" in q["sql"] or "tracker_notification" in q["sql"]
    ]
    assert len(header) == 1


def test_admin_pages_without_the_header_do_not_read_the_badge(client, tracker_admin):
    client.force_login(tracker_admin)
    url = reverse("admin:tracker_obligation_changelist")
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    assert not [q for q in queries if "tracker_notification" in q["sql"]]


def test_opening_a_notification_marks_it_read_and_leads_to_the_obligation(
    staff_client, staff_a, obligation
):
    notification = note(staff_a, obligation=obligation)

    response = staff_client.get(
        reverse("tracker:notification_open", args=[notification.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == obligation.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_without_obligation_returns_to_the_inbox(
    staff_client, staff_a
):
    notification = note(staff_a)

    response = staff_client.get(
        reverse("tracker:notification_open", args=[notification.pk])
    )

    assert response["Location"] == INBOX


def test_someone_elses_notification_is_not_found(staff_client, staff_b):
    notification = note(staff_b)

    response = staff_client.get(
        reverse("tracker:notification_open", args=[notification.pk])
    )

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_clears_the_badge_and_only_touches_own_rows(
    staff_client, staff_a, staff_b
):
    note(staff_a)
    note(staff_a)
    other = note(staff_b)

    response = staff_client.post(reverse("tracker:notification_read_all"), follow=True)

    assert "所有通知已标为已读" in response.content.decode()
    assert 'id="unread-count"' not in response.content.decode()
    assert not Notification.objects.filter(recipient=staff_a).unread().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_refuses_a_get(staff_client):
    response = staff_client.get(reverse("tracker:notification_read_all"))

    assert response.status_code == 405


def test_notification_text_is_escaped(staff_client, staff_a):
    note(staff_a, "<script>alert(1)</script>")

    html = staff_client.get(INBOX).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unread_notifications_are_marked_new(staff_client, staff_a):
    note(staff_a, "未读的")

    html = staff_client.get(INBOX).content.decode()

    assert 'class="notification unread"' in html


# --- Preferences --------------------------------------------------------------------


@pytest.fixture
def email_on(settings):
    settings.EMAIL_ENABLED = True


def test_preferences_say_so_when_the_site_sends_no_email(
    staff_client, staff_a, settings
):
    settings.EMAIL_ENABLED = False
    choose_email(staff_a, EVERY_EVENT)

    html = staff_client.get(PREFERENCES).content.decode()

    assert "本站未配置邮件服务器" in html
    assert 'type="radio"' not in html


def test_preferences_say_so_when_the_user_has_no_email_address(
    staff_client, staff_a, email_on
):
    html = staff_client.get(PREFERENCES).content.decode()

    assert "您的账号没有电子邮箱" in html
    assert 'type="radio"' not in html


def test_the_default_choice_is_the_daily_digest(staff_client, staff_a, email_on):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save()

    html = staff_client.get(PREFERENCES).content.decode()

    [checked] = re.findall(r'value="(\w+)"[^>]*checked', html)
    assert checked == DAILY_DIGEST


def test_choosing_every_event_by_email_is_saved(staff_client, staff_a, email_on):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save()

    response = staff_client.post(PREFERENCES, {"email": EVERY_EVENT}, follow=True)

    assert "通知方式已保存" in response.content.decode()
    assert NotificationPreference.objects.get(user=staff_a).email == EVERY_EVENT


def test_an_unknown_choice_is_refused_with_the_page(staff_client, staff_a, email_on):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save()

    response = staff_client.post(PREFERENCES, {"email": "carrier-pigeon"})

    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=staff_a).exists()


def test_a_user_without_address_cannot_choose_email(staff_client, staff_a, email_on):
    response = staff_client.post(PREFERENCES, {"email": EVERY_EVENT})

    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=staff_a).exists()


def test_obligation_link_in_inbox_goes_through_the_open_view(staff_client, staff_a):
    notification = note(staff_a, obligation=ObligationFactory())

    html = staff_client.get(INBOX).content.decode()

    assert reverse("tracker:notification_open", args=[notification.pk]) in html


def test_the_badge_is_read_with_the_roles_and_counted_anew_after_a_post(rf, staff_a):
    from tracker import permissions
    from tracker.context_processors import navigation

    note(staff_a)
    get = rf.get("/")
    get.user = staff_a
    permissions.is_supervisor(staff_a)  # a view's check reads the roles first
    with CaptureQueriesContext(connection) as queries:
        assert navigation(get)["unread_notifications"]() == 1
    assert len(queries) == 0  # the count came with the roles

    note(staff_a)  # written while a POST is handled: its page counts anew
    post = rf.post("/")
    post.user = staff_a
    assert navigation(post)["unread_notifications"]() == 2
