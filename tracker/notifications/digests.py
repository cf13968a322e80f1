"""The daily run's part: one digest a person or a department's group chat, and
the retry of whatever failed before.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ..models import Notification, OutboundMessage
from .audience import Mode, email_modes
from .outbox import enqueue, send_outbound
from .texts import (
    absolute_url,
    digest_subject,
    labelled,
    notification_links,
    site_name,
)

logger = logging.getLogger(__name__)


def send_digest(user, lines=(), *, now=None, day=None):
    """Email ``user`` one digest: ``lines`` (the caller's, e.g. the day's reminders)
    followed by the events waiting for their digest. The subject is dated ``day``
    (the run's, ``send_reminders --date``), else the day of ``now``. Returns the
    outbox row, or None when there was nothing to send or the user gets no email
    (inbox only, no address, no mail server, or a deactivated account).

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
            .values_list("pk", "kind", "text", "obligation_id")
        )
        if events:
            waiting.filter(pk__in=[pk for pk, *_rest in events]).update(
                digest_pending=False
            )
        if not user.is_active or email_modes([user])[user.pk] == Mode.INBOX_ONLY:
            return None
        with translation.override(settings.LANGUAGE_CODE):
            items = [*lines, *(_event_line(k, t, o) for _pk, k, t, o in events)]
            if not items:
                return None
            body = render_to_string(
                "tracker/notifications/digest_email.txt",
                {"items": items, "links": notification_links()},
            )
            subject = digest_subject(len(items), day or timezone.localdate(now))
        (message,) = enqueue(
            [
                OutboundMessage(
                    channel=OutboundMessage.Channel.EMAIL,
                    recipient=user,
                    subject=subject,
                    body=body,
                    created_at=now,
                )
            ]
        )
    return message


def _event_line(kind, text, obligation_id):
    # Every line of a digest leads to its item, as the reminders' lines do: the
    # link is written from the pk alone (no query per line).
    line = labelled(kind, text)
    if obligation_id is None:
        return line
    path = reverse("tracker:obligation_detail", args=[obligation_id])
    return f"{line} {absolute_url(path)}"


def send_department_digest(department, lines, *, now=None, day=None):
    """Post one digest of ``lines`` to the department's group chat (if it has
    one); returns the outbox row or None. Sent on commit, retried like the rest."""
    lines = list(lines)
    if not (department.webhook_url and lines):
        return None
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        head = gettext("【%(site)s】Daily digest %(day)s, %(department)s:") % {
            "site": site_name(),
            "day": day or timezone.localdate(now),
            "department": department.short_name or department.name,
        }
    # Cut to the robot's limit when it is sent (robots.fit): the limit is the
    # vendor's, known from the department's robot.
    body = "\n".join([head, *lines])
    with transaction.atomic():
        (message,) = enqueue(
            [
                OutboundMessage(
                    channel=OutboundMessage.Channel.WEBHOOK,
                    department=department,
                    body=body,
                    created_at=now,
                )
            ]
        )
    return message


def deliver_pending(*, now=None, digests=None, day=None):
    """The daily run's delivery: one digest email per person with events waiting
    (plus ``digests``: {user: [lines]} from the caller, merged into the same email),
    then every outbox row still pending, failed sends of earlier runs included.

    Returns (digests written, outbox rows handed to the worker). Safe to run on
    several servers at once: the digest rows and the outbox rows are claimed
    before sending.
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
            if send_digest(user, lines, now=now, day=day) is not None:
                digest_count += 1
        except Exception:
            logger.exception("Could not write the digest of user %s", user.pk)
    return digest_count, send_outbound(now=now)
