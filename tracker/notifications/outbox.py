"""The outbox: sending each ``OutboundMessage`` (email or group-chat robot) after
the commit of the change it reports, claiming rows so two senders never send
one twice, and recording failures for the next run.
"""

import contextvars
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import OutboundMessage
from .addresses import check_webhook_destination
from .mail import build_email

logger = logging.getLogger(__name__)

# A sender owns the outbox rows it claimed for this long; if it dies mid-send, the
# next run takes them over after the lease.
CLAIM_LEASE = timedelta(minutes=10)


# The outbox rows waiting for the end of the current request in this thread, or None
# outside a request.
_after_response = contextvars.ContextVar("notify_after_response", default=None)


def _request_started(**kwargs):
    _after_response.set([])


def _request_finished(**kwargs):
    waiting = _after_response.get()
    _after_response.set(None)
    if waiting:
        send_outbound(waiting)


def connect_signals():
    """Called from TrackerConfig.ready()."""
    request_started.connect(_request_started, dispatch_uid="notify_request_started")
    request_finished.connect(_request_finished, dispatch_uid="notify_request_finished")


def enqueue(messages) -> list[OutboundMessage]:
    """Write these unsaved ``OutboundMessage`` rows and send them once the caller's
    transaction commits: the one way anything enters the outbox (events, digests,
    password-reset mail), so nothing is sent for a change that rolled back."""
    rows = OutboundMessage.objects.bulk_create(messages)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: send_after_commit(ids))
    return rows


def send_after_commit(message_ids):
    """Send these outbox rows once the response is out (in a request), else now."""
    waiting = _after_response.get()
    if waiting is not None:
        waiting.extend(message_ids)
    else:
        send_outbound(message_ids)


def send_outbound(message_ids=None, *, now=None):
    """Send the pending outbox rows (these, or all of them); returns the number
    sent. Never raises: a failure is logged and recorded on the row for the next
    run."""
    now = now or timezone.now()
    pending = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING)
    if message_ids is not None:
        pending = pending.filter(pk__in=message_ids)
    try:
        claimed = _claim(pending, now)
    except Exception:
        logger.exception("Could not read the outbox")
        return 0
    sent = 0
    for message in claimed:
        try:
            _send(message)
        except Exception as error:  # whatever the server did, it must not spread
            _record_failure(message, error)
        else:
            OutboundMessage.objects.filter(pk=message.pk).update(
                state=OutboundMessage.State.SENT,
                sent_at=timezone.now(),
                claim=None,
                last_error="",
            )
            sent += 1
    return sent


def _claim(pending, now):
    """Take the rows for this sender: one UPDATE marks them with a fresh token, so
    a second sender running at the same moment gets none of them."""
    token = uuid.uuid4()
    pending.filter(Q(claim__isnull=True) | Q(tried_at__lt=now - CLAIM_LEASE)).update(
        claim=token, tried_at=now, attempts=F("attempts") + 1
    )
    return list(
        OutboundMessage.objects.filter(claim=token)
        .select_related("recipient", "department")
        .order_by("pk")
    )


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
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=(
            OutboundMessage.State.FAILED if gave_up else OutboundMessage.State.PENDING
        ),
        claim=None,
        last_error=f"{type(error).__name__}: {error}"[:1000],
    )


def _address(message):
    if message.channel == OutboundMessage.Channel.EMAIL:
        return message.recipient.email
    # Not the whole URL: the robot's key is in its query string.
    parts = urllib.parse.urlsplit(message.department.webhook_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class DeliveryError(Exception):
    pass


def _send(message):
    if message.channel == OutboundMessage.Channel.EMAIL:
        address = message.recipient.email
        if not address:
            raise DeliveryError("the recipient has no email address")
        build_email(subject=message.subject, body=message.body, to=address).send()
    else:
        post_webhook(message.department.webhook_url, message.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A robot answers; it does not send us elsewhere (another scheme, another host).
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_webhook(url, content):
    """POST a text message to a 企业微信 / 钉钉 group robot; raises on any failure."""
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError("not an http(s) address")
    check_webhook_destination(url)
    payload = json.dumps(
        {"msgtype": "text", "text": {"content": content}}, ensure_ascii=False
    ).encode()
    request = urllib.request.Request(
        url,
        data=payload,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            answer = response.read(4096)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode
    # (a wrong key, a blocked keyword) otherwise.
    try:
        errcode = json.loads(answer).get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        # The vendor's code and message only, not the answer's bytes: whatever the
        # address answers must not be read back through the admin.
        raise DeliveryError(f"errcode {errcode}: {_vendor_message(answer)}")


def _vendor_message(answer):
    try:
        message = json.loads(answer).get("errmsg", "")
    except (ValueError, AttributeError):
        return ""
    return "".join(c for c in str(message) if c.isprintable())[:120]
