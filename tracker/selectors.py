"""Read-side queries for the progress pages (HackSoft's "selectors").

Every figure is counted by the database (``aggregate``/``annotate`` with
``Count(filter=Q(...))``); Python only arranges the handful of aggregated rows
(one per department, section or day) into what the templates show. Every function
takes an already permission-filtered queryset (``Obligation.objects.visible_to``)
so the counts never include what the user may not see.
"""

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import similarity, workdays
from .models import (
    DUE_SOON_DAYS,
    REPORT_TZ,
    AccountProfile,
    AssessmentWeights,
    Department,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpRejection,
    Notification,
    NotificationPreference,
    Obligation,
    ProgressUpdate,
    Report,
    ReportRevision,
    Section,
    StatusSnapshot,
    SupervisionNotice,
    display_name_expression,
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
# SQLite date() modifier for REPORT_TZ's offset (fixed: no DST since 1991).
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


def reports_for_selector() -> list[Report]:
    """The reports, newest first, each with ``revision_number`` (its
    ``ReportRevision``, 0 before the first write), read in the same query.

    Every page with the report selector runs it (the dashboard on each request, for
    the revision in its cache key): the ORM builds and compiles it once per process
    and database, which took as long as running it."""
    sql, params = _reports_for_selector_sql(connection.vendor)
    return list(Report.objects.raw(sql, params))


@functools.cache
def _reports_for_selector_sql(vendor: str) -> tuple[str, tuple]:
    return (
        Report.objects.order_by("-year", "-imported_at")
        .only("pk", "title", "year", "organization", "imported_at")
        .annotate(revision_number=Coalesce("revision__number", 0))
        .query.sql_with_params()
    )


def obligation_list_cache_key(*, query: str, today: date, language: str) -> str:
    """Where the obligation list's filters and table for ``query`` (the query
    string: filters, sort, page) are cached. The list shows every report, so the
    key holds the sum of all reports' revisions: every write adds one to it
    (``services.report_invalidate_dashboard``). One small query. Nothing of the
    reader, as for ``dashboard_cache_key``."""
    revisions = ReportRevision.objects.aggregate(
        total=Coalesce(Sum("number"), 0), reports=Count("pk")
    )
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return (
        f"obligation-list:{revisions['total']}:{revisions['reports']}:"
        f"{today.isoformat()}:{language}:{digest}"
    )


def dashboard_cache_key(report: Report, *, today: date, language: str) -> str:
    """Where the dashboard's figures of ``report`` are cached.

    The report's revision makes every write (``services.report_invalidate_dashboard``)
    a new key; the day, the overdue and due-soon counts and the countdowns that
    change at midnight; the language, the labels. Nothing of the reader: every
    signed-in user sees every obligation (``ObligationQuerySet.visible_to``), and
    what is the user's own (the unread badge, their name, their role) is drawn
    around the cached part, never inside it. If ``visible_to`` ever restricts by
    user, the restriction belongs in this key."""
    revision = getattr(report, "revision_number", None)
    if revision is None:
        revision = (
            Report.objects.filter(pk=report.pk)
            .values_list(Coalesce("revision__number", 0), flat=True)
            .get()
        )
    return f"dashboard:{report.pk}:{revision}:{today.isoformat()}:{language}"


def selected_report(reports, raw_pk) -> Report | None:
    """The report chosen with ``?report=<pk>``; the latest one otherwise."""
    reports = list(reports)
    if raw_pk and str(raw_pk).isdigit():
        for report in reports:
            if report.pk == int(raw_pk):
                return report
    return reports[0] if reports else None


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
    obligations: QuerySet, *, today: date, all_departments: bool = False
) -> list[Scorecard]:
    """One scorecard per department, from a single GROUP BY query.

    With ``all_departments`` a second query lists the departments with nothing in
    ``obligations`` too (the department list shows every department)."""
    rows = (
        obligations.order_by().values("department").annotate(**scorecard_counts(today))
    )
    by_department = {row["department"]: row for row in rows}
    if all_departments:
        departments = list(Department.objects.order_by("name"))
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
        .order_by("due_date", "position")[:limit]
    )


def due_soon_list(obligations: QuerySet, *, today: date, limit: int = LIST_LIMIT):
    return (
        obligations.due_within(today, DUE_SOON_DAYS)
        .select_related("department", "owner")
        .order_by("due_date", "position")[:limit]
    )


def awaiting_review_list(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Submitted obligations, the longest-waiting first."""
    return (
        obligations.filter(status=Status.SUBMITTED)
        .select_related("department", "owner")
        .order_by("status_changed_at", "pk")[:limit]
    )


def unacknowledged_list(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Assigned but not acknowledged (签收), the longest-waiting first."""
    return (
        obligations.unacknowledged()
        .select_related("department", "owner")
        .order_by("department_assigned_at", "pk")[:limit]
    )


def pending_extensions(obligations: QuerySet, *, limit: int = LIST_LIMIT):
    """Pending extension requests on ``obligations``, the oldest first."""
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING,
            obligation__in=obligations.values("pk"),
        )
        .select_related("obligation", "obligation__department", "requested_by")
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


# /my/ groups: what needs the user's hands first, finished work last.
MY_WORK_ORDER = (
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.SUBMITTED,
    Status.DONE,
)


@dataclass
class MyWork:
    """The obligations of a user's departments and those they own: ``groups`` is
    [{status, label, rows}] in ``MY_WORK_ORDER``, each row with ``overdue_now``;
    ``departments`` are the user's, by name."""

    groups: list
    total: int
    overdue: int
    departments: list


def my_work(user, *, today: date) -> MyWork:
    """The database orders the rows by group (status in ``MY_WORK_ORDER``), overdue
    first, then by due date, and counts the total and the overdue; Python only cuts
    the ordered rows where the status changes."""
    mine = Obligation.objects.of_user_departments(user)
    group_rank = Case(
        *(
            When(status=status, then=Value(rank))
            for rank, status in enumerate(MY_WORK_ORDER)
        ),
        output_field=IntegerField(),
    )
    rows = (
        mine.select_related("report", "department", "owner")
        .annotate(
            group_rank=group_rank,
            # Shown under the title until the work is submitted again.
            return_reason=Subquery(
                ProgressUpdate.objects.open_returns()
                .filter(obligation=OuterRef("pk"))
                .order_by("-pk")
                .values("text")[:1]
            ),
            overdue_now=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by(
            "group_rank",
            "-overdue_now",
            F("due_date").asc(nulls_last=True),
            "report_id",
            "position",
        )
    )
    groups = [
        {"status": Status(status), "label": Status(status).label, "rows": list(group)}
        for status, group in groupby(rows, key=attrgetter("status"))
    ]
    counts = mine.aggregate(
        total=Count("pk"), overdue=Count("pk", filter=overdue_q(today))
    )
    return MyWork(
        groups=groups,
        total=counts["total"],
        overdue=counts["overdue"],
        departments=list(user.departments.order_by("name")),
    )


# The supervisor's queue on /my/: the lists show this many rows each, the heading
# counts them all, and "all N" leads to the filtered obligation list.
QUEUE_LIMIT = 20


@dataclass
class ReviewQueue:
    """What waits for a supervisor: ``counts`` (one aggregate over the
    obligations, plus the unanswered notices) and a short list per section, the
    longest-waiting first. Rows awaiting review carry ``waited_workdays``."""

    counts: dict
    awaiting_review: list
    returned: list
    overdue: list
    escalated: list
    pending_extensions: list
    unanswered_notices: list


def review_queue(visible: QuerySet, *, today: date, limit: int = QUEUE_LIMIT):
    """The supervisor's queue over ``visible``, in a fixed number of queries
    whatever the number of obligations (one per list and two counts)."""
    pending = ExtensionRequest.objects.filter(
        obligation=OuterRef("pk"), status=ExtensionRequest.Status.PENDING
    )
    escalated = Q(supervision_level__in=(Level.YELLOW, Level.RED))
    counts = visible.aggregate(
        awaiting_review=Count("pk", filter=Q(status=Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        overdue=Count("pk", filter=overdue_q(today)),
        escalated=Count("pk", filter=escalated & ~Q(status=Status.DONE)),
        pending_extensions=Count("pk", filter=Exists(pending)),
    )
    notices = SupervisionNotice.objects.filter(
        obligation__in=visible.values("pk"), replied_at__isnull=True
    )
    counts["unanswered_notices"] = notices.count()
    rows = visible.select_related("department", "owner").defer("body")
    awaiting = list(awaiting_review_list(rows, limit=limit))
    calendar = workdays.current_calendar()
    for obligation in awaiting:  # at most ``limit`` rows
        since = obligation.status_changed_at
        obligation.waited_workdays = (
            calendar.workdays_between(since.astimezone(REPORT_TZ).date(), today)
            if since
            else None
        )
    return ReviewQueue(
        counts=counts,
        awaiting_review=awaiting,
        returned=list(
            rows.filter(status=Status.RETURNED).order_by("status_changed_at", "pk")[
                :limit
            ]
        ),
        overdue=list(overdue_list(rows, today=today, limit=limit)),
        escalated=list(
            rows.filter(escalated)
            .exclude(status=Status.DONE)
            # "red" sorts before "yellow": the strictest first.
            .order_by("supervision_level", "due_date", "pk")[:limit]
        ),
        pending_extensions=list(pending_extensions(visible, limit=limit)),
        unanswered_notices=list(
            notices.select_related("obligation", "department").order_by(
                "reply_due", "pk"
            )[:limit]
        ),
    )


class ReportDate(TruncDate):
    """The calendar day in Asia/Shanghai of a stored (UTC) timestamp.

    On SQLite, TruncDate with a time zone calls a Python function for every row,
    which cost more than the rest of the completion query at 10,000 obligations.
    Asia/Shanghai has kept UTC+8 without daylight saving time since 1991, so there
    SQLite's own date() with a fixed shift gives the same day. PostgreSQL converts
    natively (AT TIME ZONE) and keeps TruncDate's SQL."""

    def __init__(self, expression, **extra):
        super().__init__(expression, tzinfo=REPORT_TZ, **extra)

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


def obligations_for_table(obligations: QuerySet) -> QuerySet:
    """The obligation list's rows: related names joined, the evidence count and the
    last update as correlated subqueries, which the database evaluates only for the
    50 rows of a page (a JOIN + GROUP BY would aggregate every evidence and update
    row of every obligation before paginating)."""
    evidence_count = (
        Evidence.objects.filter(obligation=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by()
        .values("obligation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_update = (
        ProgressUpdate.objects.filter(obligation=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    # Not the report (its whole source text would come with every row) nor the
    # obligation's body: the table shows neither. Nothing here joins in the page's
    # COUNT(*): the joined rows come with select_related, the subqueries are in the
    # SELECT list only.
    rows = (
        obligations.select_related("department", "owner")
        .defer("body")
        .annotate(
            evidence_count=Coalesce(
                Subquery(evidence_count, output_field=IntegerField()), Value(0)
            ),
            last_update=Subquery(last_update),
        )
    )
    return _by_report_and_position(rows)


def _by_report_and_position(obligations: QuerySet) -> QuerySet:
    """``obligations`` in the model's order (by report: newest year first, then by
    organization; then by position), sorted on numbers.

    The model's order sorts on the joined report's year and organization: each
    comparison of two rows of one report compares the organization's text under
    the database's collation, which made sorting 10,000 rows for a page of 50
    cost 13 ms on PostgreSQL. One small query reads the order of the reports (a
    few dozen at most). With one report the rows are read in the order of the
    (report, position) index and the LIMIT stops after 50 of them; with several,
    each report's place is a number the rows are sorted on."""
    order = list(
        Report.objects.order_by("-year", "organization").values_list("pk", flat=True)
    )
    if len(order) <= 1:
        return obligations.order_by("report_id", "position")
    rank = Case(
        *(When(report_id=pk, then=Value(place)) for place, pk in enumerate(order)),
        output_field=IntegerField(),
    )
    return obligations.alias(report_rank=rank).order_by("report_rank", "position")


def obligations_for_export(obligations: QuerySet) -> QuerySet:
    """What the exports add to ``obligations_for_table``'s rows: the owner's name,
    the latest progress note and, while the obligation is returned, the reason of
    its latest return. Correlated subqueries, so the export stays one query
    however many rows it has."""
    updates = ProgressUpdate.objects.filter(obligation=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    latest_note = updates.filter(action=ProgressUpdate.Action.COMMENT)
    latest_return = updates.filter(to_status=Obligation.Status.RETURNED)
    return obligations.annotate(
        owner_name=display_name_expression("owner"),
        latest_note=Subquery(latest_note.values("text")[:1]),
        return_reason=Case(
            When(
                status=Obligation.Status.RETURNED,
                then=Subquery(latest_return.values("text")[:1]),
            ),
            default=None,
        ),
    )


def notice_register(obligations: QuerySet) -> QuerySet:
    """The supervision notices of ``obligations``, newest first, with what the
    register and its export show (one query, whatever the number of notices)."""
    return SupervisionNotice.objects.filter(obligation__in=obligations).select_related(
        "obligation", "department", "issued_by", "replied_by"
    )


def obligation_page_related(obligation: Obligation) -> Obligation:
    """Fetch what the obligation page shows beside the obligation, in a fixed number
    of queries whatever the number of evidence rows and timeline entries:
    ``evidence_list``, ``timeline``, ``notice_list`` and ``extension_list`` (as
    attributes), the
    section's chapter and the task <-> problem links."""
    prefetch_related_objects(
        [obligation],
        "section__parent",
        Prefetch(
            "evidence",
            queryset=Evidence.objects.select_related("uploaded_by", "withdrawn_by"),
            to_attr="evidence_list",
        ),
        Prefetch(
            "updates",
            queryset=ProgressUpdate.objects.select_related("author", "evidence"),
            to_attr="timeline",
        ),
        Prefetch(
            "notices",
            queryset=SupervisionNotice.objects.select_related(
                "department", "issued_by", "replied_by"
            ),
            to_attr="notice_list",
        ),
        Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.select_related(
                "requested_by", "decided_by"
            ),
            to_attr="extension_list",
        ),
        Prefetch("addresses", queryset=Obligation.objects.order_by("position")),
        Prefetch("addressed_by", queryset=Obligation.objects.order_by("position")),
    )
    return obligation


@dataclass
class LinkSuggestion:
    """A problem of the report suggested for a task (``tracker.similarity``)."""

    problem: Obligation
    score: float
    terms: tuple[str, ...]


def suggested_problems(task: Obligation) -> list[LinkSuggestion]:
    """The problems suggested for ``task`` that it is not linked to yet, best first.

    One query: code, kind and text of the report's obligations still in its text
    (every passage weighs the words; a problem no longer in the report is not
    offered). Expects ``addresses`` prefetched (``obligation_page_related``)."""
    if task.kind != Obligation.Kind.TASK:
        return []
    passages = {
        o.code: o
        for o in Obligation.objects.filter(
            report_id=task.report_id, missing_since__isnull=True
        ).only("pk", "report_id", "code", "kind", "title", "body", "status")
    }
    linked = {problem.pk for problem in task.addresses.all()}
    return [
        LinkSuggestion(passages[each.problem], each.score, each.terms)
        for each in similarity.suggest_for_report(
            ((o.code, o.kind, o.body) for o in passages.values()), tasks=[task.code]
        )
        if passages[each.problem].pk not in linked
    ]


# --- Reports ----------------------------------------------------------------------


def report_obligations(visible: QuerySet, *, report: Report) -> list[Obligation]:
    """The obligations of ``report`` in document order, with only the columns the
    report page's links need (not the text of each)."""
    return list(
        visible.filter(report=report)
        .only(
            "pk", "code", "kind", "title", "source_start", "source_end", "missing_since"
        )
        .order_by("position")
    )


# --- Follow-up across years --------------------------------------------------------


def adjacent_report(*, organization: str, year: int) -> Report | None:
    """The organization's report of ``year``, if imported."""
    return Report.objects.filter(organization=organization, year=year).first()


@dataclass
class FollowUpSuggestion:
    """An item of next year's report suggested as reporting on a task or problem
    (``tracker.similarity.match_followups``), not confirmed or rejected yet."""

    earlier: Obligation
    later: Obligation
    score: float
    terms: tuple[str, ...]

    @property
    def is_recurring(self):
        """A problem suggested as appearing again as a problem."""
        return self.earlier.kind == self.later.kind == Obligation.Kind.PROBLEM


def _passages(report_ids) -> dict[int, dict[str, Obligation]]:
    """The obligations still in the text of each report, by report and code, with
    what matching and the pages need (not status or people). One query."""
    by_report = {pk: {} for pk in report_ids}
    for obligation in Obligation.objects.filter(
        report_id__in=report_ids, missing_since__isnull=True
    ).only("pk", "report_id", "code", "kind", "title", "body", "position"):
        by_report[obligation.report_id][obligation.code] = obligation
    return by_report


def _as_passages(obligations):
    return [(o.code, o.kind, o.body) for o in obligations.values()]


def followup_suggestions(
    earlier_report: Report, later_report: Report, *, only=None
) -> list[FollowUpSuggestion]:
    """Suggested follow-ups of ``earlier_report``'s tasks and problems (or of the
    codes in ``only``) in ``later_report``, best first for each, in document
    order; a pair already confirmed or rejected is not suggested again. Three
    queries whatever the size of the reports."""
    passages = _passages([earlier_report.pk, later_report.pk])
    earlier, later = passages[earlier_report.pk], passages[later_report.pk]
    decided = {
        *FollowUp.objects.confirmed()
        .filter(earlier__report=earlier_report, later__report=later_report)
        .values_list("earlier_id", "later_id"),
        *FollowUpRejection.objects.filter(
            earlier__report=earlier_report, later__report=later_report
        ).values_list("earlier_id", "later_id"),
    }
    suggestions = [
        FollowUpSuggestion(
            earlier[each.earlier], later[each.later], each.score, each.terms
        )
        for each in similarity.match_followups(
            _as_passages(earlier), _as_passages(later), only=only
        )
    ]
    suggestions = [
        each for each in suggestions if (each.earlier.pk, each.later.pk) not in decided
    ]
    suggestions.sort(key=lambda each: each.earlier.position)  # stable: best first
    return suggestions


def followup_measure(earlier: Obligation, later: Obligation) -> tuple[float, tuple]:
    """The cosine and shared wording of one pair, as a suggestion would give them
    (0 and no terms when they share nothing): what a confirmation records."""
    passages = _passages([earlier.report_id, later.report_id])
    matches = similarity.match_followups(
        _as_passages(passages[earlier.report_id]),
        _as_passages(passages[later.report_id]),
        only=[earlier.code],
        min_score=0.0,
        max_per_item=None,
    )
    for each in matches:
        if each.later == later.code:
            return each.score, each.terms
    return 0.0, ()


@dataclass
class FollowUpRow:
    """A task or problem of a report and what next year's report made of it."""

    obligation: Obligation
    confirmed: list = field(default_factory=list)  # FollowUp, with ``later``
    suggestions: list = field(default_factory=list)  # FollowUpSuggestion

    @property
    def is_recurring(self):
        return any(each.is_recurring for each in self.confirmed)


@dataclass
class ReportFollowUp:
    """Both sides of a report's follow-up across years, for its page.

    ``later_report``: the organization's next report, and ``rows`` every task and
    problem of this one with the later items confirmed or suggested for it.
    ``earlier_report``: the previous report, and ``follows`` the confirmed matches
    whose later side is in this one. ``recurring``: the pks of this report's
    problems in a confirmed problem -> problem match (反复出现)."""

    later_report: Report | None = None
    rows: list = field(default_factory=list)
    earlier_report: Report | None = None
    follows: list = field(default_factory=list)
    recurring: set = field(default_factory=set)


def report_followup(report: Report) -> ReportFollowUp:
    """What the report page shows of the follow-up across years: two queries (the
    neighbouring reports, the confirmed matches), and four more when next year's
    report is imported (its suggestions and this report's tasks and problems),
    whatever the size of the reports."""
    neighbours = {
        each.year: each
        for each in Report.objects.filter(
            organization=report.organization,
            year__in=[report.year - 1, report.year + 1],
        )
    }
    result = ReportFollowUp(
        later_report=neighbours.get(report.year + 1),
        earlier_report=neighbours.get(report.year - 1),
    )
    confirmed = list(
        FollowUp.objects.confirmed()
        .filter(Q(earlier__report=report) | Q(later__report=report))
        .select_related("earlier__report", "later__report", "confirmed_by")
    )
    for each in confirmed:
        if each.is_recurring:
            result.recurring.update({each.earlier_id, each.later_id})
    result.follows = [each for each in confirmed if each.later.report_id == report.pk]
    if result.later_report is None:
        return result
    suggestions = followup_suggestions(report, result.later_report)
    earlier = (
        Obligation.objects.filter(
            report=report, kind__in=[Obligation.Kind.TASK, Obligation.Kind.PROBLEM]
        )
        .only("pk", "report_id", "code", "kind", "title", "position", "missing_since")
        .order_by("position")
    )
    rows = {o.pk: FollowUpRow(o) for o in earlier}
    for each in confirmed:
        if each.earlier_id in rows:
            rows[each.earlier_id].confirmed.append(each)
    for each in suggestions:
        rows[each.earlier.pk].suggestions.append(each)
    result.rows = list(rows.values())
    return result


@dataclass
class ObligationFollowUp:
    """The obligation page's follow-up across years: ``confirmed`` (the later items
    reporting on this task or problem), ``suggestions`` (not decided yet) in
    ``later_report``; ``follows`` (the earlier tasks and problems this item
    reports on)."""

    later_report: Report | None = None
    confirmed: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)
    follows: list = field(default_factory=list)
    choice_form: object = None  # set by the view for those who may confirm

    def __bool__(self):
        return bool(self.later_report or self.follows)

    @property
    def later_is_writable(self):
        """Whether follow-ups may be decided: the next report is open."""
        return self.later_report is not None and not self.later_report.is_closed


def obligation_followup(obligation: Obligation) -> ObligationFollowUp:
    """At most five queries: the confirmed matches on either side, the next
    report, and the suggestions for this obligation."""
    result = ObligationFollowUp()
    confirmed = list(
        FollowUp.objects.confirmed()
        .filter(Q(earlier=obligation) | Q(later=obligation))
        .select_related("earlier__report", "later__report", "confirmed_by")
    )
    result.follows = [each for each in confirmed if each.later_id == obligation.pk]
    if obligation.kind not in (Obligation.Kind.TASK, Obligation.Kind.PROBLEM):
        return result
    result.later_report = adjacent_report(
        organization=obligation.report.organization, year=obligation.report.year + 1
    )
    if result.later_report is None:
        return result
    result.confirmed = [e for e in confirmed if e.earlier_id == obligation.pk]
    if obligation.missing_since is None:
        result.suggestions = followup_suggestions(
            obligation.report, result.later_report, only=[obligation.code]
        )
    return result


def recurring_problems(report: Report, *, limit: int = LIST_LIMIT):
    """The dashboard's 反复出现 panel: how many confirmed problem -> problem
    matches touch ``report`` (as the earlier or the later year), and the first
    ``limit`` of them. Two queries."""
    matches = FollowUp.objects.recurring().filter(
        Q(earlier__report=report) | Q(later__report=report)
    )
    return matches.count(), list(
        matches.select_related("earlier__report", "later__report").order_by(
            "earlier__report__year", "earlier__position", "pk"
        )[:limit]
    )


# The report chapter on the principal leaders' duties (第一责任人职责): the draft of
# next year's report gives it a chapter of its own, as the genre does.
LEADER_CHAPTER_WORD = "第一责任人"


@dataclass
class ReportDraft:
    """What the draft of the report after ``report`` is written from
    (``tracker.documents.report_draft_docx``), every list in document order.

    ``finished``: the done work items and tasks outside the leaders' chapter;
    ``leader_groups``: the sections of the leaders' chapter that hold obligations,
    each with ``draft_items`` (its obligations); ``open_items``: work items and
    tasks not done, outside the leaders' chapter (its open items are placeholders
    in the draft's own chapter);
    ``unremedied_problems``: problems with a remedying task not done (or, with no
    task, not done themselves), each with ``remedies`` (its tasks); ``carried_over``:
    the tasks not done. Each obligation has ``live_evidence`` (not withdrawn, oldest
    first), ``progress_notes`` (the staff's progress notes and submission notes,
    oldest first) and its confirmed follow-ups across years,
    ``confirmed_earlier`` and ``confirmed_later``."""

    report: Report
    finished: list
    leader_groups: list
    open_items: list
    unremedied_problems: list
    carried_over: list

    @property
    def has_finished_items(self) -> bool:
        return bool(self.finished) or any(
            o.status == Status.DONE for s in self.leader_groups for o in s.draft_items
        )


def report_draft(visible: QuerySet, *, report: Report) -> ReportDraft:
    """Read what the draft of next year's report needs in a fixed number of queries
    (the obligations with their sections and department, then their live evidence,
    progress notes, remedying tasks and follow-ups, then the leaders' chapter's
    sections), whatever the number of obligations."""
    Kind = Obligation.Kind
    obligations = list(
        visible.filter(report=report)
        .select_related("section__parent", "department")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.filter(withdrawn_at__isnull=True)
                .only("pk", "obligation_id", "original_name", "sha256", "uploaded_at")
                .order_by("uploaded_at", "pk"),
                to_attr="live_evidence",
            ),
            # What the staff wrote of the work: their progress notes and the
            # notes they submitted it for review with ("the note says what was
            # done").
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.filter(
                    Q(action=ProgressUpdate.Action.COMMENT)
                    | Q(
                        action=ProgressUpdate.Action.STATUS,
                        to_status=Status.SUBMITTED,
                    )
                )
                .exclude(text="")
                .only("pk", "obligation_id", "text", "created_at")
                .order_by("created_at", "pk"),
                to_attr="progress_notes",
            ),
            Prefetch(
                "addressed_by",
                queryset=Obligation.objects.only(
                    "pk", "code", "title", "status"
                ).order_by("position"),
                to_attr="remedies",
            ),
            # Confirmed follow-ups across years, both ways: what this report's
            # items follow up in the year before, and how the next report took
            # them up.
            Prefetch(
                "follows_up",
                queryset=FollowUp.objects.confirmed().select_related("earlier__report"),
                to_attr="confirmed_earlier",
            ),
            Prefetch(
                "followups",
                queryset=FollowUp.objects.confirmed().select_related("later__report"),
                to_attr="confirmed_later",
            ),
        )
        .order_by("position")
    )
    # The leaders' chapter and its groups; those holding obligations are the
    # draft's groups (the chapter itself when it has no groups).
    leader_sections = Section.objects.filter(report=report).filter(
        Q(parent__isnull=True, title__contains=LEADER_CHAPTER_WORD)
        | Q(parent__title__contains=LEADER_CHAPTER_WORD)
    )
    by_section = {}
    for obligation in obligations:
        by_section.setdefault(obligation.section_id, []).append(obligation)
    leader_groups = []
    for section in leader_sections.order_by("position"):
        section.draft_items = by_section.get(section.pk, [])
        if section.draft_items:
            leader_groups.append(section)
    leader_section_ids = {section.pk for section in leader_groups}
    work = [o for o in obligations if o.kind in (Kind.WORK_ITEM, Kind.TASK)]
    return ReportDraft(
        report=report,
        finished=[
            o
            for o in work
            if o.status == Status.DONE and o.section_id not in leader_section_ids
        ],
        leader_groups=leader_groups,
        open_items=[
            o
            for o in work
            if o.status != Status.DONE and o.section_id not in leader_section_ids
        ],
        unremedied_problems=[
            o
            for o in obligations
            if o.kind == Kind.PROBLEM
            and (
                any(task.status != Status.DONE for task in o.remedies)
                or (not o.remedies and o.status != Status.DONE)
            )
        ],
        carried_over=[
            o for o in work if o.kind == Kind.TASK and o.status != Status.DONE
        ],
    )


# --- Notifications ----------------------------------------------------------------


def notifications_for(user):
    """The user's inbox, newest first, with what each row links to."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("obligation")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(user):
    """The header's badge: one COUNT over the recipient index."""
    return Notification.objects.filter(recipient=user).unread().count()


def group_names_and_unread_count(user) -> tuple[frozenset[str], int]:
    """The user's group names (``permissions``' roles) and the header's unread
    count (``NotificationQuerySet.unread``: no ``read_at``) in one query, which every
    page with the header runs. Written in SQL: building and compiling the same
    query with the ORM (a join and a subquery) took three times as long as running
    it (0.9 ms against 0.3 ms at the load test's size)."""
    user_model = get_user_model()
    membership = user_model.groups.through._meta
    group = user_model.groups.field.related_model._meta
    notification = Notification._meta
    q = connection.ops.quote_name

    def column(meta, name):
        return q(meta.get_field(name).column)

    sql = (
        f"SELECT g.{column(group, 'name')}, "
        f"(SELECT COUNT(*) FROM {q(notification.db_table)} n"
        f" WHERE n.{column(notification, 'recipient')} = %s"
        f" AND n.{column(notification, 'read_at')} IS NULL) "
        f"FROM {q(user_model._meta.db_table)} u "
        f"LEFT JOIN {q(membership.db_table)} m"
        f" ON m.{column(membership, 'user')} = u.{q(user_model._meta.pk.column)} "
        f"LEFT JOIN {q(group.db_table)} g"
        f" ON g.{q(group.pk.column)} = m.{column(membership, 'group')} "
        f"WHERE u.{q(user_model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        rows = cursor.fetchall()
    names = frozenset(name for name, _count in rows if name is not None)
    return names, (rows[0][1] if rows else 0)


def notification_email_mode(user):
    """What the user chose (NotificationPreference.Email), else the default."""
    chosen = (
        NotificationPreference.objects.filter(user=user)
        .values_list("email", flat=True)
        .first()
    )
    return chosen or NotificationPreference.DEFAULT


def only_report() -> Report | None:
    """The report, when exactly one is loaded (its organization and year only)."""
    reports = list(Report.objects.only("organization", "year")[:2])
    return reports[0] if len(reports) == 1 else None


def must_change_password(user) -> bool:
    """Whether ``user``'s password is a temporary one an administrator set."""
    return AccountProfile.objects.filter(user=user, must_change_password=True).exists()


def organization_name() -> str:
    """The organization the site serves: settings.ORGANIZATION_NAME, else the
    latest report's (巫溪县), else an empty string."""
    if settings.ORGANIZATION_NAME:
        return settings.ORGANIZATION_NAME
    latest = Report.objects.order_by("-year", "-imported_at").values_list(
        "organization", flat=True
    )
    return latest.first() or ""


# --- Assessment: department indicators and ranking (考核排名) ----------------------

# The points of each rating in the rating part of the score (out of 100).
RATING_POINTS = {
    Obligation.Rating.EXCELLENT: 100,
    Obligation.Rating.GOOD: 80,
    Obligation.Rating.FAIR: 60,
    Obligation.Rating.POOR: 0,
}
# In the supervision part, a red notice weighs as much as two yellow ones.
RED_NOTICE_WEIGHT = 2


@dataclass
class DepartmentIndicators:
    """One department's figures for a report and a period, its composite score and
    its rank (``department_indicators`` defines each). ``rank`` and ``score`` are
    None for a department with nothing to assess: it is shown, not ranked."""

    department: Department
    assigned: int = 0
    finished: int = 0
    on_time: int = 0
    overdue: int = 0
    submissions: int = 0
    returns: int = 0
    average_workdays: float | None = None
    yellow_notices: int = 0
    red_notices: int = 0
    # {Obligation.Rating value: count} over the finished items.
    ratings: dict = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None
    is_best: bool = False
    is_worst: bool = False

    @property
    def is_ranked(self) -> bool:
        return self.rank is not None

    @property
    def note(self):
        """What the ranking says of the department, in words: the page highlights
        the same rows, but colour alone says nothing to a screen reader or on a
        grey print."""
        if not self.assigned:
            return _("No assigned items: not ranked")
        if not self.is_ranked:
            return _("Nothing to assess yet: not ranked")
        if self.is_best:
            return _("Best")
        if self.is_worst:
            return _("Lowest")
        return ""

    @property
    def late(self) -> int:
        """Finished after the due date in force at approval."""
        return self.finished - self.on_time

    @property
    def due(self) -> int:
        """What should be finished by now (应办结): finished, or overdue."""
        return self.finished + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率, in percent: finished on time out of ``due``."""
        return percent(self.on_time, self.due)

    @property
    def return_rate(self) -> float | None:
        """退回率, in percent: returns for rework per submission for review."""
        return percent(self.returns, self.submissions)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating_average(self) -> float | None:
        """The average points of the ratings given (``RATING_POINTS``)."""
        if not self.rated:
            return None
        points = sum(RATING_POINTS[r] * n for r, n in self.ratings.items())
        return round(points / self.rated, 1)

    def rating_counts(self) -> list[tuple[str, str, int]]:
        """(rating, label, count) for every rating, best first."""
        return [(r.value, r.label, self.ratings.get(r.value, 0)) for r in RATING_POINTS]

    def score_parts(self) -> dict[str, float | None]:
        """Each part of the score between 0 and 1, None when there is nothing to
        measure it on (its weight then goes to the other parts).

        Supervision alone assesses nothing: every department starts without
        notices, so a department whose items are neither due, rated, submitted nor
        noticed yet would otherwise score 100 and rank first for doing nothing. It
        is not scored until one of those exists."""
        notices = self.yellow_notices + RED_NOTICE_WEIGHT * self.red_notices
        if not self.assigned or not (
            self.due or self.rated or self.submissions or notices
        ):
            return dict.fromkeys(AssessmentWeights.DEFAULTS)
        return {
            "on_time": self.on_time / self.due if self.due else None,
            "rating": (
                self.rating_average / 100 if self.rating_average is not None else None
            ),
            "returns": (
                max(0.0, 1 - self.returns / self.submissions)
                if self.submissions
                else None
            ),
            "supervision": max(0.0, 1 - notices / self.assigned),
        }


def percent(part, whole):
    """``part`` of ``whole`` in percent, to one decimal; None when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


def composite_score(parts: dict, weights: dict) -> float | None:
    """100 × the weighted mean of the parts that can be measured, to one decimal;
    None when none can."""
    measured = {
        name: value
        for name, value in parts.items()
        if value is not None and weights[name] > 0
    }
    total_weight = sum(weights[name] for name in measured)
    if not total_weight:
        return None
    weighted = sum(weights[name] * value for name, value in measured.items())
    return round(100 * weighted / total_weight, 1)


def rank_departments(rows: list[DepartmentIndicators]) -> list[DepartmentIndicators]:
    """Order by score (highest first), equal scores by department name then id, and
    number them as competitions do: equal scores share a rank and the next rank
    skips (1, 2, 2, 4). Departments without a score follow, by name, unranked.
    Marks the best (rank 1) and, when ranks differ, the worst (last rank)."""
    ranked = sorted(
        (row for row in rows if row.score is not None),
        key=lambda row: (-row.score, row.department.name, row.department.pk),
    )
    unranked = sorted(
        (row for row in rows if row.score is None),
        key=lambda row: (row.department.name, row.department.pk),
    )
    for position, row in enumerate(ranked, start=1):
        same = position > 1 and row.score == ranked[position - 2].score
        row.rank = ranked[position - 2].rank if same else position
    if ranked:
        last = ranked[-1].rank
        for row in ranked:
            row.is_best = row.rank == 1
            row.is_worst = row.rank == last and last != 1
    return ranked + unranked


def _assessed_obligations(report: Report, start: date | None, end: date | None):
    """The report's assigned obligations in the period, annotated with
    ``approved_on`` (the day of approval, Asia/Shanghai) and ``due_in_force``.

    An obligation is in the period when the due date in force, or the day it was
    approved, falls within it (both ends included); without dates, every one.
    ``due_in_force``: for a finished item the due date when it was approved (an
    extension granted before the approval counts, a change made after it does
    not), read from the history row the approval wrote; otherwise its due date."""
    done = Q(status=Status.DONE)
    due_at_approval = (
        Obligation.history.filter(
            id=OuterRef("pk"), history_date__gte=OuterRef("status_changed_at")
        )
        .order_by("history_date", "history_id")
        .values("due_date")[:1]
    )
    obligations = Obligation.objects.filter(
        report=report, department__isnull=False
    ).alias(
        approved_on=Case(
            When(done, then=ReportDate("status_changed_at")),
            default=None,
            output_field=DateField(),
        ),
        due_in_force=Case(
            When(done, then=Coalesce(Subquery(due_at_approval), F("due_date"))),
            default=F("due_date"),
            output_field=DateField(),
        ),
    )
    if start is None and end is None:
        return obligations
    bounds = {"gte": start, "lte": end}
    within = {
        field: Q(
            **{
                f"{field}__{lookup}": day
                for lookup, day in bounds.items()
                if day is not None
            }
        )
        for field in ("due_in_force", "approved_on")
    }
    return obligations.filter(within["due_in_force"] | within["approved_on"])


def _average_workdays(finished: QuerySet) -> dict[int, float]:
    """{department id: average working days from assignment to approval} of the
    ``finished`` obligations. The database counts the obligations per department
    and day (of approval, then of assignment); the working days between two days
    are the difference of their positions in the working-day calendar, so the sums
    come from those counts without reading any obligation in Python."""
    counted = finished.filter(
        department_assigned_at__isnull=False,
        status_changed_at__isnull=False,
        department_assigned_at__lte=F("status_changed_at"),
    ).order_by()
    per_day = [
        (sign, row)
        for column, sign in (("status_changed_at", 1), ("department_assigned_at", -1))
        for row in counted.annotate(day=ReportDate(column))
        .values("department", "day")
        .annotate(n=Count("pk"))
    ]
    if not per_day:
        return {}
    calendar = workdays.current_calendar()
    origin = min(row["day"] for _sign, row in per_day)
    totals, counts = {}, {}
    for sign, row in per_day:  # one row per department and day
        position = calendar.workdays_between(origin, row["day"])
        department = row["department"]
        totals[department] = totals.get(department, 0) + sign * row["n"] * position
        if sign > 0:
            counts[department] = counts.get(department, 0) + row["n"]
    return {d: round(totals[d] / counts[d], 1) for d in counts}


def department_indicators(
    *,
    report: Report,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
    weights: AssessmentWeights | None = None,
) -> list[DepartmentIndicators]:
    """Every department's indicators for ``report`` and the period from ``start``
    to ``end`` (both included; None: unbounded), with its score, ordered by rank.

    Which obligations: the report's obligations now assigned to the department
    whose due date in force or approval falls in the period
    (``_assessed_obligations``). Per department:

    - ``assigned``; ``finished`` (done now); ``overdue`` (``overdue_q``, today);
    - ``on_time``: finished, approved on or before the due date in force at the
      approval (no due date: on time). The deadline rule is the 督办 engine's: due
      dates are set in working days (``workdays.add_workdays``) and an item is
      late from the calendar day after its due date, as ``overdue_q`` says;
    - ``submissions`` and ``returns``: the timeline's moves to "awaiting review"
      and to "returned" of those obligations;
    - ``average_workdays``: working days from assignment to the department
      (``department_assigned_at``) to approval, over the finished ones;
    - ``yellow_notices`` / ``red_notices``: notices addressed to the department
      on any obligation of the report, issued within the period;
    - ``ratings``: the finished ones' ratings.

    A fixed number of queries whatever the number of obligations: the database
    counts, Python only scores the one row per department.
    """
    today = today or timezone.localdate()
    weights = (weights or AssessmentWeights.current()).as_dict()
    assessed = _assessed_obligations(report, start, end)
    done = Q(status=Status.DONE)
    on_time = done & (
        Q(due_in_force__isnull=True) | Q(approved_on__lte=F("due_in_force"))
    )
    counts = {
        row["department"]: row
        for row in assessed.order_by()
        .values("department")
        .annotate(
            assigned=Count("pk"),
            finished=Count("pk", filter=done),
            on_time=Count("pk", filter=on_time),
            overdue=Count("pk", filter=overdue_q(today)),
            **{
                f"rating_{rating.value}": Count("pk", filter=done & Q(rating=rating))
                for rating in RATING_POINTS
            },
        )
    }
    timeline = {
        row["obligation__department"]: row
        for row in ProgressUpdate.objects.filter(
            obligation__in=assessed.values("pk"), action=ProgressUpdate.Action.STATUS
        )
        .order_by()
        .values("obligation__department")
        .annotate(
            submissions=Count("pk", filter=Q(to_status=Status.SUBMITTED)),
            returns=Count("pk", filter=Q(to_status=Status.RETURNED)),
        )
    }
    notices = SupervisionNotice.objects.filter(
        obligation__report=report,
        department__isnull=False,
        level__in=(Level.YELLOW, Level.RED),
    )
    if start is not None:
        notices = notices.filter(issued_on__gte=start)
    if end is not None:
        notices = notices.filter(issued_on__lte=end)
    notice_counts = {
        row["department"]: row
        for row in notices.order_by()
        .values("department")
        .annotate(
            yellow=Count("pk", filter=Q(level=Level.YELLOW)),
            red=Count("pk", filter=Q(level=Level.RED)),
        )
    }
    averages = _average_workdays(assessed.filter(done))
    departments = Department.objects.filter(
        Q(is_active=True) | Q(pk__in=[*counts, *notice_counts])
    ).order_by("name")
    rows = []
    for department in departments:  # one row per department
        row = counts.get(department.pk, {})
        updates = timeline.get(department.pk, {})
        received = notice_counts.get(department.pk, {})
        indicators = DepartmentIndicators(
            department=department,
            assigned=row.get("assigned", 0),
            finished=row.get("finished", 0),
            on_time=row.get("on_time", 0),
            overdue=row.get("overdue", 0),
            submissions=updates.get("submissions", 0),
            returns=updates.get("returns", 0),
            average_workdays=averages.get(department.pk),
            yellow_notices=received.get("yellow", 0),
            red_notices=received.get("red", 0),
            ratings={r.value: row.get(f"rating_{r.value}", 0) for r in RATING_POINTS},
        )
        indicators.score = composite_score(indicators.score_parts(), weights)
        rows.append(indicators)
    return rank_departments(rows)


def circular_flagged(
    *, report: Report, start: date | None, end: date | None, today: date
) -> list[tuple[Department, list[Obligation]]]:
    """The departments the 通报 names, by name, each with its items of the period
    (the ranking's, ``_assessed_obligations``) that are overdue now (``overdue_q``)
    or under red supervision and not done, in document order. One query."""
    flagged = (
        _assessed_obligations(report, start, end)
        .filter(
            overdue_q(today) | (Q(supervision_level=Level.RED) & ~Q(status=Status.DONE))
        )
        .select_related("department")
        .only(
            "pk",
            "code",
            "title",
            "status",
            "due_date",
            "supervision_level",
            "department__name",
        )
        .order_by("department__name", "department_id", "position")
    )
    return [
        (department, list(items))
        for department, items in groupby(flagged, key=attrgetter("department"))
    ]
