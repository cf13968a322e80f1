"""督办单: their numbering and the escalation rules."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .departments import Department
from .obligations import Obligation
from .reports import display_name


class NoticeCounter(models.Model):
    """The last number issued for a notice prefix in a year.

    Issuing a notice locks this row (SELECT ... FOR UPDATE) and increments it in the
    escalation's transaction: a rolled-back escalation gives its number back, and two
    supervisors escalating at once get consecutive numbers, never the same one."""

    prefix = models.CharField(_("prefix"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("notice number counter")
        verbose_name_plural = _("notice number counters")
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year"], name="notice_counter_unique_prefix_year"
            )
        ]

    def __str__(self):
        return f"{self.prefix}〔{self.year}〕{self.last_number}"


class SupervisionNotice(models.Model):
    """A numbered supervision notice (督办单), issued when an obligation's supervision
    level is raised to white, yellow or red, the leader in whose name it is issued
    (交办领导), and the responsible department's reply."""

    obligation = models.ForeignKey(
        Obligation, models.PROTECT, related_name="notices", verbose_name=_("obligation")
    )
    prefix = models.CharField(_("prefix"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    level = models.CharField(
        _("supervision level"),
        max_length=10,
        choices=Obligation.SupervisionLevel.choices,
    )
    # The department responsible when the notice was issued: the notice is addressed
    # to it, even if the obligation is reassigned later.
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("responsible department"),
    )
    reason = models.TextField(_("reason"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_on = models.DateField(_("issuing date"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    reply_due = models.DateField(_("reply due"))
    # 交办领导: the county leader in whose name the notice is issued, either approved
    # in the app (``leader`` and ``signed_at``) or from a paper signature the
    # supervisor recorded (``leader_name`` and ``signed_on``). Until either, the
    # notice is "prepared, awaiting the leader's signature" (待领导签发).
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing leader"),
    )
    leader_name = models.CharField(
        _("issuing leader's name"), max_length=100, blank=True
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature recorded by"),
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "number"], name="notice_unique_number"
            )
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("tracker:notice_detail", args=[self.pk])

    @property
    def code(self):
        """The notice's number as printed: 巫法督〔2026〕3号."""
        return f"{self.prefix}〔{self.year}〕{self.number}号"

    @property
    def is_signed(self):
        """Whether a leader approved it in the app or signed it on paper."""
        return self.signed_on is not None

    @property
    def leader_display(self):
        """The 交办领导 as printed: the account's name or the recorded one."""
        if self.leader_id is not None:
            return display_name(self.leader)
        return self.leader_name

    @property
    def is_replied(self):
        return self.replied_at is not None


class EscalationRule(models.Model):
    """Raise the supervision level of an obligation overdue for at least
    ``overdue_workdays`` working days (``send_reminders``). Off by default; a rule
    never lowers a level."""

    overdue_workdays = models.PositiveSmallIntegerField(
        _("overdue for at least (working days)")
    )
    level = models.CharField(
        _("raise to"),
        max_length=10,
        choices=[
            (level.value, level.label)
            for level in (
                Obligation.SupervisionLevel.YELLOW,
                Obligation.SupervisionLevel.RED,
            )
        ],
    )
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["overdue_workdays"]

    def __str__(self):
        return f"≥ {self.overdue_workdays} → {self.get_level_display()}"
