"""调度: a report's schedule of progress reports (月报 / 季报) and the reports the
units file for each period.

A period is named by its first day (the 1st of its month or quarter) and is due on
day N of its month (monthly) or of its quarter's last month (quarterly). A report
filed on or before the due day is on time, after it late; none by then is missing
(未按时报送). ``Schedule.periods`` is the one place that says which periods there
are and when each is due.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .obligations import Obligation
from .parts import Part
from .reports import Report


@dataclass(frozen=True)
class Period:
    start: date
    due: date
    label: str

    def state(self, today: date) -> str:
        """ "open" until its due day has passed, then "past"."""
        return "past" if self.due < today else "open"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class Schedule(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    report = models.OneToOneField(
        Report, models.PROTECT, related_name="schedule", verbose_name=_("report")
    )
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    # 每月25日前报送: day 28 at most, so every month has it.
    day = models.PositiveSmallIntegerField(
        _("due on day"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "The day of the month (monthly) or of the quarter's last month "
            "(quarterly) by which each period's progress report is due (1–28)."
        ),
    )
    starts_on = models.DateField(
        _("first period"),
        help_text=_("Any day of the first month (or quarter) that is reported on."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Days before the due day when the units are reminded.
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before"), default=3
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report schedule")
        verbose_name_plural = _("progress report schedules")

    def __str__(self):
        return f"{self.report} · {self.get_frequency_display()} · {self.day}"

    def _step(self):
        return 1 if self.frequency == self.Frequency.MONTHLY else 3

    def _first_start(self):
        start = _month_start(self.starts_on)
        if self.frequency == self.Frequency.QUARTERLY:
            start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
        return start

    def period_of(self, start: date) -> Period:
        last_month = _add_months(start, self._step() - 1)
        due = last_month.replace(day=min(self.day, 28))
        if self.frequency == self.Frequency.MONTHLY:
            label = f"{start.year}-{start.month:02d}"
        else:
            label = f"{start.year} Q{(start.month - 1) // 3 + 1}"
        return Period(start=start, due=due, label=label)

    def periods(self, until: date, *, limit: int = 12) -> list[Period]:
        """The periods from the first up to the one ``until`` falls in, the last
        ``limit`` of them, oldest first."""
        result = []
        start = self._first_start()
        while start <= until:
            result.append(self.period_of(start))
            start = _add_months(start, self._step())
        return result[-limit:]

    def current_period(self, today: date) -> Period | None:
        """The period ``today`` falls in (None before the first)."""
        periods = self.periods(today, limit=1)
        return periods[0] if periods else None


class ProgressReportQuerySet(models.QuerySet):
    def of_item(self):
        return self.filter(part__isnull=True)


class ProgressReport(models.Model):
    """进展情况 / 下一步 / 存在困难 of one item (or one unit's part) for one period."""

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("obligation"),
    )
    part = models.ForeignKey(
        Part,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("part"),
    )
    period = models.DateField(_("period"))
    progress = models.TextField(_("progress"))
    next_steps = models.TextField(_("next steps"), blank=True)
    difficulties = models.TextField(_("difficulties"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    # Whether it was filed by the period's due day (set when filed).
    on_time = models.BooleanField(_("on time"), default=True)

    history = HistoricalRecords()
    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period", "-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period"],
                condition=Q(part__isnull=True),
                name="progress_one_per_item_period",
            ),
            models.UniqueConstraint(
                fields=["part", "period"],
                condition=Q(part__isnull=False),
                name="progress_one_per_part_period",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "obligation"], name="progress_period_idx")
        ]

    def __str__(self):
        return f"{self.obligation_id} {self.period.isoformat()}"
