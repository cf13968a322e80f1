"""A real worker process (``manage.py worker``) against real local servers: an
aiosmtpd mail server and a robot server (tests/robot_server.py). The web side of
each test only queues; everything that goes out is sent by the worker."""

import email
import email.policy
import time

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tests.notify_helpers import EVERY_EVENT, choose_email, free_port
from tests.robot_server import Robot
from tests.worker_helpers import DB_TASKS, Workers, wait_for
from tracker.models import OutboundMessage, WorkerHeartbeat

SECRET = "SEC9f8e7d6c5b4a39281706f5e4d3c2b1a0"

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(
            envelope.original_content, policy=email.policy.default
        )
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.stop()


@pytest.fixture
def web(settings, smtp):
    """This process as the web server: it queues tasks in the database."""
    settings.TASKS = DB_TASKS
    settings.EMAIL_ENABLED = True
    settings.SITE_URL = "https://fazhi.county.gov.cn"
    # The local robot stands in for the vendors' on loopback over plain http.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    return settings


@pytest.fixture
def start_worker(smtp):
    workers = Workers(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        SITE_URL="https://fazhi.county.gov.cn",
        WEBHOOK_TIMEOUT="2",
        WEBHOOK_ALLOW_HTTP="1",
        WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
    )
    yield workers.start
    workers.stop()


def escalate(client, obligation, note="进度滞后"):
    response = client.post(
        reverse("tracker:obligation_supervision", args=[obligation.pk]),
        {"version": obligation.version, "level": "yellow", "note": note},
    )
    assert response.status_code == 302


@pytest.fixture
def supervisor_client(client):
    client.force_login(UserFactory(username="sv", groups=["supervisor"]))
    return client


def test_the_worker_sends_the_mail_and_the_signed_robot_post_of_an_escalation(
    web, smtp, robot, start_worker, supervisor_client
):
    robot.require_signature(SECRET)
    department = DepartmentFactory(
        webhook_url=robot.url, webhook_kind="dingtalk", webhook_secret=SECRET
    )
    staff = UserFactory(username="zs", groups=["staff"])
    department.members.add(staff)
    choose_email(staff, EVERY_EVENT, "zhangsan@county.gov.cn")
    obligation = ObligationFactory(department=department)

    escalate(supervisor_client, obligation)
    assert robot.received == [] and smtp.messages == []  # the web only queued
    start_worker()

    wait_for(
        lambda: not OutboundMessage.objects.filter(state="pending").exists(),
        "sent the outbox",
    )
    mail, post = (
        OutboundMessage.objects.get(channel=channel) for channel in ("email", "webhook")
    )
    assert (mail.state, mail.address, mail.answer_code) == (
        "sent",
        "zhangsan@county.gov.cn",
        "250",
    )
    assert (post.state, post.answer_code) == ("sent", "0")
    [(recipients, _message)] = smtp.messages
    assert recipients == ["zhangsan@county.gov.cn"]
    [request] = robot.received
    assert {"timestamp", "sign"} <= set(request["query"])
    assert "进度滞后" in request["payload"]["text"]["content"]
    assert WorkerHeartbeat.objects.exists()


def test_a_trickling_robot_does_not_hold_up_other_departments_posts(
    web, start_worker, supervisor_client
):
    slow, fine = Robot(), Robot()
    try:
        slow.answer("trickle")
        first = ObligationFactory(department=DepartmentFactory(webhook_url=slow.url))
        second = ObligationFactory(department=DepartmentFactory(webhook_url=fine.url))
        escalate(supervisor_client, first)
        escalate(supervisor_client, second)
        start_worker()

        wait_for(lambda: len(fine.received) == 1, "posted to the second robot")
        wait_for(
            lambda: (
                "timed out"
                in OutboundMessage.objects.get(department=first.department).last_error
            ),
            "gave up on the trickling robot",
        )
        stuck = OutboundMessage.objects.get(department=first.department)
        assert stuck.state == "pending"
        assert stuck.next_try_at is not None  # retried in half a minute
    finally:
        slow.stop()
        fine.stop()


def test_posts_beyond_the_rate_wait_for_the_window_across_the_workers(
    web, robot, start_worker, supervisor_client
):
    department = DepartmentFactory(webhook_url=robot.url)
    obligations = ObligationFactory.create_batch(3, department=department)
    for obligation in obligations:
        escalate(supervisor_client, obligation)
    start_worker(WEBHOOK_RATE_PER_MINUTE="2")
    start_worker(WEBHOOK_RATE_PER_MINUTE="2")

    wait_for(
        lambda: OutboundMessage.objects.filter(next_try_at__isnull=False).exists(),
        "put the third post off",
    )
    time.sleep(1)  # a chance for a wrongly paced worker to post a third

    assert len(robot.received) == 2
    waiting = OutboundMessage.objects.get(state="pending")
    assert waiting.attempts == 0
