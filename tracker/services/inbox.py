"""The inbox: marking notifications read, and how each person wants to hear."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Notification,
    NotificationPreference,
)
from .common import ServiceError, refuse_unless


def notification_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's notifications read (opening it does)."""
    refuse_unless(notification.recipient_id == user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_read_all(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return (
        Notification.objects.filter(recipient=user)
        .unread()
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notification_preference_set(*, user, email: str) -> NotificationPreference:
    """How the user wants their notifications emailed."""
    if email not in NotificationPreference.Email.values:
        raise ServiceError(_("Choose how you want to be notified."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference
