"""Builders shared by the notification tests."""

from tracker.models import NotificationPreference

EVERY_EVENT = NotificationPreference.Email.EVERY_EVENT
DAILY_DIGEST = NotificationPreference.Email.DAILY_DIGEST


def choose_email(user, choice, address="zhangsan@example.cn"):
    """Give ``user`` an email address and their choice of email notifications."""
    user.email = address
    user.save(update_fields=["email"])
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": choice}
    )
    return user
