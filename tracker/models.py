"""The domain: a report, its sections, and the obligations it promises.

Nothing here is ever hard-deleted: foreign keys between domain rows are PROTECT, and
the timeline (ProgressUpdate) refuses deletion outright. Every write goes through
``tracker.services``; models hold fields, querysets and small read-only helpers.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import workdays

# The report's calendar: "today", due dates and working days are days here.
REPORT_TZ = ZoneInfo("Asia/Shanghai")


def display_name(user) -> str:
    """How a person is named on every page, in exports and in the timeline: the
    full name, else the login. Templates use the ``display_name`` filter."""
    return user.get_full_name() or user.get_username()


def display_name_expression(relation: str) -> Coalesce:
    """``display_name`` as an SQL expression of the person at ``relation`` (e.g.
    "owner"), for queries that read names without building users (the export);
    NULL when there is nobody. Like ``get_full_name()``: "first last", trimmed."""
    full_name = Trim(
        Concat(F(f"{relation}__first_name"), Value(" "), F(f"{relation}__last_name"))
    )
    return Coalesce(NullIf(full_name, Value("")), F(f"{relation}__username"))


class Report(models.Model):
    # The years a report may be for, checked before an import writes (the column
    # itself would take 0 to 32767).
    YEAR_MIN, YEAR_MAX = 1900, 2100

    organization = models.CharField(_("organization"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    source_text = models.TextField(_("source text"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    notice_prefix = models.CharField(
        _("supervision notice prefix"),
        max_length=20,
        blank=True,
        help_text=_(
            "The issuer's abbreviation in the numbers of supervision notices, as in "
            "巫法督〔2026〕3号. Empty: the organization's first character + 法督."
        ),
    )
    # Closed (年终归档): every obligation of the report is read-only for everyone
    # until a supervisor reopens it (services.report_close / report_reopen; who,
    # when and why of each are in ReportEvent).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="report_unique_org_year"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracker:report_detail", args=[self.pk])

    def notice_prefix_or_default(self):
        """The prefix of this report's supervision notice numbers (发文机关代字)."""
        return self.notice_prefix.strip() or f"{self.organization[:1]}法督"

    @property
    def is_closed(self):
        return self.closed_at is not None


class ProtectedReportLogError(Exception):
    pass


class ReportEventQuerySet(models.QuerySet):
    def delete(self):
        raise ProtectedReportLogError(_("Report log entries cannot be deleted."))


class ReportEvent(models.Model):
    """The report's own log, append-only: closing, reopening and archiving act on
    the whole report, so they are recorded once here rather than on each of its
    obligations' timelines."""

    class Action(models.TextChoices):
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        ARCHIVED = "archived", _("Archived")

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    objects = ReportEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("report log entry")
        verbose_name_plural = _("report log")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.report} {self.get_action_display()}"

    def delete(self, *args, **kwargs):
        raise ProtectedReportLogError(_("Report log entries cannot be deleted."))


class ReportRevision(models.Model):
    """A number that grows with every write to a report's obligations, evidence or
    timeline (``services.report_invalidate_dashboard``), in the same transaction as
    the write.

    The dashboard's cached figures are stored under a key holding it, so the first
    request after a write computes them anew and no figure outlives the write that
    changed it. A row of its own, not a column of ``Report``: an import holds the
    report's row locked while it locks the obligations, and a write holds its
    obligation's row while it bumps this number; on the report's row the two would
    wait for each other."""

    report = models.OneToOneField(
        Report,
        models.CASCADE,
        primary_key=True,
        related_name="revision",
        verbose_name=_("report"),
    )
    number = models.PositiveBigIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")

    def __str__(self):
        return f"{self.report_id}: {self.number}"


class Section(models.Model):
    """A chapter (一、…) or a group ((一)…) of a report, as printed."""

    report = models.ForeignKey(
        Report, models.PROTECT, related_name="sections", verbose_name=_("report")
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("As printed: 一 or (一)")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["report", "position"]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_chapter(self):
        return self.parent_id is None


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("members"),
    )
    # Departments named in the record are deactivated, never deleted (the admin
    # refuses the deletion), so past obligations and their history still name them.
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "A deactivated department keeps its obligations and history but is no "
            "longer offered for assignment."
        ),
    )
    # A 企业微信 / 钉钉 group robot: the department's events and daily digest are
    # posted there too. Only http(s): the server makes the request, so file:// or
    # other schemes must never reach urllib.
    webhook_url = models.CharField(
        _("group chat webhook"),
        max_length=500,
        blank=True,
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_("Enter an address starting with http:// or https://."),
            )
        ],
        help_text=_(
            "The address of a 企业微信 or 钉钉 group robot; the department's "
            "notifications are posted there. Leave empty for none."
        ),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tracker:department_detail", args=[self.pk])


class Holiday(models.Model):
    """A day that overrides the ``chinese-calendar`` package in working-day counts:
    a holiday (is_workday off) or a weekend day moved to work (调休, on). Also how a
    year the package does not cover yet gets its holidays (tracker.workdays)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_(
            "Tick for a weekend day moved to work (调休); leave empty for a holiday."
        ),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or working weekend day")
        verbose_name_plural = _("holidays and working weekend days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.name}".strip()


# --- Overdue and due soon: the one definition ---------------------------------------
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

        Every signed-in user sees every obligation (the report is public inside the
        government); what differs by role is what they may change or download.
        """
        if not user.is_authenticated:
            return self.none()
        return self

    def of_open_reports(self):
        """Obligations whose report is not closed: what reminders and escalations
        still act on."""
        return self.filter(report__closed_at__isnull=True)

    def of_user_departments(self, user):
        """The obligations a staff member is responsible for: their departments'
        and those they own personally."""
        return self.filter(Q(department__members=user) | Q(owner=user)).distinct()

    def overdue(self, today: date):
        return self.filter(overdue_q(today))

    def due_within(self, today: date, days: int):
        return self.filter(due_within_q(today, days))

    def unacknowledged(self):
        """Not acknowledged (签收) by the responsible department yet."""
        return self.filter(unacknowledged_q())

    def unacknowledged_for(self, today: date, workdays: int = 2, *, calendar=None):
        """Assigned and not acknowledged for at least ``workdays`` working days as
        of ``today`` (the day of assignment does not count: assigned on Monday,
        it is 2 working days old on Wednesday). The working days are counted in
        Python once, so the filter is a plain comparison on the assignment time."""
        from . import workdays as calendar_module

        calendar = calendar or calendar_module.current_calendar()
        # The latest day of assignment that is ``workdays`` working days old today:
        # the day before the ``workdays``-th working day counting back from today.
        latest, counted = today, 0
        while counted < workdays:
            counted += calendar.is_workday(latest)
            latest -= timedelta(days=1)
        end = datetime.combine(latest + timedelta(days=1), time.min)
        return self.unacknowledged().filter(
            department_assigned_at__lt=timezone.make_aware(end, REPORT_TZ)
        )


class Obligation(models.Model):
    class Kind(models.TextChoices):
        WORK_ITEM = "work_item", _("Work item")
        PROBLEM = "problem", _("Problem")
        TASK = "task", _("Next-year task")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
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
    # with this one under a row lock and bumps it (services._lock explains why not
    # a conditional UPDATE).
    version = models.PositiveIntegerField(_("version"), default=1)
    # When the status last changed; lets "awaiting review, oldest first" read one
    # column instead of the timeline. (The completion-over-time chart reads the
    # timeline: it needs the day of each move to "done".)
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
        return countdown(self.due_date, self.status, today)


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
    (``services.followup_confirm``). Suggested by ``tracker.similarity``; only a
    confirmed match is stored. Never deleted: an unconfirm (``followup_withdraw``)
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
    (``services.followup_reject``): no longer suggested. Never deleted."""

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


class ImportDraft(models.Model):
    """A report file read on the admin's Preview, kept so Import does not need the
    file chosen again. Bound to the admin who previewed it and to a random token
    (the page carries the token, the row the text); kept ``services.
    IMPORT_DRAFT_MINUTES`` minutes. A working copy, not part of the record: expired
    and imported drafts are deleted."""

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The file's text as the importer read it (any format), before parsing.
    text = models.TextField(_("text"))
    links = models.JSONField(_("links"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report import draft")
        verbose_name_plural = _("report import drafts")

    def __str__(self):
        return self.file_name


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


class ExtensionRequest(models.Model):
    """A request for a later due date (延期申请) by the working staff, decided by a
    supervisor. At most one is pending per obligation (a partial unique index)."""

    class Status(models.TextChoices):
        # A context of their own: "Pending" is also an email waiting to be sent.
        PENDING = "pending", pgettext_lazy("extension request", "Pending")
        APPROVED = "approved", pgettext_lazy("extension request", "Approved")
        REFUSED = "refused", pgettext_lazy("extension request", "Refused")

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="extension_requests",
        verbose_name=_("obligation"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The due date when the request was made, to show what it asked to move.
    previous_due_date = models.DateField(_("due date when requested"))
    requested_due_date = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two staff members asking at once must not both get a pending request.
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status="pending"),
                name="extension_one_pending_per_obligation",
            )
        ]
        indexes = [
            # The supervisors' "pending extension requests", oldest first.
            models.Index(fields=["status", "created_at"], name="ext_status_created_idx")
        ]

    def __str__(self):
        return f"{self.obligation_id} → {self.requested_due_date.isoformat()}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class ProtectedTimelineError(Exception):
    pass


class ProgressUpdateQuerySet(models.QuerySet):
    def delete(self):
        raise ProtectedTimelineError(_("Timeline entries cannot be deleted."))

    def open_returns(self):
        """Returns for rework (→ returned) not followed by a resubmission: what the
        staff are reworking for. An obligation's latest one (highest pk) is the
        reason shown on its page and on /my/ until it is submitted again."""
        resubmitted = self.model.objects.filter(
            obligation=OuterRef("obligation"),
            to_status=Obligation.Status.SUBMITTED,
            pk__gt=OuterRef("pk"),
        )
        return self.filter(
            action=ProgressUpdate.Action.STATUS, to_status=Obligation.Status.RETURNED
        ).filter(~Exists(resubmitted))

    def reworked_since_return(self, obligation) -> bool:
        """Whether a progress note or an evidence file was added after the
        obligation's open return: what a resubmission in one step needs. (With no
        return on the timeline, a status set by other means, any note or file
        counts.) One query."""
        last_return = (
            self.model.objects.open_returns()
            .filter(obligation=obligation)
            .order_by("-pk")
            .values("pk")[:1]
        )
        return self.filter(
            obligation=obligation,
            action__in=(
                ProgressUpdate.Action.COMMENT,
                ProgressUpdate.Action.EVIDENCE_UPLOAD,
            ),
            pk__gt=Coalesce(Subquery(last_return), 0),
        ).exists()


class ProgressUpdate(models.Model):
    """The human timeline of an obligation: append-only."""

    class Action(models.TextChoices):
        COMMENT = "comment", _("Progress update")
        STATUS = "status", _("Status change")
        EVIDENCE_UPLOAD = "evidence_upload", _("Evidence uploaded")
        EVIDENCE_WITHDRAW = "evidence_withdraw", _("Evidence withdrawn")
        SUPERVISION = "supervision", _("Supervision level")
        ASSIGN = "assign", _("Assignment")
        IMPORT = "import", _("Import")
        NOTICE_REPLY = "notice_reply", _("Reply to a supervision notice")
        EDIT = "edit", _("Text edited")
        LINKS = "links", _("Links to problems")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        EXTENSION = "extension", _("Extension request")
        FOLLOW_UP = "follow_up", _("Follow-up across years")

    obligation = models.ForeignKey(
        Obligation, models.PROTECT, related_name="updates", verbose_name=_("obligation")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    action = models.CharField(
        _("action"), max_length=20, choices=Action.choices, default=Action.COMMENT
    )
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Obligation.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=Obligation.Status.choices, blank=True
    )
    evidence = models.ForeignKey(
        Evidence,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, db_index=True
    )

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["obligation", "-created_at"], name="upd_obl_created_idx"
            ),
            # The completion chart's, when it read the "done" entries of the
            # timeline on every request; it reads StatusSnapshot now, and a later
            # migration may drop this index.
            models.Index(
                fields=["to_status", "obligation", "created_at"], name="upd_done_idx"
            ),
        ]

    def __str__(self):
        return f"{self.obligation.code} {self.get_action_display()}"

    def delete(self, *args, **kwargs):
        raise ProtectedTimelineError(_("Timeline entries cannot be deleted."))


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
    level is raised to yellow or red, and the responsible department's reply."""

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
    def is_replied(self):
        return self.replied_at is not None


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in a person's inbox (通知), written by ``services.notify`` in the
    transaction of the change it reports. Email goes out separately: at once
    through an ``OutboundMessage``, or in the next daily digest (``digest_pending``).
    """

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        SUPERVISION = "supervision", _("Supervision raised")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_DECIDED = "extension_decided", _("Extension decided")
        REMINDER = "reminder", _("Reminder")

    # Personal messages, not the official record: they go with their recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("obligation"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waiting for the recipient's next daily digest email.
    digest_pending = models.BooleanField(_("in the next digest"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The inbox page (newest first) and the header's unread count.
            models.Index(
                fields=["recipient", "read_at", "-created_at"],
                name="notif_recipient_idx",
            ),
            # The daily digest reads only the waiting rows.
            models.Index(
                fields=["recipient"],
                condition=Q(digest_pending=True),
                name="notif_digest_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:50]}"

    @property
    def is_unread(self):
        return self.read_at is None


class NotificationPreference(models.Model):
    """How a person wants their notifications emailed; no row means the default."""

    class Email(models.TextChoices):
        EVERY_EVENT = "every_event", _("Every event by email")
        DAILY_DIGEST = "daily_digest", _("A daily digest by email")
        INBOX_ONLY = "inbox_only", _("Inbox only, no email")

    DEFAULT = Email.DAILY_DIGEST

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.CharField(
        _("email"), max_length=20, choices=Email.choices, default=DEFAULT
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: {self.get_email_display()}"


class OutboundMessage(models.Model):
    """The outbox: one email or group-chat post to deliver, kept until it went out.

    Written in the transaction of the change, sent after the commit; a failed send
    stays ``pending`` with its error and is retried by ``deliver_pending`` (the daily
    run) until ``MAX_ATTEMPTS``. ``claim`` lets one sender at a time own a row, so
    two runs at once never send the same message twice.
    """

    MAX_ATTEMPTS = 5

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEBHOOK = "webhook", _("Group chat")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    department = models.ForeignKey(
        Department,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    tried_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The retry run reads only what is still to send.
            models.Index(
                fields=["created_at"],
                condition=Q(state="pending"),
                name="outbox_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="email", recipient__isnull=False)
                | Q(channel="webhook", department__isnull=False),
                name="outbox_has_address",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.subject or self.body[:50]}"


class ReminderTier(models.Model):
    """When ``send_reminders`` reminds the people working on an obligation, counted
    in working days from its due date. Edited in the admin; the defaults (a data
    migration): 3 working days before, on the due date, every 3 while overdue."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Working days before the due date")
        DUE = "due", _("On the due date")
        OVERDUE = "overdue", _("Every N working days while overdue")

    kind = models.CharField(_("when"), max_length=10, choices=Kind.choices)
    workdays = models.PositiveSmallIntegerField(
        _("working days"),
        default=0,
        help_text=_(
            "Before the due date: how many working days before. While overdue: the "
            "interval (1 = every working day). Ignored for the due date itself."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reminder tier")
        verbose_name_plural = _("reminder tiers")
        ordering = ["kind", "-workdays"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "workdays"], name="reminder_tier_unique_kind_workdays"
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.DUE:
            return str(self.Kind.DUE.label)
        return f"{self.get_kind_display()}: {self.workdays}"

    @property
    def key(self):
        """What the ``Reminder`` log records for this tier."""
        return f"tier-{self.pk}"


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


class AssessmentWeights(models.Model):
    """The weights of the department ranking's composite score (考核权重), in
    percent: one row, edited in the admin (``services.assessment_weights_set``),
    every edit kept in the history. While no row is saved, ``current()`` answers
    the defaults. ``selectors.department_indicators`` explains each part."""

    # The row the admin edits: there is only ever this one.
    SINGLETON_PK = 1
    DEFAULTS = {"on_time": 40, "rating": 40, "returns": 10, "supervision": 10}

    on_time = models.PositiveSmallIntegerField(
        _("on-time completion"),
        default=DEFAULTS["on_time"],
        help_text=_("Share of the score for finishing on time (按期办结率)."),
    )
    rating = models.PositiveSmallIntegerField(
        _("result rating"),
        default=DEFAULTS["rating"],
        help_text=_("Share of the score for the ratings of finished work."),
    )
    returns = models.PositiveSmallIntegerField(
        _("returns for rework"),
        default=DEFAULTS["returns"],
        help_text=_("Share of the score for work accepted without being returned."),
    )
    supervision = models.PositiveSmallIntegerField(
        _("supervision notices"),
        default=DEFAULTS["supervision"],
        help_text=_("Share of the score for receiving no yellow or red notices."),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment weights")
        verbose_name_plural = _("assessment weights")

    def __str__(self):
        return (
            gettext(
                "On time %(on_time)d, rating %(rating)d, returns %(returns)d, "
                "supervision %(supervision)d"
            )
            % self.as_dict()
        )

    def clean(self):
        total = sum(self.as_dict().values())
        if total != 100:
            raise ValidationError(
                gettext(
                    "The weights add up to %(total)d; they must add up to 100. "
                    "Nothing was saved."
                )
                % {"total": total}
            )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) or 0 for name in self.DEFAULTS}

    @classmethod
    def current(cls) -> "AssessmentWeights":
        """The weights in force: the saved row, else the defaults (unsaved)."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(
            pk=cls.SINGLETON_PK
        )


class Reminder(models.Model):
    """The log of reminders sent: one row per obligation, reminder kind, person and
    day. Written BEFORE anything is sent, under the unique constraint, so a second
    run of the same day (or a run on another server at the same moment) finds the
    rows taken and sends nothing twice."""

    obligation = models.ForeignKey(
        Obligation,
        models.PROTECT,
        related_name="reminders",
        verbose_name=_("obligation"),
    )
    # A ReminderTier's key ("tier-3"), or one of the supervisors' and departments'
    # lists ("overdue", "review", "extension", "unacknowledged").
    tier = models.CharField(_("reminder"), max_length=30)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    day = models.DateField(_("day"))
    # The run that wrote the row: it sends exactly the rows it managed to insert.
    run = models.UUIDField(_("run"), db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "recipient", "obligation"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "tier", "recipient", "day"],
                name="reminder_unique_per_day",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.tier} {self.obligation_id} → {self.recipient_id}"


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

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")

    def __str__(self):
        return str(self.user)
