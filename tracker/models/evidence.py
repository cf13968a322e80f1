"""佐证材料."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .obligations import Obligation


def evidence_upload_to(instance, filename):
    """A generated storage name: the user's file name is kept for display only, so
    traversal sequences and odd characters never reach the file system."""
    suffix = PurePath(filename).suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 6:
        suffix = ""
    now = timezone.now()
    return f"evidence/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A supporting document (佐证材料). Never deleted: withdrawing keeps the file."""

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="evidence",
        verbose_name=_("obligation"),
    )
    # A co-operating unit's file for its part (None: the lead unit's own).
    part = models.ForeignKey(
        "tracker.Part",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("part"),
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("tracker:evidence_download", args=[self.pk])

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None
