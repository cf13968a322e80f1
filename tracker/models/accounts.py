"""Per-user account state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountProfile(models.Model):
    """What the tracker keeps about an account beyond Django's user: whether its
    password is a temporary one an administrator set, which the user must replace
    before doing anything else (tracker.middleware.PasswordChangeRequiredMiddleware).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="account_profile",
        verbose_name=_("user"),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set with a temporary password; cleared when the user sets one."),
    )
    # Group robots @mention a person by the mobile number of their chat account.
    mobile = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        help_text=_("Used to @mention the person in the department's group chat."),
    )

    # The one organization the person works for: what they see is it and what lies
    # below it (organizations.organization_scope_q).
    organization = models.ForeignKey(
        "tracker.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("organization"),
    )

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")

    def __str__(self):
        return str(self.user)
