"""Group robots done right, against a local robot server (tests/robot_server.py):
the whole send under one deadline, each vendor's length limit, 钉钉 加签, @mentions,
errcodes recorded, rate-limit answers waited out, posts paced per robot address,
and retries that back off within minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.robot_server import Robot
from tracker.models import AccountProfile, OutboundMessage, RobotWindow
from tracker.notifications import robots
from tracker.notifications.outbox import deliver, retry_now, robot_window_take
from tracker.services.supervision import obligation_set_supervision

SECRET = "SEC0123456789abcdef0123456789abcdef"


@pytest.fixture
def robot():
    server = Robot()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.WEBHOOK_TIMEOUT = 2
    settings.SITE_URL = "https://fazhi.county.gov.cn"
    # The local robot stands in for the vendors' on loopback over plain http.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


def with_robot(department, url, *, kind="", secret=""):
    department.webhook_url = url
    department.webhook_kind = kind
    department.webhook_secret = secret
    department.save()
    return department


def escalate(obligation, supervisor, note, run):
    with run(execute=True):
        obligation_set_supervision(
            obligation=obligation, user=supervisor, level="yellow", note=note
        )


def test_a_robot_that_trickles_its_answer_is_cut_off_at_the_deadline(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.answer("trickle")  # its whole answer would take 30 s
    with_robot(department_a, robot.url)

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert "timed out" in message.last_error
    assert message.attempts == 1


def test_a_robot_that_timed_out_gets_its_other_posts_only_after_the_retry(
    department_a, robot
):
    robot.answer("trickle")
    with_robot(department_a, robot.url)
    first, second = OutboundMessage.objects.bulk_create(
        OutboundMessage(
            channel=OutboundMessage.Channel.WEBHOOK, department=department_a, body=b
        )
        for b in ["一", "二"]
    )

    deliver.call(first.pk)
    deliver.call(second.pk)

    assert len(robot.received) == 1  # the second did not wait out a deadline too
    first.refresh_from_db()
    second.refresh_from_db()
    assert "timed out" in first.last_error
    assert (second.state, second.attempts) == ("pending", 0)
    assert second.next_try_at >= first.next_try_at


def test_a_failed_post_is_retried_within_a_minute_not_the_next_morning(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.answer("bad key")
    with_robot(department_a, robot.url)
    before = timezone.now()

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.answer_code == "93000"
    assert "invalid webhook url" in message.answer
    assert before + timedelta(seconds=25) < message.next_try_at
    assert message.next_try_at < before + timedelta(seconds=60)


def test_a_post_that_failed_every_try_stays_failed_and_retry_now_sends_it(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.answer("broken")
    with_robot(department_a, robot.url)
    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)
    message = OutboundMessage.objects.get()
    for _try in range(OutboundMessage.MAX_ATTEMPTS - 1):
        OutboundMessage.objects.filter(pk=message.pk).update(next_try_at=None)
        deliver.call(message.pk)
    message.refresh_from_db()
    assert message.state == OutboundMessage.State.FAILED
    assert message.answer_code == "500"
    assert len(robot.received) == OutboundMessage.MAX_ATTEMPTS

    robot.answer("ok")
    assert retry_now([message.pk]) == 1

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.SENT
    assert message.answer_code == "0"
    assert message.address == robot.url.split("?")[0]


@pytest.mark.parametrize("code", ["45009", "130101"])
def test_a_rate_limit_answer_waits_for_the_window_instead_of_counting_as_a_failure(
    obligation,
    department_a,
    supervisor,
    robot,
    code,
    django_capture_on_commit_callbacks,
):
    robot.answer(code)
    with_robot(department_a, robot.url)

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.attempts == 0
    assert message.answer_code == code
    assert message.next_try_at > timezone.now() + timedelta(seconds=50)
    # Nothing more goes to that robot until the window has passed.
    assert robot_window_take(robot.url, now=timezone.now()) > 50


def test_a_dingtalk_robot_with_a_secret_gets_every_request_signed(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.require_signature(SECRET)
    with_robot(department_a, robot.url, kind="dingtalk", secret=SECRET)

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    [request] = robot.received
    assert set(request["query"]) == {"access_token", "timestamp", "sign"}
    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.SENT
    assert SECRET not in message.address


def test_a_wrong_secret_is_a_failure_with_the_robots_code(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    robot.require_signature(SECRET)
    with_robot(department_a, robot.url, kind="dingtalk", secret="SECwrong")

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.answer_code == "310000"


@pytest.mark.parametrize("kind", ["", "wecom"])
def test_a_4_kb_reason_reaches_a_robot_in_2048_bytes_with_the_link(
    obligation,
    department_a,
    supervisor,
    robot,
    kind,
    django_capture_on_commit_callbacks,
):
    with_robot(department_a, robot.url, kind=kind)

    escalate(obligation, supervisor, "整改" * 700, django_capture_on_commit_callbacks)

    [content] = robot.contents()
    link = f"https://fazhi.county.gov.cn/obligations/{obligation.pk}/"
    assert len(content.encode()) <= 2048
    assert content.endswith("…\n" + link)
    assert content.startswith("【法治清单】")


def test_a_dingtalk_robot_takes_the_4_kb_reason_whole(
    obligation, department_a, supervisor, robot, django_capture_on_commit_callbacks
):
    with_robot(department_a, robot.url, kind="dingtalk")

    escalate(obligation, supervisor, "整改" * 700, django_capture_on_commit_callbacks)

    [content] = robot.contents()
    assert "整改" * 700 in content
    assert "…" not in content


@pytest.fixture
def owner_with_mobile(obligation):
    owner = UserFactory(username="zhang")
    AccountProfile.objects.create(user=owner, mobile="13800138000")
    obligation.owner = owner
    obligation.save(update_fields=["owner"])
    return owner


def test_a_wecom_robot_mentions_the_owner_in_mentioned_mobile_list(
    obligation,
    owner_with_mobile,
    department_a,
    supervisor,
    robot,
    django_capture_on_commit_callbacks,
):
    with_robot(department_a, robot.url, kind="wecom")

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    [request] = robot.received
    assert request["payload"]["text"]["mentioned_mobile_list"] == ["13800138000"]


def test_a_dingtalk_robot_mentions_the_owner_in_at_mobiles_and_the_text(
    obligation,
    owner_with_mobile,
    department_a,
    supervisor,
    robot,
    django_capture_on_commit_callbacks,
):
    with_robot(department_a, robot.url, kind="dingtalk")

    escalate(obligation, supervisor, "进度滞后", django_capture_on_commit_callbacks)

    [request] = robot.received
    assert request["payload"]["at"]["atMobiles"] == ["13800138000"]
    assert request["payload"]["text"]["content"].endswith("@13800138000")


def test_posts_beyond_the_rate_wait_in_the_queue_and_none_is_dropped(
    obligation, department_a, supervisor, robot, settings
):
    settings.WEBHOOK_RATE_PER_MINUTE = 2
    with_robot(department_a, robot.url)
    messages = OutboundMessage.objects.bulk_create(
        OutboundMessage(
            channel=OutboundMessage.Channel.WEBHOOK, department=department_a, body=b
        )
        for b in ["一", "二", "三"]
    )

    for message in messages:
        deliver.call(message.pk)

    assert robot.contents() == ["一", "二"]
    third = OutboundMessage.objects.get(pk=messages[2].pk)
    assert third.state == OutboundMessage.State.PENDING
    assert third.attempts == 0
    assert third.next_try_at > timezone.now() + timedelta(seconds=50)
    assert RobotWindow.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "wecom"),
        ("https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk"),
        ("http://robot.county.gov.cn/send", ""),
    ],
)
def test_the_robots_kind_is_read_from_its_address(url, kind):
    assert robots.kind_of(url) == kind


def test_the_admins_choice_of_kind_wins_over_the_address():
    url = "http://robot.county.gov.cn/send"

    assert robots.kind_of(url, "dingtalk") == "dingtalk"
