"""The outbox: every email and group-chat post is an ``OutboundMessage`` row,
written in the transaction of the change it reports and handed to the worker
(``manage.py worker``, a django-tasks database queue) once that transaction
commits. No web process sends anything.

The worker's task ``deliver`` claims the row (so two workers never send it
twice), waits its turn in the robot's window (``WEBHOOK_RATE_PER_MINUTE`` posts a
minute per robot address, across all workers), sends under one deadline for the
whole exchange, and records where it went and what the server answered. A
failure is retried after ``OutboundMessage.RETRY_DELAYS``; after the last try the
row stays ``failed`` with the error, for the admin to see and retry.
"""

import hashlib
import logging
import socket
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import default_task_backend, task

from ..models import AccountProfile, OutboundMessage, RobotWindow
from . import robots
from .addresses import check_webhook_destination
from .mail import build_email
from .robots import DeliveryError, RateLimited, TimedOut

logger = logging.getLogger(__name__)

# A worker owns the outbox rows it claimed for this long; if it dies mid-send, a
# later try takes them over after the lease.
CLAIM_LEASE = timedelta(minutes=10)
# How long the robots' rate-limit answers (45009, 130101) keep us away.
RATE_LIMIT_PAUSE = timedelta(seconds=60)


def enqueue(messages) -> list[OutboundMessage]:
    """Write these unsaved ``OutboundMessage`` rows and hand them to the worker
    once the caller's transaction commits: the one way anything enters the outbox
    (events, digests, password-reset mail), so nothing is sent for a change that
    rolled back."""
    rows = OutboundMessage.objects.bulk_create(messages)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: hand_to_worker(ids))
    return rows


def hand_to_worker(message_ids, *, run_after=None):
    """One ``deliver`` task per outbox row; ``run_after`` defers them (a retry, a
    full robot window). A backend that cannot defer (the tests' immediate one)
    leaves a deferred row to the next sweep (``send_outbound``)."""
    backend = default_task_backend
    if run_after is not None and not backend.supports_defer:
        return
    for message_id in message_ids:
        try:
            deliver.using(run_after=run_after).enqueue(message_id)
        except Exception:  # the row stays pending; the sweep hands it over again
            logger.exception("Could not queue outbox row %s", message_id)


def send_outbound(message_ids=None, *, now=None):
    """Hand the pending rows that are due (these, or all of them) to the worker:
    the daily run and the worker's sweep call it, so a row whose task was lost
    (a queue emptied by hand, a crash between commit and queueing) still goes.
    Returns the number handed over."""
    now = now or timezone.now()
    due = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING).filter(
        Q(claim__isnull=True) | Q(tried_at__lt=now - CLAIM_LEASE)
    )
    if message_ids is not None:
        due = due.filter(pk__in=message_ids)
    due = due.filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
    ids = list(due.values_list("pk", flat=True).order_by("pk"))
    # They are due by the caller's clock: the task reads its own.
    OutboundMessage.objects.filter(pk__in=ids).update(next_try_at=None)
    hand_to_worker(ids)
    return len(ids)


@task()
def deliver(message_id):
    """The worker's task: send one outbox row. Never raises: whatever the server
    did is recorded on the row (a raise would only fill the task log)."""
    now = timezone.now()
    claimed = _claim(OutboundMessage.objects.filter(pk=message_id), now)
    if not claimed:
        return "not due"
    message = claimed[0]
    if message.channel == OutboundMessage.Channel.WEBHOOK:
        wait = robot_window_take(message.department.webhook_url, now=now)
        if wait:
            _postpone(message, now + timedelta(seconds=wait))
            return "waiting for the robot's window"
    OutboundMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
    message.attempts += 1
    try:
        address, code, answer = _send(message)
    except RateLimited as error:
        robot_window_block(message.department.webhook_url, now=timezone.now())
        # Not a failed try: the robot asked us to wait for its window.
        OutboundMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") - 1, answer_code=error.code, answer=error.answer
        )
        _postpone(message, timezone.now() + RATE_LIMIT_PAUSE)
        return "rate limited"
    except Exception as error:  # whatever the server did, it must not spread
        next_try = _record_failure(message, error)
        if isinstance(error, TimedOut):
            # The robot's other posts wait for this one's retry instead of each
            # holding the worker for the whole deadline.
            robot_window_block(
                message.department.webhook_url,
                now=timezone.now(),
                until=next_try or timezone.now() + RATE_LIMIT_PAUSE,
            )
        return "failed"
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=OutboundMessage.State.SENT,
        sent_at=timezone.now(),
        claim=None,
        next_try_at=None,
        last_error="",
        address=address[:300],
        answer_code=code[:40],
        answer=answer[:1000],
    )
    return "sent"


def _claim(pending, now):
    """Take the due rows for this sender: one UPDATE marks them with a fresh
    token, so a second sender running at the same moment gets none of them."""
    token = uuid.uuid4()
    pending.filter(state=OutboundMessage.State.PENDING).filter(
        Q(claim__isnull=True) | Q(tried_at__lt=now - CLAIM_LEASE),
        Q(next_try_at__isnull=True) | Q(next_try_at__lte=now),
    ).update(claim=token, tried_at=now)
    return list(
        OutboundMessage.objects.filter(claim=token)
        .select_related("recipient", "department")
        .order_by("pk")
    )


def _postpone(message, when):
    OutboundMessage.objects.filter(pk=message.pk).update(claim=None, next_try_at=when)
    hand_to_worker([message.pk], run_after=when)


def _record_failure(message, error):
    gave_up = message.attempts >= OutboundMessage.MAX_ATTEMPTS
    log = logger.error if gave_up else logger.warning
    log(
        "Sending %s message %s to %s failed (attempt %s%s): %s",
        message.channel,
        message.pk,
        _address(message),
        message.attempts,
        ", giving up" if gave_up else ", will retry",
        error,
    )
    delays = OutboundMessage.RETRY_DELAYS
    next_try = None
    if not gave_up:
        delay = delays[min(message.attempts, len(delays)) - 1]
        next_try = timezone.now() + timedelta(seconds=delay)
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=(
            OutboundMessage.State.FAILED if gave_up else OutboundMessage.State.PENDING
        ),
        claim=None,
        next_try_at=next_try,
        last_error=f"{type(error).__name__}: {error}"[:1000],
        address=_address(message)[:300],
        answer_code=str(getattr(error, "code", "") or _smtp_code(error))[:40],
        answer=(getattr(error, "answer", "") or "")[:1000],
    )
    if next_try is not None:
        hand_to_worker([message.pk], run_after=next_try)
    return next_try


def retry_now(message_ids) -> int:
    """Put failed or waiting rows back in the queue at once (the admin's "retry
    now"); a failed row gets a fresh round of tries. Returns the number queued."""
    rows = OutboundMessage.objects.filter(pk__in=message_ids).exclude(
        state=OutboundMessage.State.SENT
    )
    ids = list(rows.values_list("pk", flat=True))
    rows.filter(state=OutboundMessage.State.FAILED).update(attempts=0)
    OutboundMessage.objects.filter(pk__in=ids).update(
        state=OutboundMessage.State.PENDING, claim=None, next_try_at=None
    )
    hand_to_worker(ids)
    return len(ids)


def _smtp_code(error):
    code = getattr(error, "smtp_code", None)
    return str(code) if code else ""


def _address(message):
    if message.channel == OutboundMessage.Channel.EMAIL:
        return message.recipient.email
    return robots.public_address(message.department.webhook_url)


def _send(message):
    """Send one row; returns (where it went, the answer's code, the answer)."""
    if message.channel == OutboundMessage.Channel.EMAIL:
        return _send_email(message)
    department = message.department
    url = department.webhook_url
    # Where the address resolves now, not only where it did when it was saved.
    check_webhook_destination(url)
    kind = robots.kind_of(url, department.webhook_kind)
    if department.webhook_secret:
        url = robots.signed_url(url, department.webhook_secret)
    body = robots.payload(
        robots.fit(message.body, kind, _link_of(message.body)),
        kind,
        message.mentions,
    )
    answer = robots.post(url, body, deadline_seconds=settings.WEBHOOK_TIMEOUT)
    return robots.public_address(department.webhook_url), answer.code, answer.text


def _link_of(text):
    last = text.rstrip().rsplit("\n", 1)[-1]
    return last if last.startswith(settings.SITE_URL) else ""


def _send_email(message):
    address = message.recipient.email
    if not address:
        raise DeliveryError("the recipient has no email address")
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    expired = threading.Event()

    def cut_off():
        # The SMTP timeout bounds each read; this bounds the whole conversation.
        expired.set()
        smtp = getattr(connection, "connection", None)
        sock = getattr(smtp, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(settings.EMAIL_TIMEOUT, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        email = build_email(subject=message.subject, body=message.body, to=address)
        email.connection = connection
        sent = email.send()
    except Exception:
        if expired.is_set():
            raise DeliveryError(
                f"timed out: the mail server took more than {settings.EMAIL_TIMEOUT} s"
            ) from None
        raise
    finally:
        watchdog.cancel()
    if not sent:
        raise DeliveryError("the mail server accepted nothing")
    return address, "250", "accepted"


def robot_window_take(url, *, now):
    """Take a place in the robot's last-60-seconds window; returns 0 when this
    post may go now, else the seconds to wait. The row is locked while it is
    read and written, so workers on several servers share one count."""
    rate = settings.WEBHOOK_RATE_PER_MINUTE
    stamp = now.timestamp()
    with transaction.atomic():
        window, _created = RobotWindow.objects.select_for_update().get_or_create(
            address_hash=_hash(url)
        )
        if window.blocked_until and window.blocked_until > now:
            return (window.blocked_until - now).total_seconds()
        recent = [t for t in window.recent if t > stamp - 60]
        if len(recent) >= rate:
            return max(recent[-rate] + 60 - stamp, 0.5)
        window.recent = [*recent, stamp]
        window.save(update_fields=["recent"])
    return 0


def robot_window_block(url, *, now, until=None):
    """Post nothing more to this robot before ``until`` (a minute by default)."""
    with transaction.atomic():
        window, _created = RobotWindow.objects.select_for_update().get_or_create(
            address_hash=_hash(url)
        )
        window.blocked_until = until or now + RATE_LIMIT_PAUSE
        window.save(update_fields=["blocked_until"])


def _hash(url):
    return hashlib.sha256(url.encode()).hexdigest()


def mentions_for(obligation):
    """The mobile numbers a group post about ``obligation`` @mentions: its
    owner's, when known."""
    if obligation is None or obligation.owner_id is None:
        return []
    mobile = (
        AccountProfile.objects.filter(user_id=obligation.owner_id)
        .values_list("mobile", flat=True)
        .first()
    )
    return [mobile] if mobile else []
