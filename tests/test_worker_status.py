"""The queue as the administrators see it: the dashboard's warning when no worker
was seen for five minutes, and the outbox page with its counts, last heartbeat
and "retry now"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tracker.models import OutboundMessage, WorkerHeartbeat

WARNING = "邮件和群消息正在队列中等待"


def heartbeat(minutes_ago):
    seen = timezone.now() - timedelta(minutes=minutes_ago)
    return WorkerHeartbeat.objects.create(worker_id="w1", started_at=seen, seen_at=seen)


@pytest.fixture
def admin_client(client, tracker_admin):
    client.force_login(tracker_admin)
    return client


def test_the_dashboard_warns_the_admin_when_no_worker_ever_ran(admin_client):
    response = admin_client.get(reverse("tracker:dashboard"))

    assert WARNING in response.content.decode()


def test_the_dashboard_warns_the_admin_when_the_worker_was_silent_5_minutes(
    admin_client,
):
    heartbeat(minutes_ago=6)

    response = admin_client.get(reverse("tracker:dashboard"))

    assert WARNING in response.content.decode()


def test_the_dashboard_does_not_warn_while_a_worker_beats(admin_client):
    heartbeat(minutes_ago=1)

    response = admin_client.get(reverse("tracker:dashboard"))

    assert WARNING not in response.content.decode()


def test_the_dashboard_does_not_warn_supervisors_who_cannot_start_a_worker(
    client, supervisor
):
    client.force_login(supervisor)

    response = client.get(reverse("tracker:dashboard"))

    assert WARNING not in response.content.decode()


def test_the_outbox_page_shows_the_queue_and_the_last_heartbeat(
    admin_client, department_a
):
    beat = heartbeat(minutes_ago=1)
    OutboundMessage.objects.create(
        channel="webhook",
        department=department_a,
        body="x",
        state="failed",
        last_error="DeliveryError: the robot answered errcode 93000",
        answer_code="93000",
    )

    response = admin_client.get(reverse("admin:tracker_outboundmessage_changelist"))

    page = response.content.decode()
    assert "失败：1" in page
    assert timezone.localtime(beat.seen_at).strftime("%Y-%m-%d %H:%M:%S") in page
    assert "93000" in page


def test_retry_now_puts_a_failed_message_back_in_the_queue(admin_client):
    message = OutboundMessage.objects.create(
        channel="email",
        recipient=UserFactory(username="noemail", email=""),
        body="x",
        state="failed",
        attempts=OutboundMessage.MAX_ATTEMPTS,
    )

    response = admin_client.post(
        reverse("admin:tracker_outboundmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
        follow=True,
    )

    assert "1 条消息已重新排队。" in response.content.decode()
    message.refresh_from_db()
    # Immediate tasks in the tests: the worker's send ran, to a user without email.
    assert message.attempts == 1
    assert message.last_error == "DeliveryError: the recipient has no email address"
