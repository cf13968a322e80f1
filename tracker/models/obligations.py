"""The obligation, and the one definition of overdue and due soon."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import workdays
from ..workdays import current_calendar
from .departments import Department
from .organizations import organization_scope_q
from .reports import Report, Section

# The report's calendar: "today", due dates and working days are days here.


# Every page, count and export asks these: ``ObligationQuerySet.overdue`` and
# ``due_within``, ``Count(filter=overdue_q(today))`` in the scorecards,
# ``Obligation.is_overdue`` for rows already in memory. ``today`` is a calendar date
# in the report's time zone (``timezone.localdate()``). A change of the rule (such as
# deadlines counted in working days) is made here and nowhere else, and
# ``overdue_in_python`` must keep saying what ``overdue_q`` says.

# "Due soon" on the dashboard and the scorecards: due within this many days.
DUE_SOON_DAYS = 14


def not_done_q() -> Q:
    return ~Q(status=Obligation.Status.DONE)


def overdue_q(today: date) -> Q:
    """Past the due date and not done."""
    return Q(due_date__lt=today) & not_done_q()


def overdue_in_python(obligation, today: date) -> bool:
    """``overdue_q`` for one obligation already in memory (a table row, a page)."""
    return (
        obligation.due_date is not None
        and obligation.due_date < today
        and obligation.status != Obligation.Status.DONE
    )


@dataclass(frozen=True)
class Countdown:
    """Where a not-done obligation stands against its due date, in working days
    (``tracker.workdays``): ``state`` is "remaining", "today" or "overdue"."""

    state: str
    workdays: int

    @property
    def label(self) -> str:
        """剩余 N 个工作日 / 今日到期 / 超期 N 个工作日, in the active language."""
        if self.state == "today":
            return gettext("Due today")
        if self.state == "overdue":
            message = ngettext(
                "%(count)d working day overdue",
                "%(count)d working days overdue",
                self.workdays,
            )
        else:
            message = ngettext(
                "%(count)d working day left",
                "%(count)d working days left",
                self.workdays,
            )
        return message % {"count": self.workdays}


def countdown(due_date, status, today: date, *, calendar=None) -> Countdown | None:
    """The countdown shown next to every due date; None when there is no due date
    or the obligation is done. Overdue exactly when ``overdue_q`` says so (due
    before today); its count is the working days since the due date, at least 1
    (the day after a Friday deadline is overdue, though not a working day).
    Remaining: the working days after today up to the due date, so 0 when only
    non-working days are left before it."""
    if due_date is None or status == Obligation.Status.DONE:
        return None
    if due_date == today:
        return Countdown("today", 0)
    days = workdays.workdays_between(today, due_date, calendar=calendar)
    if due_date < today:
        return Countdown("overdue", max(1, -days))
    return Countdown("remaining", days)


def due_within_range(today: date, days: int) -> tuple[date, date]:
    """The first and last due date (both included) of "due within ``days``"; the
    dashboard's link to the filtered list uses the same two dates."""
    return today, today + timedelta(days=days)


def due_within_q(today: date, days: int) -> Q:
    """Not done and due between today and ``days`` days later."""
    first, last = due_within_range(today, days)
    return Q(due_date__gte=first, due_date__lte=last) & not_done_q()


def unacknowledged_q() -> Q:
    """Assigned to a department that has not acknowledged it (签收); done
    obligations need no acknowledgement. For filters and ``Count(filter=...)``."""
    return Q(department__isnull=False, acknowledged_at__isnull=True) & not_done_q()


class ObligationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Obligations a user may see.

        Every signed-in user sees every obligation of their organization and of
        those below it (the report is public inside the government); what differs
        by role is what they may change or download. Another organization's
        obligations do not exist for them (404).
        """
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            organization_scope_q(user, "report__organization_unit__path")
        )

    def of_open_reports(self):
        """Obligations whose report is not closed and that were not carried over
        into the next report (结转): what queues, reminders and escalations still
        act on."""
        return self.filter(report__closed_at__isnull=True, carried_into__isnull=True)

    def of_user_departments(self, user):
        """The obligations a staff member is responsible for: their departments'
        and those they own personally."""
        return self.filter(Q(department__members=user) | Q(owner=user)).distinct()

    def overdue(self, today: date):
        return self.filter(overdue_q(today))

    def due_within(self, today: date, days: int):
        return self.filter(due_within_q(today, days))

    def in_report_text(self):
        """Those the report's text still has: a re-import that no longer has an
        obligation marks it (``missing_since``) and keeps it, and it leaves the
        figures and the default list."""
        return self.filter(missing_since__isnull=True)

    def unacknowledged(self):
        """Not acknowledged (签收) by the responsible department yet."""
        return self.filter(unacknowledged_q())

    def unacknowledged_for(self, today: date, workdays: int = 2, *, calendar=None):
        """Assigned and not acknowledged for at least ``workdays`` working days as
        of ``today`` (the day of assignment does not count: assigned on Monday,
        it is 2 working days old on Wednesday). The working days are counted in
        Python once, so the filter is a plain comparison on the assignment time."""
        calendar = calendar or current_calendar()
        # The latest day of assignment that is ``workdays`` working days old today:
        # the day before the ``workdays``-th working day counting back from today.
        latest, counted = today, 0
        while counted < workdays:
            counted += calendar.is_workday(latest)
            latest -= timedelta(days=1)
        end = datetime.combine(latest + timedelta(days=1), time.min)
        return self.unacknowledged().filter(
            department_assigned_at__lt=timezone.make_aware(
                end, timezone.get_default_timezone()
            )
        )


class Obligation(models.Model):
    class Kind(models.TextChoices):
        WORK_ITEM = "work_item", _("Work item")
        PROBLEM = "problem", _("Problem")
        TASK = "task", _("Next-year task")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        # 待单位审核: submitted in a unit whose head signs off first.
        SIGNOFF = "signoff", _("Awaiting the head's sign-off")
        SUBMITTED = "submitted", _("Awaiting review")
        DONE = "done", _("Done")
        RETURNED = "returned", _("Returned")

    class SupervisionLevel(models.TextChoices):
        NONE = "none", _("No supervision")
        WHITE = "white", _("White supervision")
        YELLOW = "yellow", _("Yellow supervision")
        RED = "red", _("Red supervision")

    # 结果考评: the supervisor's rating of finished work, given when approving.
    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="obligations", verbose_name=_("report")
    )
    section = models.ForeignKey(
        Section, models.PROTECT, related_name="obligations", verbose_name=_("section")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=32)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))
    # Character offsets of this obligation's passage in Report.source_text.
    source_start = models.PositiveIntegerField(_("source start"), default=0)
    source_end = models.PositiveIntegerField(_("source end"), default=0)
    # Set by a re-import whose text no longer has this unit: its offsets are then
    # cleared (they would point at another obligation's words in the new text) and
    # ``body`` keeps the passage as last imported. A later import that finds the
    # code again clears it.
    missing_since = models.DateTimeField(
        _("no longer in the report since"), null=True, blank=True
    )

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        db_index=True,
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("responsible department"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_obligations",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    supervision_level = models.CharField(
        _("supervision level"),
        max_length=10,
        choices=SupervisionLevel.choices,
        default=SupervisionLevel.NONE,
        db_index=True,
    )
    # 签收: the time is set and the acknowledgement cleared whenever the department
    # changes (obligation_assign); obligation_acknowledge fills the other two.
    department_assigned_at = models.DateTimeField(
        _("assigned to the department at"), null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # Set only by the approval transition (blank = not rated); reopening clears
    # both, the history keeps what they were.
    rating = models.CharField(
        _("rating"), max_length=10, choices=Rating.choices, blank=True, default=""
    )
    rating_comment = models.TextField(_("rating comment"), blank=True, default="")
    # Optimistic locking: every service write compares the version the user saw
    # with this one under a row lock and bumps it (services.common.lock_obligation
    # explains why not a conditional UPDATE).
    version = models.PositiveIntegerField(_("version"), default=1)
    # When the status last changed; lets "awaiting review, oldest first" read one
    # column instead of the timeline. (The completion-over-time chart reads the
    # timeline: it needs the day of each move to "done".)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # 报告用语: the one or two sentences next year's report says of this item,
    # written or accepted by the supervisor at approval (never the staff's raw
    # progress notes); the draft marks items without it 【待补充】.
    report_wording = models.TextField(_("report wording"), blank=True, default="")
    # 结转: the obligation of the next report this unfinished one was carried into.
    # An outcome beside the status rather than a status of its own: the status
    # stays what the work reached (not done, so the ranking counts it unfinished)
    # and the TRANSITIONS table keeps describing only the work; the carried-over
    # obligation is read-only like one of a closed report.
    carried_into = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_from",
        verbose_name=_("carried over into"),
    )
    addresses = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="addressed_by",
        limit_choices_to={"kind": Kind.PROBLEM},
        verbose_name=_("addresses problems"),
        help_text=_("For a task: the problems of the report it remedies."),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ObligationQuerySet.as_manager()

    # What assigning sets (obligation_assign, the assign form, the admin): the
    # responsible department and person and the due date.
    ASSIGNABLE_FIELDS = ("department", "owner", "due_date")

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"], name="obligation_unique_report_code"
            )
        ]
        indexes = [
            # The dashboard's per-department breakdown and the department filter.
            models.Index(fields=["department", "status"], name="obl_dept_status_idx"),
            # Overdue / due-soon lists: due date among the not-done.
            models.Index(fields=["status", "due_date"], name="obl_status_due_idx"),
            # The obligation list's default order (report, position) with LIMIT 50.
            models.Index(fields=["report", "position"], name="obl_report_position_idx"),
            # "Awaiting review, oldest first": submitted, by status_changed_at.
            models.Index(
                fields=["status", "status_changed_at"], name="obl_status_changed_idx"
            ),
            # The dashboard's overdue and due-soon lists: a report's obligations in
            # due date order, read up to the LIMIT instead of sorted in full.
            models.Index(
                fields=["report", "due_date", "position"], name="obl_report_due_idx"
            ),
            # Covers the dashboard's counts of a report (overall, per department,
            # section and kind): they read this index, not the rows with their text.
            models.Index(
                fields=[
                    "report",
                    "department",
                    "status",
                    "due_date",
                    "supervision_level",
                    "kind",
                    "section",
                ],
                name="obl_report_counts_idx",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("tracker:obligation_detail", args=[self.pk])

    def is_overdue(self, today: date) -> bool:
        return overdue_in_python(self, today)

    def countdown(self, today: date) -> Countdown | None:
        """None also once settled otherwise: carried over, or its report closed
        (nothing of it can change, so no day is left or late)."""
        if self.carried_into_id is not None or self.report_is_closed():
            return None
        return countdown(self.due_date, self.status, today)

    @property
    def carried_from_or_none(self):
        """The item of the year before this one was carried over from (结转), or
        None (the reverse side of ``carried_into``; a query unless cached)."""
        try:
            return self.carried_from
        except Obligation.DoesNotExist:
            return None

    def report_is_closed(self) -> bool:
        """From ``report_closed`` when the query annotated it (lists), else from
        the report (one query unless it came with ``select_related``)."""
        if hasattr(self, "report_closed"):
            return bool(self.report_closed)
        return self.report.closed_at is not None


class StatusSnapshot(models.Model):
    """How many obligations of a report had each status on a day (as last taken
    that day): the completion-over-time chart reads these tens of rows instead of
    the timeline. Written by ``services.status_snapshot_take`` (the daily
    ``send_reminders`` run, and the dashboard for today) and, for the days before
    snapshots were taken, by ``manage.py snapshot_status --backfill``."""

    report = models.ForeignKey(
        Report, models.CASCADE, related_name="+", verbose_name=_("report")
    )
    day = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=20, choices=Obligation.Status.choices
    )
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "day", "status"], name="snapshot_unique_day_status"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.status}: {self.count}"


def open_work_q() -> Q:
    """Obligations still to be worked on: not done, not carried over into the next
    report (结转), in a report that is not closed."""
    return (
        ~Q(status=Obligation.Status.DONE)
        & Q(carried_into__isnull=True)
        & Q(report__closed_at__isnull=True)
    )


def open_work_years() -> dict[int, int]:
    """{report pk: year} of the reports with open work (``open_work_q``), oldest
    year first: one query. The one rule for "which years are live": more than one,
    and every list, queue, notification and export labels items with their year
    (``selectors.reports.labels_years``, ``recording.obligation_name``)."""
    return dict(
        Report.objects.filter(closed_at__isnull=True)
        .filter(
            models.Exists(
                Obligation.objects.filter(report=models.OuterRef("pk"))
                .filter(open_work_q())
                .values("pk")
            )
        )
        .order_by("year", "imported_at")
        .values_list("pk", "year")
    )
