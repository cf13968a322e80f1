"""批示: a county leader's written instruction on an item, and the unit's reply."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .departments import Department
from .obligations import Obligation


class Instruction(models.Model):
    """A leader's 批示 on an obligation. It stands at the top of the item's page
    until the responsible unit replies (``replied_at``)."""

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="instructions",
        verbose_name=_("obligation"),
    )
    # The unit addressed when the instruction was written: it answers even if the
    # item is reassigned later.
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("department"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("leader"),
    )
    text = models.TextField(_("instruction"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader's instruction (批示)")
        verbose_name_plural = _("leaders' instructions (批示)")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.obligation_id} {self.created_at:%Y-%m-%d}"

    @property
    def is_replied(self):
        return self.replied_at is not None
