"""A report and its sections, its log, revision, import drafts and daily counts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .organizations import organization_scope_q


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


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reports of the user's organization and those below it."""
        return self.filter(organization_scope_q(user, "organization_unit__path"))


class Report(models.Model):
    # The years a report may be for, checked before an import writes (the column
    # itself would take 0 to 32767).
    YEAR_MIN, YEAR_MAX = 1900, 2100

    organization = models.CharField(_("organization"), max_length=100)
    # The organization in the tree the report belongs to (its name is the string
    # above, kept for the documents and exports that print it).
    organization_unit = models.ForeignKey(
        "tracker.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("organization unit"),
    )
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
    # until a supervisor reopens it (services.reports.report_close / report_reopen; who,
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

    objects = ReportQuerySet.as_manager()

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
        if self.notice_prefix.strip():
            return self.notice_prefix.strip()
        if self.organization_unit_id is not None:
            return self.organization_unit.notice_prefix_or_default()
        return f"{self.organization[:1]}法督"

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
    timeline (``services.dashboard.report_invalidate_dashboard``), in the same
    transaction as the write.

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


# Revisions only grow and reports are never deleted, so any change to a report's
# neighbours (a write to one, a new year's report) makes this sum grow: a key part
# that changes with them, read in the same query as the item (issue 27).
_NEIGHBOUR_WEIGHT = 1_000_000_007


def neighbours_stamp_subquery(organization, year):
    """SQL for ``neighbours_stamp`` of the reports of ``organization`` of the
    year before ``year`` and of every later year (what
    ``selectors.reports.neighbour_reports`` reads), NULL without any; both
    arguments may be ``OuterRef``s."""
    return Subquery(
        Report.objects.filter(organization=organization, year__gte=year - 1)
        .exclude(year=year)
        .order_by()
        .values("organization")
        .annotate(
            stamp=Sum(F("pk") * _NEIGHBOUR_WEIGHT + Coalesce("revision__number", 0))
        )
        .values("stamp")[:1]
    )


def neighbours_stamp(neighbours) -> int:
    """A number that grows with every change to ``neighbours`` (reports by year,
    with their ``revision_number``): ``neighbours_stamp_subquery`` in Python."""
    return sum(
        each.pk * _NEIGHBOUR_WEIGHT + each.revision_number
        for each in neighbours.values()
    )


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
