"""The dashboard's reads: scorecards, the section tree, the lists that need
attention, the latest updates and the completion charts.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .. import workdays
from ..models import (
    DUE_SOON_DAYS,
    Department,
    ExtensionRequest,
    Obligation,
    ProgressUpdate,
    Report,
    Section,
    StatusSnapshot,
    SupervisionNotice,
    due_within_q,
    overdue_q,
    unacknowledged_q,
)

Status = Obligation.Status
Level = Obligation.SupervisionLevel

# The dashboard lists at most this many rows per list; the full list is one click
# away on the filtered obligation list, so the page stays the same size at any N.
LIST_LIMIT = 20
TIMELINE_LIMIT = 20
PROBLEM_LIMIT = 30
# SQLite date() modifier for TIME_ZONE's offset (Asia/Shanghai in settings: fixed,
# no DST since 1991).
REPORT_UTC_SHIFT = "+8 hours"


def scorecard_counts(today: date) -> dict:
    """The counts shown on every scorecard, as ``Count(filter=...)`` expressions
    for ``aggregate`` (one scorecard) or ``values(...).annotate`` (one per group)."""
    counts = {"total": Count("pk")}
    for status in Status:
        counts[status.value] = Count("pk", filter=Q(status=status))
    counts["overdue"] = Count("pk", filter=overdue_q(today))
    counts["due_soon"] = Count("pk", filter=due_within_q(today, DUE_SOON_DAYS))
    for level in (Level.WHITE, Level.YELLOW, Level.RED):
        counts[level.value] = Count("pk", filter=Q(supervision_level=level))
    return counts


@dataclass
class Scorecard:
    """Counts for one department (or the whole report)."""

    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    signoff: int = 0
    submitted: int = 0
    done: int = 0
    returned: int = 0
    overdue: int = 0
    due_soon: int = 0
    white: int = 0
    yellow: int = 0
    red: int = 0
    department: Department | None = None
    # [{kind, label, total, done, percent_done}], on the overall scorecard only.
    kinds: list = field(default_factory=list)

    @classmethod
    def from_row(cls, row, department=None):
        names = cls.__dataclass_fields__.keys() - {"department", "kinds"}
        return cls(**{n: row.get(n) or 0 for n in names}, department=department)

    @property
    def percent_done(self):
        return round(100 * self.done / self.total) if self.total else 0

    def status_values(self):
        """(status, label, count) in workflow order, for badges and charts."""
        return [(s.value, s.label, getattr(self, s.value)) for s in Status]


def dashboard_cache_key(report: Report, *, today: date, language: str) -> str:
    """Where the dashboard's figures of ``report`` are cached.

    The report's revision makes every write
    (``services.dashboard.report_invalidate_dashboard``) a new key; the day, the overdue
    and due-soon counts and the countdowns that change at midnight; the language, the
    labels. Nothing of the reader: whoever sees a report (``ReportQuerySet.
    visible_to``: their organization's and those below it) sees every obligation of
    it (``ObligationQuerySet.visible_to`` scopes by the report's organization), and
    what is the user's own (the unread badge, their name, their role) is drawn
    around the cached part, never inside it. If ``visible_to`` ever restricts
    within a report, the restriction belongs in this key."""
    revision = getattr(report, "revision_number", None)
    if revision is None:
        revision = (
            Report.objects.filter(pk=report.pk)
            .values_list(Coalesce("revision__number", 0), flat=True)
            .get()
        )
    return f"dashboard:{report.pk}:{revision}:{today.isoformat()}:{language}"


def department_list_cache_key(
    reports, *, organization_id, all_departments: bool, today: date, language: str
) -> str:
    """Where the department list's scorecards of ``reports`` (read by
    ``reports_for_selector``, with their revisions) are cached: every write to
    their obligations bumps a revision, and so does an edit of a department (its
    name, kind, organization, a new one) in the admin
    (``services.dashboard.reports_invalidate_dashboards``); the day for the overdue
    counts; the language for the labels; which departments are listed
    (``organization_id``, ``all_departments``). Nothing of the reader, as in
    ``dashboard_cache_key``: whoever sees a report sees all of its obligations."""
    shown = ",".join(f"{report.pk}.{report.revision_number}" for report in reports)
    return (
        f"department-list:{shown}:{organization_id or '-'}:{all_departments:d}:"
        f"{today.isoformat()}:{language}"
    )


def overall_scorecard(obligations: QuerySet, *, today: date) -> Scorecard:
    """The report's counts, with the total and done count per kind, from one scan
    of the obligations (a separate GROUP BY kind read them all a second time)."""
    done = Q(status=Status.DONE)
    counts = scorecard_counts(today)
    for kind in Obligation.Kind:
        counts[f"kind_{kind.value}"] = Count("pk", filter=Q(kind=kind))
        counts[f"kind_{kind.value}_done"] = Count("pk", filter=Q(kind=kind) & done)
    row = obligations.aggregate(**counts)
    card = Scorecard.from_row(row)
    for kind in Obligation.Kind:
        total, done_count = row[f"kind_{kind.value}"], row[f"kind_{kind.value}_done"]
        card.kinds.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "total": total,
                "done": done_count,
                "percent_done": round(100 * done_count / total) if total else 0,
            }
        )
    return card


def department_scorecards(
    obligations: QuerySet,
    *,
    today: date,
    all_departments: bool = False,
    organization_id: int | None = None,
) -> list[Scorecard]:
    """One scorecard per department, from a single GROUP BY query.

    With ``all_departments`` a second query lists the departments with nothing in
    ``obligations`` too (the department list shows every department of
    ``organization_id``, the report's, when it has one)."""
    return scorecards_of_rows(
        department_count_rows(obligations, today=today),
        all_departments=all_departments,
        organization_id=organization_id,
    )


def department_count_rows(
    obligations: QuerySet, *, today: date, extra: dict | None = None
) -> dict:
    """The scorecards' counts (and ``extra`` ``Count`` expressions) per department
    id (None: unassigned), from a single GROUP BY query."""
    rows = (
        obligations.order_by()
        .values("department")
        .annotate(**scorecard_counts(today), **(extra or {}))
    )
    return {row["department"]: row for row in rows}


def scorecards_of_rows(
    by_department: dict, *, all_departments: bool = False, organization_id=None
) -> list[Scorecard]:
    """``department_count_rows`` as scorecards, with their departments (one query)."""
    if all_departments:
        departments = Department.objects.order_by("name")
        if organization_id is not None:
            departments = departments.filter(organization_id=organization_id)
        departments = list(departments)
    else:
        ids = [pk for pk in by_department if pk is not None]
        departments = list(Department.objects.filter(pk__in=ids).order_by("name"))
    cards = [Scorecard.from_row(by_department.get(d.pk, {}), d) for d in departments]
    if None in by_department:
        cards.append(Scorecard.from_row(by_department[None]))  # unassigned
    return cards


def by_risk(cards: list[Scorecard]) -> list[Scorecard]:
    """Departments most at risk first: the most overdue, then the most red, then
    yellow supervision, then by name; the unassigned row stays last. Sorts the one
    scorecard per department already counted."""
    assigned = [card for card in cards if card.department is not None]
    rest = [card for card in cards if card.department is None]
    assigned.sort(
        key=lambda card: (-card.overdue, -card.red, -card.yellow, card.department.name)
    )
    return assigned + rest


def department_scorecard(
    obligations: QuerySet, *, department: Department, today: date
) -> Scorecard:
    row = obligations.filter(department=department).aggregate(**scorecard_counts(today))
    return Scorecard.from_row(row, department)


@dataclass
class SectionProgress:
    section: Section
    total: int = 0
    done: int = 0
    children: list = field(default_factory=list)

    @property
    def percent_done(self):
        return round(100 * self.done / self.total) if self.total else 0


def section_tree(obligations: QuerySet, *, report: Report) -> list[SectionProgress]:
    """Chapters with their groups, each with total/done counts.

    A chapter's counts include the obligations of its groups: the database groups
    by the chapter (the section's parent, or the section itself for obligations
    placed directly in a chapter), so no sum happens in Python."""
    done = Q(status=Status.DONE)
    per_section = {
        row["section"]: row
        for row in obligations.order_by()
        .values("section")
        .annotate(total=Count("pk"), done=Count("pk", filter=done))
    }
    per_chapter = {
        row["chapter"]: row
        for row in obligations.order_by()
        .annotate(chapter=Coalesce("section__parent_id", "section_id"))
        .values("chapter")
        .annotate(total=Count("pk"), done=Count("pk", filter=done))
    }
    sections = list(Section.objects.filter(report=report).order_by("position"))
    chapters = {}
    tree = []
    for section in sections:
        if section.parent_id is None:
            row = per_chapter.get(section.pk, {})
            node = SectionProgress(section, row.get("total", 0), row.get("done", 0))
            chapters[section.pk] = node
            tree.append(node)
    for section in sections:
        if section.parent_id is not None and section.parent_id in chapters:
            row = per_section.get(section.pk, {})
            chapters[section.parent_id].children.append(
                SectionProgress(section, row.get("total", 0), row.get("done", 0))
            )
    return tree


def problems_with_tasks(
    visible: QuerySet, *, report: Report, limit: int = PROBLEM_LIMIT
) -> list[Obligation]:
    """The first ``limit`` problems of ``report``, each with ``tasks`` (the visible
    tasks addressing it), ``task_count`` and ``tasks_done``; two queries whatever
    the number of problems.

    The counts are taken from the prefetched tasks the page lists anyway: counting
    them again in SQL with ``addressed_by__in=<visible tasks>`` made the database
    list every task of the report twice (30 ms at 10,000 obligations)."""
    # "report_id + 0", as in _timeline_of: with a usable report term SQLite starts
    # from every obligation of the report; without it, from the links of the
    # listed problems (a task addresses problems of its own report).
    tasks = (
        visible.filter(kind=Obligation.Kind.TASK)
        .alias(report_term=F("report_id") + 0)
        .filter(report_term=report.pk)
        .only("pk", "code", "title", "status", "report_id", "position")
    )
    problems = list(
        visible.filter(report=report, kind=Obligation.Kind.PROBLEM)
        .prefetch_related(Prefetch("addressed_by", queryset=tasks, to_attr="tasks"))
        .only("pk", "code", "title", "status", "report_id", "position")
        .order_by("position")[:limit]
    )
    for problem in problems:  # at most ``limit`` problems, their tasks in memory
        problem.task_count = len(problem.tasks)
        problem.tasks_done = sum(task.status == Status.DONE for task in problem.tasks)
    return problems


def years_missing_holidays(obligations: QuerySet, *, today: date) -> list[int]:
    """The years whose holidays must be entered before deadlines count right: not
    covered by chinese-calendar, no Holiday row, and they matter: this year, or a
    year up to the latest due date of an obligation not done (a count from today
    to that date crosses every year in between). One query."""
    latest = obligations.exclude(status=Status.DONE).aggregate(latest=Max("due_date"))
    last_year = max(today.year, latest["latest"].year if latest["latest"] else 0)
    return workdays.missing_years(range(today.year, last_year + 1))


def overdue_list(obligations: QuerySet, *, today: date, limit: int = LIST_LIMIT):
    return (
        obligations.overdue(today)
        .select_related("department", "owner")
        .annotate(report_closed=F("report__closed_at"))
        .order_by("due_date", "position")[:limit]
    )


def due_soon_list(obligations: QuerySet, *, today: date, limit: int = LIST_LIMIT):
    return (
        obligations.due_within(today, DUE_SOON_DAYS)
        .select_related("department", "owner")
        .annotate(report_closed=F("report__closed_at"))
        .order_by("due_date", "position")[:limit]
    )


def awaiting_review_list(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Submitted obligations, the longest-waiting first."""
    return (
        obligations.filter(status=Status.SUBMITTED)
        .select_related("department", "owner")
        .annotate(report_closed=F("report__closed_at"))
        .order_by("status_changed_at", "pk")[:limit]
    )


def unacknowledged_list(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Assigned but not acknowledged (签收), the longest-waiting first."""
    return (
        obligations.unacknowledged()
        .select_related("department", "owner")
        .annotate(report_closed=F("report__closed_at"))
        .order_by("department_assigned_at", "pk")[:limit]
    )


def pending_extensions(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Pending extension requests on ``obligations``, the oldest first."""
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING,
            obligation__in=obligations.values("pk"),
        )
        .select_related(
            "obligation", "obligation__department", "obligation__report", "requested_by"
        )
        .defer("obligation__body", "obligation__report__source_text")
        .order_by("created_at", "pk")[:limit]
    )


def supervision_queue_counts(obligations: QuerySet) -> dict:
    """How many obligations wait for 签收 and for an extension decision: one
    query, for the dashboard panels' headings."""
    pending = ExtensionRequest.objects.filter(
        obligation=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
    )
    return obligations.aggregate(
        unacknowledged=Count("pk", filter=unacknowledged_q()),
        pending_extensions=Count("pk", filter=Exists(pending)),
    )


def _timeline_of(visible: QuerySet, report: Report) -> QuerySet:
    """Timeline rows of the obligations of ``report`` that ``visible`` lets through.

    An ``IN (visible obligations)`` subquery is added only when ``visible_to``
    really restricts (every signed-in user sees every obligation today), because
    it makes SQLite sort the whole timeline before the LIMIT."""
    # "report_id + 0" on purpose: SQLite would otherwise start from the report's
    # obligations and sort all their updates; unable to use an index for this term,
    # it walks the created_at index newest first and stops after the LIMIT.
    updates = ProgressUpdate.objects.alias(
        report_term=F("obligation__report_id") + 0
    ).filter(report_term=report.pk)
    if visible.query.has_filters():
        updates = updates.filter(obligation__in=visible.values("pk"))
    return updates


def latest_updates(visible: QuerySet, *, report: Report, limit: int = TIMELINE_LIMIT):
    return (
        _timeline_of(visible, report)
        .select_related("obligation", "author")
        .order_by("-created_at")[:limit]
    )


class ReportDate(TruncDate):
    """The calendar day in Asia/Shanghai of a stored (UTC) timestamp.

    On SQLite, TruncDate with a time zone calls a Python function for every row,
    which cost more than the rest of the completion query at 10,000 obligations.
    Asia/Shanghai has kept UTC+8 without daylight saving time since 1991, so there
    SQLite's own date() with a fixed shift gives the same day. PostgreSQL converts
    natively (AT TIME ZONE) and keeps TruncDate's SQL."""

    def __init__(self, expression, **extra):
        super().__init__(expression, tzinfo=timezone.get_default_timezone(), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, %s)", (*params, REPORT_UTC_SHIFT)


def completion_over_time(
    *, report: Report, today: date, done_today: int
) -> list[tuple[date, int, int]]:
    """[(day, change in the done count that day, done count at the end of it)],
    one entry per day the count changed, from the daily ``StatusSnapshot`` rows of
    the days before ``today`` (one row a day: tens to hundreds of rows, whatever
    the number of obligations and timeline entries) and ``done_today``, today's
    count as the page computes it. A reopened obligation lowers the count on the
    day it was reopened, so the last figure is the dashboard's done count."""
    done_by_day = (
        StatusSnapshot.objects.filter(report=report, status=Status.DONE, day__lt=today)
        .order_by("day")
        .values_list("day", "count")
    )
    series, previous = [], 0
    for day, done in [*done_by_day, (today, done_today)]:
        if done != previous:
            series.append((day, done - previous, done))
            previous = done
    return series


# Below a week of history the weekly chart would be one point: it is left out.
OVER_TIME_MIN_DAYS = 7


def completion_by_week(
    series: list[tuple[date, int, int]], *, since: date, today: date
) -> list[tuple[date, int, int]]:
    """``completion_over_time``'s days folded into weeks: [(last day of the week,
    done that week, cumulative done)] from ``since`` (the report's import, or its
    first completion if earlier) to ``today``, weeks with nothing done included,
    so that the chart's horizontal axis is time. Empty while there is less than
    a week of history."""
    if series:
        since = min(since, series[0][0])
    if (today - since).days < OVER_TIME_MIN_DAYS:
        return []
    weeks, index, running = [], 0, 0
    end = since + timedelta(days=6)
    while True:
        last = min(end, today)
        done = 0
        while index < len(series) and series[index][0] <= last:
            done += series[index][1]
            index += 1
        running += done
        weeks.append((last, done, running))
        if last >= today:
            return weeks
        end += timedelta(days=7)


@dataclass
class OpenYear:
    """One report's open work, for the dashboard while several years have some."""

    report: Report
    total: int = 0
    open: int = 0
    submitted: int = 0
    signoff: int = 0
    overdue: int = 0
    pending_extensions: int = 0
    unanswered_notices: int = 0


def open_work_by_report(
    visible: QuerySet, *, reports: list[Report], today: date
) -> list[OpenYear]:
    """What still waits in each of ``reports`` (in their order): two grouped
    queries, whatever the number of obligations."""
    pending = ExtensionRequest.objects.filter(
        obligation=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
    )
    rows = {
        row["report_id"]: row
        for row in visible.filter(report__in=[r.pk for r in reports])
        .in_report_text()
        .values("report_id")
        .annotate(
            total=Count("pk"),
            open=Count(
                "pk", filter=~Q(status=Status.DONE) & Q(carried_into__isnull=True)
            ),
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
            signoff=Count("pk", filter=Q(status=Status.SIGNOFF)),
            overdue=Count("pk", filter=overdue_q(today) & Q(carried_into__isnull=True)),
            pending_extensions=Count("pk", filter=Exists(pending)),
        )
        .order_by()
    }
    notices = dict(
        SupervisionNotice.objects.filter(
            obligation__report__in=[r.pk for r in reports], replied_at__isnull=True
        )
        .values("obligation__report_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("obligation__report_id", "n")
    )
    years = []
    for report in reports:
        row = rows.get(report.pk, {})
        years.append(
            OpenYear(
                report=report,
                **{
                    name: row.get(name, 0)
                    for name in (
                        "total",
                        "open",
                        "submitted",
                        "signoff",
                        "overdue",
                        "pending_extensions",
                    )
                },
                unanswered_notices=notices.get(report.pk, 0),
            )
        )
    return years
