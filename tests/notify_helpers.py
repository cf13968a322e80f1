"""Builders shared by the notification tests."""

import socket

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


def free_port():
    """A local port nothing listens on: for a test server or a refused connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
