"""Follow-up across years."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .obligations import Obligation
from .workflow import ProtectedTimelineError


class FollowUpQuerySet(models.QuerySet):
    def confirmed(self):
        """The matches in force: confirmed and not withdrawn since."""
        return self.filter(withdrawn_at__isnull=True)

    def recurring(self):
        """Confirmed matches of a problem to a problem of the next year's report:
        the problem appears again (反复出现)."""
        return self.confirmed().filter(
            earlier__kind=Obligation.Kind.PROBLEM, later__kind=Obligation.Kind.PROBLEM
        )

    def delete(self):
        raise ProtectedTimelineError(_("Follow-up matches cannot be deleted."))


class FollowUp(models.Model):
    """A task or problem of one year's report and an item of the same
    organization's next report that reports on it, as a supervisor confirmed it
    (``services.followups.followup_confirm``). Suggested by ``similarity``; only
    a confirmed match is stored. Never deleted: an unconfirm (``followup_withdraw``)
    records who, when and why, and a later confirmation of the same pair is a new
    row."""

    earlier = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="followups",
        verbose_name=_("earlier obligation"),
    )
    later = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="follows_up",
        verbose_name=_("later obligation"),
    )
    # What the suggestion said when it was confirmed: the cosine and the wording
    # both passages share (the reason shown beside it).
    score = models.FloatField(_("similarity"))
    shared_terms = models.JSONField(_("shared wording"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up across years")
        verbose_name_plural = _("follow-ups across years")
        ordering = ["earlier__position", "later__position", "pk"]
        constraints = [
            # Two supervisors confirming the same pair at once get one match.
            models.UniqueConstraint(
                fields=["earlier", "later"],
                condition=Q(withdrawn_at__isnull=True),
                name="followup_one_confirmed_per_pair",
            )
        ]

    def __str__(self):
        return f"{self.earlier_id} → {self.later_id}"

    def delete(self, *args, **kwargs):
        raise ProtectedTimelineError(_("Follow-up matches cannot be deleted."))

    @property
    def is_recurring(self):
        return (
            self.earlier.kind == Obligation.Kind.PROBLEM
            and self.later.kind == Obligation.Kind.PROBLEM
        )


class FollowUpRejection(models.Model):
    """A suggested follow-up match a supervisor judged wrong
    (``services.followups.followup_reject``): no longer suggested. Never deleted."""

    earlier = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="+",
        verbose_name=_("earlier obligation"),
    )
    later = models.ForeignKey(
        Obligation, models.PROTECT, related_name="+", verbose_name=_("later obligation")
    )
    reason = models.TextField(_("reason"))
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected at"), default=timezone.now)

    class Meta:
        verbose_name = _("rejected follow-up suggestion")
        verbose_name_plural = _("rejected follow-up suggestions")
        ordering = ["-rejected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["earlier", "later"], name="followup_rejection_unique_pair"
            )
        ]

    def __str__(self):
        return f"{self.earlier_id} ↛ {self.later_id}"

    def delete(self, *args, **kwargs):
        raise ProtectedTimelineError(_("Follow-up decisions cannot be deleted."))
