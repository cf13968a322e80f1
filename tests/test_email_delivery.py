"""Email notifications over a real SMTP conversation: an aiosmtpd server on
127.0.0.1 receives what the tracker sends, and the test reads it back with the
email package, Chinese subject and body decoded."""

import email
import email.policy
import logging
import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.notify_helpers import DAILY_DIGEST, EVERY_EVENT, choose_email, free_port
from tests.workflow_helpers import return_for_rework
from tracker.models import (
    Notification,
    NotificationPreference,
    Obligation,
    OutboundMessage,
)
from tracker.notifications.digests import deliver_pending, send_digest
from tracker.notifications.outbox import CLAIM_LEASE, _claim
from tracker.services.supervision import obligation_set_supervision

S = Obligation.Status


class Inbox:
    """The aiosmtpd handler: keeps every message it is handed, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.original_content, policy=email.policy.default
        )
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    _inbox, port = smtp_server
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    settings.DEFAULT_FROM_EMAIL = "法治清单 <noreply@county.gov.cn>"
    settings.SITE_URL = "https://fazhi.county.gov.cn"
    return settings


@pytest.fixture
def received(smtp_server):
    return smtp_server[0].messages


def subject(message):
    # Django folds a long encoded subject onto a continuation line; unfolding leaves
    # the leading space that mail clients drop too.
    return message["Subject"].strip()


def body(message):
    return message.get_body(("plain",)).get_content()


def test_every_event_email_arrives_after_the_commit_in_chinese(
    obligation,
    staff_a,
    supervisor,
    mail_settings,
    received,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)

    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor, "佐证材料不全，请补充会议纪要")
        assert received == []  # nothing leaves before the commit

    [(recipients, message)] = received
    assert recipients == ["zhangsan@example.cn"]
    assert subject(message) == (
        f"[法治清单] 已退回：{obligation.code} {obligation.title}"
    )
    assert "法治清单" in str(message["From"])
    text = body(message)
    assert "王督查 退回了" in text and "佐证材料不全，请补充会议纪要" in text
    assert f"https://fazhi.county.gov.cn/obligations/{obligation.pk}/" in text
    assert "https://fazhi.county.gov.cn/notifications/preferences/" in text
    assert OutboundMessage.objects.get().state == OutboundMessage.State.SENT


def test_daily_digest_arrives_over_smtp_with_chinese_subject_and_body(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, DAILY_DIGEST)
    return_for_rework(obligation, supervisor, "材料不全")
    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.WHITE,
        note="进度滞后",
    )
    assert received == []  # digest readers get nothing at the time of the event
    now = timezone.now()

    digests, sent = deliver_pending(now=now)

    assert (digests, sent) == (1, 1)
    [(recipients, message)] = received
    assert recipients == ["zhangsan@example.cn"]
    day = timezone.localdate(now).isoformat()
    assert subject(message) == f"[法治清单] {day} 每日汇总：2 条"
    text = body(message)
    assert "1. 已退回：王督查 退回了" in text and "材料不全" in text
    assert "2. 督办升级：王督查 将" in text and "白色督办" in text


def test_every_line_of_a_digest_links_to_its_item(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, DAILY_DIGEST)
    return_for_rework(obligation, supervisor, "材料不全")
    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.WHITE,
        note="进度滞后",
    )

    deliver_pending()

    [(_recipients, message)] = received
    link = f"https://fazhi.county.gov.cn/obligations/{obligation.pk}/"
    # An item may take several lines (raising to white issues a 督办单 too, on a
    # line of its own): each numbered item carries the link.
    items = re.findall(r"^\d+\. .*?(?=^\d+\. |\Z)", body(message), re.M | re.S)
    assert len(items) == 2
    assert all(f"{link}\r\n" in item for item in items), items


def test_the_callers_lines_and_waiting_events_make_one_digest(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, DAILY_DIGEST)
    return_for_rework(obligation, supervisor, "材料不全")

    deliver_pending(digests={staff_a: ["催办：9.1 建立工作台账，剩余 3 个工作日"]})

    [(_recipients, message)] = received
    assert "2 条" in subject(message)
    text = body(message)
    assert text.index("催办：9.1") < text.index("材料不全")


def test_a_second_run_sends_no_second_digest(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, DAILY_DIGEST)
    return_for_rework(obligation, supervisor, "材料不全")

    deliver_pending()
    deliver_pending()

    assert len(received) == 1
    assert not Notification.objects.filter(digest_pending=True).exists()


def test_every_event_readers_get_the_callers_digest_without_repeating_events(
    obligation,
    staff_a,
    supervisor,
    mail_settings,
    received,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)
    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor, "材料不全")

    deliver_pending(digests={staff_a: ["催办：明天到期"]})

    assert len(received) == 2
    digest = body(received[1][1])
    assert "催办：明天到期" in digest and "材料不全" not in digest


def test_inbox_only_readers_get_no_digest(staff_a, mail_settings, received):
    choose_email(staff_a, NotificationPreference.Email.INBOX_ONLY)

    assert send_digest(staff_a, ["催办：明天到期"]) is None
    deliver_pending()

    assert received == []


def test_a_refusing_mail_server_is_logged_and_retried_by_the_next_run(
    obligation,
    staff_a,
    supervisor,
    mail_settings,
    received,
    caplog,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)
    live_port = mail_settings.EMAIL_PORT
    mail_settings.EMAIL_PORT = free_port()  # nobody listens there

    with caplog.at_level(logging.WARNING, logger="tracker.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            return_for_rework(obligation, supervisor, "材料不全")

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.PENDING
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or message.last_error
    assert "will retry" in caplog.text
    assert received == []

    mail_settings.EMAIL_PORT = live_port
    deliver_pending(now=timezone.now() + timedelta(days=1))

    message.refresh_from_db()
    assert message.state == OutboundMessage.State.SENT
    assert message.attempts == 2
    assert len(received) == 1


def test_a_message_that_keeps_failing_is_given_up_and_logged_as_an_error(
    obligation, staff_a, supervisor, mail_settings, caplog
):
    choose_email(staff_a, EVERY_EVENT)
    mail_settings.EMAIL_PORT = free_port()
    return_for_rework(obligation, supervisor, "材料不全")
    now = timezone.now()

    with caplog.at_level(logging.WARNING, logger="tracker.notifications"):
        for day in range(OutboundMessage.MAX_ATTEMPTS + 2):
            deliver_pending(now=now + timedelta(days=day))

    message = OutboundMessage.objects.get()
    assert message.state == OutboundMessage.State.FAILED
    assert message.attempts == OutboundMessage.MAX_ATTEMPTS
    assert "giving up" in caplog.text


def test_a_row_claimed_by_one_sender_is_not_sent_by_another(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, EVERY_EVENT)
    return_for_rework(obligation, supervisor, "材料不全")
    now = timezone.now()
    pending = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING)

    first = _claim(pending, now)
    second = _claim(pending, now)
    after_the_lease = _claim(pending, now + CLAIM_LEASE + timedelta(seconds=1))

    assert len(first) == 1
    assert second == []
    # A sender that died mid-send frees its rows after the lease.
    assert [m.pk for m in after_the_lease] == [first[0].pk]


def test_a_deactivated_account_gets_no_digest(
    obligation, staff_a, supervisor, mail_settings, received
):
    choose_email(staff_a, DAILY_DIGEST)
    return_for_rework(obligation, supervisor, "材料不全")
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])

    deliver_pending()

    assert received == []
    assert not Notification.objects.filter(digest_pending=True).exists()


def test_mail_headers_say_shanghai_time_the_sites_domain_and_auto_generated(
    obligation,
    staff_a,
    supervisor,
    mail_settings,
    received,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)
    with django_capture_on_commit_callbacks(execute=True):
        return_for_rework(obligation, supervisor, "请补充")

    [(_recipients, message)] = received
    assert message["Date"].endswith("+0800")
    assert message["Message-ID"].endswith("@fazhi.county.gov.cn>")
    assert message["Auto-Submitted"] == "auto-generated"


def test_a_line_break_in_a_subject_or_sender_name_does_not_stick_the_outbox(
    staff_a, mail_settings, received
):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save(update_fields=["email"])
    mail_settings.DEFAULT_FROM_EMAIL = "法治清单\r\n办公室 <noreply@county.gov.cn>"
    OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.EMAIL,
        recipient=staff_a,
        subject="[法治清单] 已退回：\r\nBcc: victim@example.cn\u2028标题",
        body="正文",
    )

    assert deliver_pending() == (0, 1)

    [(recipients, message)] = received
    assert recipients == ["zhangsan@example.cn"]
    assert subject(message) == "[法治清单] 已退回： Bcc: victim@example.cn 标题"
    assert message["Bcc"] is None
    assert message["From"].addresses[0].display_name == "法治清单 办公室"
    assert OutboundMessage.objects.get().state == OutboundMessage.State.SENT
