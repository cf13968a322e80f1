"""The inbox: a person's notifications and unread count."""

from ..models import (
    Notification,
    NotificationPreference,
)


def notifications_for(user):
    """The user's inbox, newest first, with what each row links to."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("obligation")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(user):
    """The header's badge: one COUNT over the recipient index."""
    return Notification.objects.filter(recipient=user).unread().count()


def notification_email_mode(user):
    """What the user chose (NotificationPreference.Email), else the default."""
    chosen = (
        NotificationPreference.objects.filter(user=user)
        .values_list("email", flat=True)
        .first()
    )
    return chosen or NotificationPreference.DEFAULT
