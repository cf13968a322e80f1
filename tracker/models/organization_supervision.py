"""A city's 催办 and 督办单 to a county as a whole, and the county's answer.

A chase (``Chase``) and a notice (``SupervisionNotice``) inside a county belong to
one of its items; the city's belong to no item of the county's: they are addressed
to the county (its supervisors and leaders hear and answer), numbered from the same
``NoticeCounter`` as the issuing organization's other 督办单."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .obligations import Obligation
from .organizations import Organization
from .reports import Report


class OrganizationSupervision(models.Model):
    class Kind(models.TextChoices):
        CHASE = "chase", _("Chase (催办)")
        NOTICE = "notice", _("Supervision notice (督办单)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The county addressed: its supervisors and leaders hear of it and answer.
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="supervisions_received",
        verbose_name=_("organization addressed"),
    )
    # The city (or province) in whose name it was sent; None when the platform's
    # administrator, who belongs to no organization, sent it.
    issuer = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing organization"),
    )
    # The county's report it is about (of the year the city's page showed, else
    # its latest): the city's ranking of that year counts it for the county.
    report = models.ForeignKey(
        Report,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("report"),
    )
    note = models.TextField(_("note"))
    # Only a notice: its colour, its number (the issuer's 文号 prefix) and the
    # day the county's written reply is due.
    level = models.CharField(
        _("supervision level"),
        max_length=10,
        choices=Obligation.SupervisionLevel.choices,
        blank=True,
    )
    prefix = models.CharField(_("prefix"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
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
        verbose_name = _("supervision of an organization")
        verbose_name_plural = _("supervision of organizations")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "number"],
                condition=Q(number__isnull=False),
                name="org_notice_unique_number",
            )
        ]
        indexes = [
            # The city's pages count each county's open ones.
            models.Index(
                fields=["organization", "answered_at"], name="org_supervision_idx"
            ),
        ]

    def __str__(self):
        return self.code or f"{self.organization} {self.sent_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("tracker:organization_supervision_detail", args=[self.pk])

    @property
    def code(self):
        """The notice's number as printed (重法督〔2026〕3号); "" for a chase."""
        if self.number is None:
            return ""
        return f"{self.prefix}〔{self.year}〕{self.number}号"

    @property
    def is_answered(self):
        return self.answered_at is not None
