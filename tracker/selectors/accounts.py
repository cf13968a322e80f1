"""Accounts."""

from ..models import (
    AccountProfile,
)


def must_change_password(user) -> bool:
    """Whether ``user``'s password is a temporary one an administrator set."""
    return AccountProfile.objects.filter(user=user, must_change_password=True).exists()
