"""催办: a supervisor's chase of an item or of one unit's part, short of a 督办单,
and the unit's answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .departments import Department
from .obligations import Obligation
from .parts import Part


class Chase(models.Model):
    obligation = models.ForeignKey(
        Obligation, models.PROTECT, related_name="chases", verbose_name=_("obligation")
    )
    # Set when a co-operating unit's part is chased, not the lead unit's item.
    part = models.ForeignKey(
        Part,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="chases",
        verbose_name=_("part"),
    )
    # The unit chased when it was chased: the ranking counts it for this unit even
    # if the item is reassigned later.
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="chases",
        verbose_name=_("department"),
    )
    note = models.TextField(_("note"))
    chased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("chased by"),
    )
    chased_at = models.DateTimeField(_("chased at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chase")
        verbose_name_plural = _("chases")
        ordering = ["-chased_at", "-pk"]
        indexes = [
            # The ranking's "催办次数": a unit's chases in a report.
            models.Index(fields=["department", "chased_at"], name="chase_dept_idx"),
        ]

    def __str__(self):
        return f"{self.obligation_id} {self.chased_at:%Y-%m-%d}"

    @property
    def is_answered(self):
        return self.answered_at is not None
