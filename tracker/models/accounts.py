"""Per-user account state."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaderLevel(models.TextChoices):
    """A county leader's level (县领导), which decides the colour of the 督办单 they
    issue: the seed report's "党委政府分管负责人交办白色督办单，县委副书记、政府常务
    副县长交办黄色督办单，县委县政府主要领导交办红色督办单"."""

    IN_CHARGE = "in_charge", _("Leader in charge (分管负责人)")
    DEPUTY = (
        "deputy",
        _("Deputy secretary / executive deputy head (县委副书记·常务副县长)"),
    )
    PRINCIPAL = "principal", _("Principal leader (主要领导)")


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
    # Only for members of the leader group (permissions.LEADER_GROUP).
    leader_level = models.CharField(
        _("leader level"),
        max_length=20,
        choices=LeaderLevel.choices,
        blank=True,
        help_text=_("For county leaders: the colour of 督办单 they issue follows it."),
    )

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")

    def __str__(self):
        return str(self.user)
