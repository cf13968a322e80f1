"""Group-chat robots (企业微信 / 钉钉): a department's events and digests are POSTed as
``{"msgtype": "text", "text": {"content": ...}}`` to a local HTTP server standing in
for the robot, including one that does not answer and one that is not there."""

import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.notify_helpers import free_port
from tests.workflow_helpers import return_for_rework, set_status, upload
from tracker.models import Department, Obligation, OutboundMessage
from tracker.notifications.digests import deliver_pending, send_department_digest
from tracker.notifications.robots import UNKNOWN_KIND_MAX_BYTES
from tracker.services.workflow import obligation_transition

S = Obligation.Status


class Robot(BaseHTTPRequestHandler):
    """Answers like the group robots; ``server.mode`` says how."""

    def do_POST(self):  # noqa: N802 - the name http.server calls
        length = int(self.headers["Content-Length"])
        payload = self.rfile.read(length)
        self.server.received.append((self.headers["Content-Type"], payload))
        if self.server.mode == "slow":
            time.sleep(3)
        answer = {"errcode": 0, "errmsg": "ok"}
        if self.server.mode == "bad key":
            answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        if self.server.mode == "talkative":
            answer = {"errcode": 40001, "errmsg": "bad\r\nkey", "secret": "s3cr3t"}
        status = 500 if self.server.mode == "broken" else 200
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:  # the client gave up waiting
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    server.daemon_threads = True
    server.mode = "ok"
    server.received = []
    server.url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=k"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    settings.WEBHOOK_TIMEOUT = 1
    # The local robot stands in for 企业微信 on loopback over plain http.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://fazhi.county.gov.cn"


def with_webhook(department, url):
    department.webhook_url = url
    department.save(update_fields=["webhook_url"])
    return department


def posted(robot):
    return [json.loads(payload) for _type, payload in robot.received]


def test_department_events_are_posted_to_its_group_chat_as_text(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    with_webhook(department_a, robot.url)

    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor, "请补充会议纪要")

    [message] = posted(robot)
    assert message["msgtype"] == "text"
    content = message["text"]["content"]
    assert content.startswith("【法治清单】已退回：王督查 退回了")
    assert "请补充会议纪要" in content
    assert f"https://fazhi.county.gov.cn/obligations/{obligation.pk}/" in content
    assert robot.received[0][0] == "application/json; charset=utf-8"
    assert OutboundMessage.objects.get().state == OutboundMessage.State.SENT


def test_events_for_supervisors_are_not_posted_to_the_department_chat(
    obligation,
    department_a,
    staff_a,
    supervisor,
    robot,
    django_capture_on_commit_callbacks,
):
    with_webhook(department_a, robot.url)
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        obligation_transition(
            obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已完成"
        )

    assert robot.received == []


def test_a_department_without_webhook_posts_nothing(
    obligation, supervisor, robot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor)

    assert robot.received == []
    assert OutboundMessage.objects.count() == 0


def test_a_robot_that_does_not_answer_is_a_logged_failure_within_the_timeout(
    obligation,
    department_a,
    supervisor,
    robot,
    caplog,
    django_capture_on_commit_callbacks,
):
    robot.mode = "slow"
    with_webhook(department_a, robot.url)

    with caplog.at_level(logging.WARNING, logger="tracker.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            return_for_rework(obligation, supervisor)

    # The robot answers after 3 s: a message still pending with a time-out error
    # means the 1 s timeout ended the wait, not the robot (no clock is read here).
    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert "timed out" in message.last_error
    assert "will retry" in caplog.text


def test_a_refused_connection_is_logged_and_retried_by_the_next_run(
    obligation,
    department_a,
    supervisor,
    robot,
    caplog,
    django_capture_on_commit_callbacks,
):
    with_webhook(department_a, f"http://127.0.0.1:{free_port()}/robot")

    with caplog.at_level(logging.WARNING, logger="tracker.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            return_for_rework(obligation, supervisor)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert "refused" in message.last_error.lower()
    assert "will retry" in caplog.text

    with_webhook(department_a, robot.url)  # the office fixed the address
    deliver_pending(now=timezone.now() + timedelta(days=1))

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.SENT
    assert len(posted(robot)) == 1


@pytest.mark.parametrize("mode", ["bad key", "broken"])
def test_a_robot_that_answers_with_an_error_is_a_failure(
    obligation,
    department_a,
    supervisor,
    robot,
    mode,
    django_capture_on_commit_callbacks,
):
    robot.mode = mode
    with_webhook(department_a, robot.url)

    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.last_error


def test_department_digest_is_posted_in_one_message(
    department_a, robot, django_capture_on_commit_callbacks
):
    with_webhook(department_a, robot.url)

    with django_capture_on_commit_callbacks(execute=True):
        send_department_digest(
            department_a,
            ["9.1 建立工作台账：超期 2 个工作日", "9.2 完善制度：今天到期"],
        )

    [message] = posted(robot)
    content = message["text"]["content"]
    assert content.splitlines()[0].startswith("【法治清单】")
    assert "每日汇总（司法局）" in content
    assert content.splitlines()[1:] == [
        "9.1 建立工作台账：超期 2 个工作日",
        "9.2 完善制度：今天到期",
    ]


def test_a_long_digest_is_cut_to_what_the_robot_accepts(
    department_a, robot, django_capture_on_commit_callbacks
):
    with_webhook(department_a, robot.url)

    with django_capture_on_commit_callbacks(execute=True):
        send_department_digest(department_a, ["超期事项" * 40] * 50)

    [message] = posted(robot)
    content = message["text"]["content"]
    assert len(content.encode()) <= UNKNOWN_KIND_MAX_BYTES
    assert content.endswith("…")


@pytest.mark.django_db(transaction=True)
def test_a_web_request_never_posts_to_the_robot_it_queues_the_post(
    client, robot, settings
):
    from django_tasks_db.models import DBTaskResult

    from tests.factories import DepartmentFactory, ObligationFactory, UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    department = DepartmentFactory(webhook_url=robot.url)
    obligation = ObligationFactory(department=department)
    supervisor = UserFactory(username="sv", groups=["supervisor"])
    client.force_login(supervisor)

    response = client.post(
        reverse("tracker:obligation_supervision", args=[obligation.pk]),
        {"version": obligation.version, "level": "white", "note": "进度滞后"},
    )

    assert response.status_code == 302
    assert robot.received == []  # the worker posts it, not the web process
    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.attempts == 0
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "tracker.notifications.outbox.deliver"
    assert queued.args_kwargs["args"] == [message.pk]


@pytest.mark.parametrize(
    "url",
    ["ftp://robot.example.cn/x", "file:///etc/passwd", "javascript:alert(1)", "robot"],
)
def test_a_webhook_address_must_be_http_or_https(department_a, url):
    department_a.webhook_url = url

    with pytest.raises(ValidationError) as error:
        department_a.full_clean()

    assert error.value.message_dict["webhook_url"] == [
        "请输入以 http:// 或 https:// 开头的地址。"
    ]


def test_admin_shows_a_clear_error_for_a_webhook_that_is_not_http(
    client, tracker_admin, department_a
):
    client.force_login(tracker_admin)
    url = reverse("admin:tracker_department_change", args=[department_a.pk])

    response = client.post(
        url,
        {
            "name": department_a.name,
            "short_name": department_a.short_name,
            "kind": department_a.kind,
            "is_active": "on",
            "webhook_url": "ftp://robot.example.cn/x",
        },
    )

    assert response.status_code == 200
    assert "请输入以 https:// 开头的地址" in response.content.decode()
    assert Department.objects.get(pk=department_a.pk).webhook_url == ""


def test_the_robots_key_stays_out_of_the_log(
    obligation, department_a, supervisor, caplog, django_capture_on_commit_callbacks
):
    with_webhook(
        department_a, f"http://127.0.0.1:{free_port()}/send?key=secret-robot-key"
    )

    with caplog.at_level(logging.WARNING, logger="tracker.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            return_for_rework(obligation, supervisor)

    assert "will retry" in caplog.text
    assert "secret-robot-key" not in caplog.text
