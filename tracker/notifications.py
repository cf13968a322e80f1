"""Notifications beyond the inbox: who hears about what, email and group chats.

``services.notify`` writes the inbox rows and the outbox (``OutboundMessage``) in the
transaction of the change. This module holds the rules it applies (``audience``,
``email_modes``), the texts of the messages, and the sending:

- ``send_after_commit`` is what ``notify`` registers with ``transaction.on_commit``:
  inside a web request the sending waits until the response has gone out (Django's
  ``request_finished``), so nobody's click waits on a mail server or a group robot;
  elsewhere (a management command) it sends at once.
- ``deliver_pending(now=...)`` is the daily run's part (``send_reminders`` calls it):
  it sends the daily digests and retries whatever failed before.
- ``send_digest(user, lines)`` and ``send_department_digest(department, lines)``
  send one digest to a person or to a department's group chat.

A send that fails is logged and left in the outbox for the next run; it never
raises into the caller.
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
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from . import permissions
from .models import Notification, NotificationPreference, OutboundMessage

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Mode = NotificationPreference.Email

# A sender owns the outbox rows it claimed for this long; if it dies mid-send, the
# next run takes them over after the lease.
CLAIM_LEASE = timedelta(minutes=10)
# The group robots cut longer texts (企业微信 takes 2048 bytes of content).
WEBHOOK_MAX_BYTES = 2000


# --- Who hears about what -------------------------------------------------------

# The people working on the obligation (its department's members and its owner),
# or the supervisors. Kinds addressed to the workers also go to the department's
# group chat, if it has one.
_TO_WORKERS = frozenset(
    {
        Kind.ASSIGNED,
        Kind.RETURNED,
        Kind.APPROVED,
        Kind.SUPERVISION,
        Kind.EXTENSION_DECIDED,
        Kind.REMINDER,
    }
)
_TO_SUPERVISORS = frozenset({Kind.SUBMITTED, Kind.EXTENSION_REQUESTED})


def audience(kind, obligation, *, actor=None):
    """(users, department) to notify of an event of ``kind`` on ``obligation``.

    Assigned, returned, approved, supervision raised, extension decided, reminders:
    the members of the obligation's department and its owner, and the department's
    group chat. Submitted for review, extension requested: the supervisors. Nobody
    is told about their own action; inactive accounts are left out.
    """
    User = get_user_model()
    if kind in _TO_WORKERS:
        # Built from what is set: a None here would match every user without one.
        working = Q(pk__in=[])
        if obligation.department_id is not None:
            working |= Q(departments=obligation.department_id)
        if obligation.owner_id is not None:
            working |= Q(pk=obligation.owner_id)
        users = User.objects.filter(working)
        department = obligation.department
    elif kind in _TO_SUPERVISORS:
        users = User.objects.filter(groups__name=permissions.SUPERVISOR_GROUP)
        department = None
    else:
        raise ValueError(f"no audience for {kind!r}")
    users = users.filter(is_active=True).distinct().order_by("pk")
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    return list(users), department


def email_enabled():
    return settings.EMAIL_ENABLED


def email_modes(users):
    """{user pk: NotificationPreference.Email} for each user, in one query: what
    they chose, or inbox only when there is no mail server or no address."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users).values_list(
            "user_id", "email"
        )
    )
    return {
        user.pk: (
            Mode(chosen.get(user.pk, NotificationPreference.DEFAULT))
            if email_enabled() and user.email
            else Mode.INBOX_ONLY
        )
        for user in users
    }


# --- Texts ------------------------------------------------------------------------
# Messages are written in the organisation's language, like the timeline: they are
# composed once, when the event happens, for people whose browser language we do
# not know.


def _labelled(kind, text):
    return gettext("%(kind)s: %(text)s") % {"kind": Kind(kind).label, "text": text}


def _site_name():
    return gettext("Rule-of-law checklist")


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def email_subject(kind, obligation):
    with translation.override(settings.LANGUAGE_CODE):
        about = f"{obligation.code} {obligation.title}" if obligation else ""
        subject = f"[{_site_name()}] {_labelled(kind, about)}"
    return subject[:200]


def email_body(text, obligation):
    with translation.override(settings.LANGUAGE_CODE):
        parts = [text]
        if obligation is not None:
            parts.append(absolute_url(obligation.get_absolute_url()))
        parts.append(_footer())
    return "\n\n".join(parts)


def _footer():
    return gettext("Your notifications: %(inbox)s\nHow you are notified: %(prefs)s") % {
        "inbox": absolute_url(reverse("tracker:notification_list")),
        "prefs": absolute_url(reverse("tracker:notification_preferences")),
    }


def webhook_text(kind, text, obligation):
    with translation.override(settings.LANGUAGE_CODE):
        content = f"【{_site_name()}】{_labelled(kind, text)}"
        if obligation is not None:
            content += "\n" + absolute_url(obligation.get_absolute_url())
    return content


def _digest_subject(count, now):
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "[%(site)s] Daily digest %(day)s: %(count)d item",
            "[%(site)s] Daily digest %(day)s: %(count)d items",
            count,
        ) % {"site": _site_name(), "day": timezone.localdate(now), "count": count}


def _truncate_bytes(text, limit):
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "…"


# --- Sending after the commit -----------------------------------------------------

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
        EmailMessage(
            message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [address]
        ).send()
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
        raise DeliveryError(f"the robot answered {answer[:200]!r}")


# --- The daily run ------------------------------------------------------------------


def send_digest(user, lines=(), *, now=None):
    """Email ``user`` one digest: ``lines`` (the caller's, e.g. the day's reminders)
    followed by the events waiting for their digest. Returns the outbox row, or None
    when there was nothing to send or the user gets no email (inbox only, no
    address, no mail server, or a deactivated account).

    The waiting events are taken in the same transaction as the outbox row is
    written, so calling this and then ``deliver_pending`` in one run sends each
    person one digest. The email itself goes out on commit; if it fails it stays in
    the outbox and the next run retries it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        waiting = Notification.objects.filter(recipient=user, digest_pending=True)
        events = list(
            waiting.select_for_update()
            .order_by("created_at", "pk")
            .values_list("pk", "kind", "text")
        )
        if events:
            waiting.filter(pk__in=[pk for pk, _k, _t in events]).update(
                digest_pending=False
            )
        if not user.is_active or email_modes([user])[user.pk] == Mode.INBOX_ONLY:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            items = [*lines, *(_labelled(k, t) for _pk, k, t in events)]
            if not items:
                return None
            body = "\n\n".join(
                [
                    "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)),
                    _footer(),
                ]
            )
            message = OutboundMessage.objects.create(
                channel=OutboundMessage.Channel.EMAIL,
                recipient=user,
                subject=_digest_subject(len(items), now),
                body=body,
                created_at=now,
            )
        transaction.on_commit(lambda: send_after_commit([message.pk]))
    return message


def send_department_digest(department, lines, *, now=None):
    """Post one digest of ``lines`` to the department's group chat (if it has
    one); returns the outbox row or None. Sent on commit, retried like the rest."""
    lines = list(lines)
    if not (department.webhook_url and lines):
        return None
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        head = gettext("【%(site)s】Daily digest %(day)s, %(department)s:") % {
            "site": _site_name(),
            "day": timezone.localdate(now),
            "department": department.short_name or department.name,
        }
    body = _truncate_bytes("\n".join([head, *lines]), WEBHOOK_MAX_BYTES)
    with transaction.atomic():
        message = OutboundMessage.objects.create(
            channel=OutboundMessage.Channel.WEBHOOK,
            department=department,
            body=body,
            created_at=now,
        )
        transaction.on_commit(lambda: send_after_commit([message.pk]))
    return message


def deliver_pending(*, now=None, digests=None):
    """The daily run's delivery: one digest email per person with events waiting
    (plus ``digests``: {user: [lines]} from the caller, merged into the same email),
    then every outbox row still pending, failed sends of earlier runs included.

    Returns (digests sent, messages sent). Safe to run on several servers at once:
    the digest rows and the outbox rows are claimed before sending.
    """
    now = now or timezone.now()
    digests = dict(digests or {})
    User = get_user_model()
    waiting = User.objects.filter(
        pk__in=Notification.objects.filter(digest_pending=True).values("recipient")
    )
    for user in waiting:
        digests.setdefault(user, [])
    digest_count = 0
    for user, lines in digests.items():
        try:
            if send_digest(user, lines, now=now) is not None:
                digest_count += 1
        except Exception:
            logger.exception("Could not write the digest of user %s", user.pk)
    return digest_count, send_outbound(now=now)
