"""Password rules of our own, next to Django's (``AUTH_PASSWORD_VALIDATORS``).

- ``NotTheCurrentPasswordValidator``: a temporary password "changed" to itself left
  the forced change achieving nothing (the administrator still knows it).
- ``MinimumLengthValidator``: Django 5.2 words its message with ``%d``, a text its
  Chinese catalogue does not have yet, so users read the rule in English; ours is
  in our catalogue.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class NotTheCurrentPasswordValidator:
    """The new password may not be the one the account has now."""

    def validate(self, password, user=None):
        current = getattr(user, "password", "")
        # hashers.check_password, not user.check_password: that one may re-hash and
        # save the stored password, and validating must write nothing.
        if current and check_password(password, current):
            raise ValidationError(
                _("This is the current password; choose a new one."),
                code="password_unchanged",
            )

    def get_help_text(self):
        return _("Your password must differ from the current one.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short: it must have at least %(min_length)d "
            "character.",
            "This password is too short: it must have at least %(min_length)d "
            "characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
