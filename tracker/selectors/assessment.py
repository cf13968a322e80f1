"""考核排名: the departments' indicators, their composite score and ranking."""

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import workdays
from ..models import (
    AssessmentWeights,
    Chase,
    Department,
    Obligation,
    OrganizationSupervision,
    Part,
    ProgressUpdate,
    Report,
    SupervisionNotice,
    overdue_q,
)
from .dashboard import Level, ReportDate, Status

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
    # Items the ranking may judge it on (``department_indicators``).
    measurable: int = 0
    finished: int = 0
    on_time: int = 0
    overdue: int = 0
    submissions: int = 0
    returns: int = 0
    average_workdays: float | None = None
    yellow_notices: int = 0
    red_notices: int = 0
    # Of ``assigned``, the parts of other units' items (分办事项).
    parts: int = 0
    # 催办次数: chases of the department (its items or its parts) in the period.
    chases: int = 0
    # {Obligation.Rating value: count} over the finished items.
    ratings: dict = field(default_factory=dict)
    score: float | None = None
    # Set by rank_departments: the setting RANKING_MIN_SAMPLE when too few of the
    # department's items can be measured for it to be ranked, else None.
    below_minimum: int | None = None
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
        if self.below_minimum is not None:
            return ngettext(
                "Fewer than %(minimum)d measurable item: not ranked",
                "Fewer than %(minimum)d measurable items: not ranked",
                self.below_minimum,
            ) % {"minimum": self.below_minimum}
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

        Supervision (and chases) alone assess nothing: every department starts
        without notices, so a department whose items are neither due, rated,
        submitted nor noticed yet would otherwise score 100 and rank first for
        doing nothing. It is not scored until one of those exists."""
        notices = self.yellow_notices + RED_NOTICE_WEIGHT * self.red_notices
        if not self.assigned or not (
            self.due or self.rated or self.submissions or notices or self.chases
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
            "chases": max(0.0, 1 - self.chases / self.assigned),
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


def rank_departments(
    rows: list[DepartmentIndicators], *, minimum: int | None = None
) -> list[DepartmentIndicators]:
    """Order by score (highest first), equal scores by department name then id, and
    number them as competitions do: equal scores share a rank and the next rank
    skips (1, 2, 2, 4). Marks the best (rank 1) and, when ranks differ, the worst
    (last rank).

    Only departments with at least ``minimum`` measurable items (default: the
    setting RANKING_MIN_SAMPLE) are ranked: the others follow with their score
    but unranked (``below_minimum``), then those without a score, by name."""
    if minimum is None:
        minimum = settings.RANKING_MIN_SAMPLE
    scored = [row for row in rows if row.score is not None]
    for row in scored:
        row.below_minimum = minimum if row.measurable < minimum else None
    ranked = sorted(
        (row for row in scored if row.below_minimum is None),
        key=lambda row: (-row.score, row.department.name, row.department.pk),
    )
    unranked = sorted(
        (row for row in scored if row.below_minimum is not None),
        key=lambda row: (-row.score, row.department.name, row.department.pk),
    ) + sorted(
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


def _reports(report) -> list[Report]:
    """The ranking of one report, or of several at once (the reports with open
    work, ``views.dashboard.report_choice``): ``report`` is a Report or a list."""
    return [report] if isinstance(report, Report) else list(report)


def _report_pks(report) -> list[int]:
    return [each.pk for each in _reports(report)]


def _assessed_obligations(
    report: Report, start: date | None, end: date | None, *, assigned_only=True
):
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
    obligations = Obligation.objects.filter(report__in=_report_pks(report))
    if assigned_only:
        obligations = obligations.filter(department__isnull=False)
    obligations = obligations.alias(
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
    return _in_period(obligations, start, end, "due_in_force", "approved_on")


def _in_period(queryset, start, end, *fields):
    """The rows of which any of the date ``fields`` falls within ``start``-``end``
    (either end open when None); all of them when both are None."""
    if start is None and end is None:
        return queryset
    bounds = {"gte": start, "lte": end}
    within = Q()
    for name in fields:
        within |= Q(
            **{
                f"{name}__{lookup}": day
                for lookup, day in bounds.items()
                if day is not None
            }
        )
    return queryset.filter(within)


def _part_counts(report, start, end, today) -> dict:
    """{department pk: {assigned, finished, on_time, overdue}} of the parts its
    units hold in ``report``'s items, by the rules of ``_assessed_obligations``:
    in the period when the part's due date or the day the lead unit accepted it
    falls within it; finished is accepted, on time when accepted by its due date;
    a waived part is not assessed. One query."""
    accepted = Q(status=Part.Status.ACCEPTED)
    parts = Part.objects.filter(
        obligation__report__in=_report_pks(report), waived_at__isnull=True
    ).alias(
        accepted_on=Case(
            When(accepted, then=ReportDate("status_changed_at")),
            default=None,
            output_field=DateField(),
        )
    )
    parts = _in_period(parts, start, end, "due_date", "accepted_on")
    return {
        row["department"]: row
        for row in parts.order_by()
        .values("department")
        .annotate(
            assigned=Count("pk"),
            finished=Count("pk", filter=accepted),
            on_time=Count(
                "pk",
                filter=accepted
                & (Q(due_date__isnull=True) | Q(accepted_on__lte=F("due_date"))),
            ),
            overdue=Count("pk", filter=~accepted & Q(due_date__lt=today)),
        )
    }


def _average_workdays(finished: QuerySet, by: str = "department") -> dict[int, float]:
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
        .values(by, "day")
        .annotate(n=Count("pk"))
    ]
    if not per_day:
        return {}
    calendar = workdays.current_calendar()
    origin = min(row["day"] for _sign, row in per_day)
    # Each day's position once: the city's ranking has a row per county and day
    # (30,000 at 100 counties, 0.6 s of calendar arithmetic) over a few hundred days.
    positions = {}
    totals, counts = {}, {}
    for sign, row in per_day:  # one row per department and day
        position = positions.get(row["day"])
        if position is None:
            position = positions[row["day"]] = calendar.workdays_between(
                origin, row["day"]
            )
        department = row[by]
        totals[department] = totals.get(department, 0) + sign * row["n"] * position
        if sign > 0:
            counts[department] = counts.get(department, 0) + row["n"]
    return {d: round(totals[d] / counts[d], 1) for d in counts}


@dataclass(frozen=True)
class _Grouping:
    """Whose figures the counts are: a report's departments (the department
    ranking), or the organizations of several reports (the city's ranking of its
    counties, where every item of a county counts for the county)."""

    obligation: str  # the obligation's column to group by
    notice: str  # the same from a SupervisionNotice
    chase: str  # the same from a Chase
    # A department counts the notices and chases addressed to it (the item may
    # have moved since); an organization every one on its items.
    addressed: bool


BY_DEPARTMENT = _Grouping("department", "department", "department", True)
BY_ORGANIZATION = _Grouping(
    "report__organization_unit",
    "obligation__report__organization_unit",
    "obligation__report__organization_unit",
    False,
)


def _grouped_counts(report, assessed, *, start, end, today, by: _Grouping):
    """The database's counts behind the ranking's indicators, one dict per
    source keyed by ``by``'s group (a department's or an organization's pk):
    the assessed obligations, their timeline, the notices and the chases of the
    period, and the average working days. Five queries whatever the number of
    groups or obligations (``department_indicators`` defines each figure)."""
    done = Q(status=Status.DONE)
    on_time = done & (
        Q(due_in_force__isnull=True) | Q(approved_on__lte=F("due_in_force"))
    )
    notices = SupervisionNotice.objects.filter(
        obligation__report__in=_report_pks(report),
        level__in=(Level.YELLOW, Level.RED),
    )
    if by.addressed:
        notices = notices.filter(department__isnull=False)
    if start is not None:
        notices = notices.filter(issued_on__gte=start)
    if end is not None:
        notices = notices.filter(issued_on__lte=end)
    submitted = ProgressUpdate.objects.filter(
        obligation=OuterRef("pk"),
        action=ProgressUpdate.Action.STATUS,
        to_status=Status.SUBMITTED,
    )
    noticed = notices.filter(obligation=OuterRef("pk"))
    if by.addressed:
        noticed = noticed.filter(department=OuterRef("department"))
    counts = {
        row[by.obligation]: row
        for row in assessed.order_by()
        .values(by.obligation)
        .annotate(
            assigned=Count("pk"),
            measurable=Count(
                "pk",
                filter=done
                | overdue_q(today)
                | Q(Exists(submitted))
                | Q(Exists(noticed)),
            ),
            finished=Count("pk", filter=done),
            on_time=Count("pk", filter=on_time),
            overdue=Count("pk", filter=overdue_q(today)),
            **{
                f"rating_{rating.value}": Count("pk", filter=done & Q(rating=rating))
                for rating in RATING_POINTS
            },
        )
    }
    timeline_key = f"obligation__{by.obligation}"
    timeline = {
        row[timeline_key]: row
        for row in ProgressUpdate.objects.filter(
            obligation__in=assessed.values("pk"), action=ProgressUpdate.Action.STATUS
        )
        .order_by()
        .values(timeline_key)
        .annotate(
            submissions=Count("pk", filter=Q(to_status=Status.SUBMITTED)),
            returns=Count("pk", filter=Q(to_status=Status.RETURNED)),
        )
    }
    notice_counts = {
        row[by.notice]: row
        for row in notices.order_by()
        .values(by.notice)
        .annotate(
            yellow=Count("pk", filter=Q(level=Level.YELLOW)),
            red=Count("pk", filter=Q(level=Level.RED)),
        )
    }
    chases = Chase.objects.filter(obligation__report__in=_report_pks(report))
    if by.addressed:
        chases = chases.filter(department__isnull=False)
    if start is not None:
        chases = chases.filter(chased_at__date__gte=start)
    if end is not None:
        chases = chases.filter(chased_at__date__lte=end)
    chase_counts = dict(
        chases.order_by()
        .values(by.chase)
        .annotate(n=Count("pk"))
        .values_list(by.chase, "n")
    )
    averages = _average_workdays(assessed.filter(done), by.obligation)
    return counts, timeline, notice_counts, chase_counts, averages


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
    - ``parts``: the parts (分办事项) its units hold in other units' items, which
      count in ``assigned``, ``finished`` (accepted), ``on_time`` and
      ``overdue`` as its own items do (``_part_counts``);
    - ``chases``: chases (催办) of the department, of its items or its parts,
      within the period;
    - ``ratings``: the finished ones' ratings;
    - ``measurable``: the items any part of the score measures: finished, overdue
      now, submitted for review at least once, or given a yellow or red notice in
      the period, and its parts finished or overdue (``rank_departments`` ranks
      only on RANKING_MIN_SAMPLE of them).

    A fixed number of queries whatever the number of obligations: the database
    counts, Python only scores the one row per department.
    """
    today = today or timezone.localdate()
    weights = (weights or AssessmentWeights.current()).as_dict()
    assessed = _assessed_obligations(report, start, end)
    counts, timeline, notice_counts, chase_counts, averages = _grouped_counts(
        report, assessed, start=start, end=end, today=today, by=BY_DEPARTMENT
    )
    part_counts = _part_counts(report, start, end, today)
    departments = Department.objects.filter(
        Q(is_active=True) | Q(pk__in=[*counts, *notice_counts, *part_counts])
    ).order_by("name")
    organizations = {each.organization_unit_id for each in _reports(report)} - {None}
    if organizations:
        # The reports' own units: another county's are not ranked beside them.
        departments = departments.filter(organization_id__in=organizations)
    rows = []
    for department in departments:  # one row per department
        row = counts.get(department.pk, {})
        parts = part_counts.get(department.pk, {})
        updates = timeline.get(department.pk, {})
        received = notice_counts.get(department.pk, {})
        indicators = DepartmentIndicators(
            department=department,
            # A unit's parts (分办事项) count for it as its own items do.
            assigned=row.get("assigned", 0) + parts.get("assigned", 0),
            # A part finished or overdue is measured like an item (unfinished and
            # not yet due, it measures nothing).
            measurable=row.get("measurable", 0)
            + parts.get("finished", 0)
            + parts.get("overdue", 0),
            finished=row.get("finished", 0) + parts.get("finished", 0),
            on_time=row.get("on_time", 0) + parts.get("on_time", 0),
            overdue=row.get("overdue", 0) + parts.get("overdue", 0),
            parts=parts.get("assigned", 0),
            submissions=updates.get("submissions", 0),
            returns=updates.get("returns", 0),
            average_workdays=averages.get(department.pk),
            yellow_notices=received.get("yellow", 0),
            red_notices=received.get("red", 0),
            chases=chase_counts.get(department.pk, 0),
            ratings={r.value: row.get(f"rating_{r.value}", 0) for r in RATING_POINTS},
        )
        indicators.score = composite_score(indicators.score_parts(), weights)
        rows.append(indicators)
    return rank_departments(rows)


# Replaced by the next write anyway; this only bounds how long an unused key stays.
RANKING_CACHE_SECONDS = 3600


def ranking_cache_key(
    reports: list[Report],
    *,
    start: date | None,
    end: date | None,
    today: date,
    weights: AssessmentWeights,
) -> str:
    """Where the ranking rows of ``reports`` over a period are cached: each
    report's revision (``ReportRevision``), which every write that changes an
    indicator bumps (``services.dashboard.report_invalidate_dashboard``: status
    moves, parts, chases, notices, ratings and due dates all leave a timeline entry
    through ``log_action``; imports, closes and reopens call it themselves; the
    admin's edits of departments and the calendar bump every report), the period,
    the day (overdue counts change at midnight) and the weights in force. Nothing of
    the reader: whoever may see the ranking of a report sees all of its rows."""
    return "ranking:" + ranking_key_parts(
        _revisions(reports), start=start, end=end, today=today, weights=weights
    )


def ranking_key_parts(revisions: dict[int, int], *, start, end, today, weights):
    parts = [
        ",".join(f"{pk}.{revisions[pk]}" for pk in sorted(revisions)),
        start.isoformat() if start else "",
        end.isoformat() if end else "",
        today.isoformat(),
        ",".join(
            f"{name}={value}" for name, value in sorted(weights.as_dict().items())
        ),
    ]
    return ":".join(parts)


def _revisions(reports: list[Report]) -> dict[int, int]:
    # ``reports_for_selector`` reads each report with its revision; others are read.
    known = {
        report.pk: report.revision_number
        for report in reports
        if getattr(report, "revision_number", None) is not None
    }
    missing = [report.pk for report in reports if report.pk not in known]
    if missing:
        known.update(
            Report.objects.filter(pk__in=missing).values_list(
                "pk", Coalesce("revision__number", 0)
            )
        )
    return known


def cached_department_indicators(
    *,
    report: Report | list[Report],
    start: date | None = None,
    end: date | None = None,
    today: date,
    weights: AssessmentWeights,
) -> list[DepartmentIndicators]:
    """``department_indicators``, cached under ``ranking_cache_key``: the ranking
    page computes its rows once per report revision, period, day and weights."""
    reports = list(report) if isinstance(report, list | tuple) else [report]
    key = ranking_cache_key(reports, start=start, end=end, today=today, weights=weights)
    rows = cache.get(key)
    if rows is None:
        rows = department_indicators(
            report=report, start=start, end=end, today=today, weights=weights
        )
        cache.set(key, rows, RANKING_CACHE_SECONDS)
    return rows


def circular_flagged(
    *, report: Report | list[Report], start: date | None, end: date | None, today: date
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


@dataclass
class OrganizationIndicators(DepartmentIndicators):
    """A county's figures in the city's ranking: the department ranking's
    indicators, score and rank (``DepartmentIndicators``; its ``department`` is
    the organization here), over every item of the county's report of the year.
    ``city_chases`` and ``city_notices`` are the city's own 催办 and yellow or red
    督办单 to the county as a whole, which count in ``chases`` and the notices."""

    report_id: int | None = None
    city_chases: int = 0
    city_notices: int = 0

    @property
    def organization(self):
        return self.department

    @property
    def percent_done(self) -> float | None:
        """Completion: finished out of every item."""
        return percent(self.finished, self.assigned)


def organization_indicators(
    *,
    organizations,
    year: int,
    today: date | None = None,
    weights: AssessmentWeights | None = None,
) -> list[OrganizationIndicators]:
    """The city's ranking of ``organizations`` (those with a report of ``year``)
    by the department ranking's indicators and score (``department_indicators``
    defines each), each organization standing for its report as a whole: every
    item counts, assigned to a unit or not; the notices and chases on its items
    count for it, and so do the city's own 催办 and yellow or red 督办单 to it
    about its report of ``year`` (``OrganizationSupervision.report``). The parts
    (分办事项) are internal to a county and count nowhere. Ranked by
    ``rank_departments``.

    A fixed number of queries (nine) whatever the number of organizations or
    obligations: the database counts per organization in GROUP BY queries."""
    today = today or timezone.localdate()
    weights = (weights or AssessmentWeights.current()).as_dict()
    organizations = list(organizations)
    reports = list(
        Report.objects.filter(year=year, organization_unit__in=organizations)
        .order_by()
        .only("pk", "organization_unit")
    )
    report_of = {report.organization_unit_id: report.pk for report in reports}
    report_pks = [report.pk for report in reports]
    assessed = _assessed_obligations(reports, None, None, assigned_only=False)
    counts, timeline, notice_counts, chase_counts, averages = _grouped_counts(
        reports, assessed, start=None, end=None, today=today, by=BY_ORGANIZATION
    )
    sent = OrganizationSupervision.objects.filter(
        organization__in=list(report_of), report__in=report_pks
    )
    city_counts = {
        row["organization"]: row
        for row in sent.order_by()
        .values("organization")
        .annotate(
            chases=Count("pk", filter=Q(kind=OrganizationSupervision.Kind.CHASE)),
            yellow=Count(
                "pk",
                filter=Q(kind=OrganizationSupervision.Kind.NOTICE, level=Level.YELLOW),
            ),
            red=Count(
                "pk",
                filter=Q(kind=OrganizationSupervision.Kind.NOTICE, level=Level.RED),
            ),
        )
    }
    rows = []
    for organization in organizations:  # one row per organization with a report
        if organization.pk not in report_of:
            continue
        row = counts.get(organization.pk, {})
        updates = timeline.get(organization.pk, {})
        received = notice_counts.get(organization.pk, {})
        city = city_counts.get(organization.pk, {})
        indicators = OrganizationIndicators(
            department=organization,
            report_id=report_of[organization.pk],
            assigned=row.get("assigned", 0),
            measurable=row.get("measurable", 0),
            finished=row.get("finished", 0),
            on_time=row.get("on_time", 0),
            overdue=row.get("overdue", 0),
            submissions=updates.get("submissions", 0),
            returns=updates.get("returns", 0),
            average_workdays=averages.get(organization.pk),
            yellow_notices=received.get("yellow", 0) + city.get("yellow", 0),
            red_notices=received.get("red", 0) + city.get("red", 0),
            chases=chase_counts.get(organization.pk, 0) + city.get("chases", 0),
            city_chases=city.get("chases", 0),
            city_notices=city.get("yellow", 0) + city.get("red", 0),
            ratings={r.value: row.get(f"rating_{r.value}", 0) for r in RATING_POINTS},
        )
        indicators.score = composite_score(indicators.score_parts(), weights)
        rows.append(indicators)
    return rank_departments(rows)
