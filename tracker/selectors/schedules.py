"""调度: the 调度表 (items and parts × periods, each cell on time / late / missing)
and what a user's units still have to file."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from ..models import (
    Obligation,
    Part,
    Period,
    ProgressReport,
    Schedule,
    unsettled_q,
)
from .reports import visible_reports_version

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"


def schedule_cache_key(user, *, query: str, today: date, language: str) -> str | None:
    """Where the 调度表's body (the filters and the table) for ``query`` (the query
    string) is cached for ``user``: the reports the user sees and their revisions
    (``reports.visible_reports_version``; every progress report filed, status
    change and part's change leaves a timeline entry, a schedule saved in the
    admin bumps its report's revision, an edit of a department bumps them all),
    the day (which periods are due, missing or pending) and the language. ``None``
    (not cached) when the user sees no report."""
    version = visible_reports_version(user)
    if version is None:
        return None
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"schedule:{version}:{today.isoformat()}:{language}:{digest}"


@dataclass
class ScheduleRow:
    obligation: Obligation
    unit: object  # the Department reporting: the lead unit, or the part's unit
    part: Part | None = None
    cells: list = field(default_factory=list)


@dataclass
class ScheduleTable:
    schedule: Schedule
    periods: list
    rows: list
    missing: int


def _state(filed, period: Period, today: date) -> str:
    if filed is not None:
        return ON_TIME if filed else LATE
    return MISSING if period.due < today else PENDING


def schedule_table(schedule: Schedule, *, today: date, department=None):
    """The 调度表 of ``schedule``'s report: each open item (its lead unit) and each
    open part (its unit), optionally of one ``department``, with a cell per
    period. Three queries whatever the number of rows."""
    periods = schedule.periods(today)
    items = (
        Obligation.objects.filter(report_id=schedule.report_id)
        .exclude(status=Obligation.Status.DONE)
        .filter(department__isnull=False)
        .select_related("department")
        .defer("body")
        .order_by("position")
    )
    parts = (
        Part.objects.filter(obligation__report_id=schedule.report_id)
        .filter(unsettled_q())
        .select_related("department", "obligation")
        .defer("obligation__body")
        .order_by("obligation__position", "department__name")
    )
    if department is not None:
        items = items.filter(department=department)
        parts = parts.filter(department=department)
    filed = {
        (obligation_id, part_id, period): on_time
        for obligation_id, part_id, period, on_time in ProgressReport.objects.filter(
            obligation__report_id=schedule.report_id,
            period__in=[period.start for period in periods],
        ).values_list("obligation_id", "part_id", "period", "on_time")
    }
    rows = [ScheduleRow(obligation=item, unit=item.department) for item in items]
    parts_by_item = {}
    for part in parts:
        parts_by_item.setdefault(part.obligation_id, []).append(part)
    # Each item's parts right under it; parts of items not listed (another unit
    # leads them) at the end.
    ordered = []
    listed = set()
    for row in rows:
        ordered.append(row)
        listed.add(row.obligation.pk)
        for part in parts_by_item.get(row.obligation.pk, []):
            ordered.append(
                ScheduleRow(obligation=part.obligation, unit=part.department, part=part)
            )
    for obligation_id, item_parts in parts_by_item.items():
        if obligation_id not in listed:
            ordered.extend(
                ScheduleRow(obligation=p.obligation, unit=p.department, part=p)
                for p in item_parts
            )
    missing = 0
    for row in ordered:
        part_id = row.part.pk if row.part else None
        row.cells = [
            _state(filed.get((row.obligation.pk, part_id, p.start)), p, today)
            for p in periods
        ]
        missing += row.cells.count(MISSING)
    return ScheduleTable(
        schedule=schedule, periods=periods, rows=ordered, missing=missing
    )


@dataclass
class ProgressDue:
    obligation: Obligation
    part: Part | None
    period: Period
    missed: Period | None  # the last past period, when it was not filed


def progress_due(items: QuerySet, parts, *, today: date) -> list:
    """What ``items`` (the user's open obligations) and ``parts`` (their units'
    open parts, read with their obligation) still have to file for the current
    period, and whether the last past period went unfiled (未按时报送). Three
    queries at most: the schedules of the items' and parts' reports, then only
    when there is one, the items of those reports and the filed reports. A
    department's hundreds of items are read only when their report has a
    schedule."""
    part_report_ids = {part.obligation.report_id for part in parts}
    schedules = {
        schedule.report_id: schedule
        for schedule in Schedule.objects.filter(
            Q(report_id__in=items.order_by().values("report_id"))
            | Q(report_id__in=part_report_ids),
            is_active=True,
        )
    }
    if not schedules:
        return []
    items = list(items.filter(report_id__in=schedules.keys()))
    windows = {}
    for report_id, schedule in schedules.items():
        periods = schedule.periods(today, limit=2)
        if not periods:
            continue
        current = periods[-1]
        # The last period whose due day has passed: this one after its day,
        # else the one before it.
        if current.due < today:
            last_past = current
        else:
            last_past = periods[0] if len(periods) == 2 else None
        windows[report_id] = (current, last_past)
    starts = {p.start for pair in windows.values() for p in pair if p}
    filed = set(
        ProgressReport.objects.filter(
            obligation__report_id__in=windows.keys(), period__in=starts
        ).values_list("obligation_id", "part_id", "period")
    )
    due = []
    for obligation, part in [(item, None) for item in items] + [
        (part.obligation, part) for part in parts
    ]:
        window = windows.get(obligation.report_id)
        if window is None:
            continue
        current, last_past = window
        key = (obligation.pk, part.pk if part else None)
        missed = (
            last_past
            if last_past is not None and (*key, last_past.start) not in filed
            else None
        )
        if (*key, current.start) not in filed or missed is not None:
            due.append(ProgressDue(obligation, part, current, missed))
    return due


@dataclass
class ItemProgress:
    """The item page's 调度: the current period (None without a schedule), the
    item's latest progress report, and what was filed for the current period."""

    period: Period | None
    latest: ProgressReport | None
    item_filed: bool
    parts_filed: set


def item_progress(obligation: Obligation, *, today: date) -> ItemProgress:
    """Three queries at most: the schedule, the latest report, this period's."""
    schedule = Schedule.objects.filter(
        report_id=obligation.report_id, is_active=True
    ).first()
    latest = (
        ProgressReport.objects.of_item()
        .filter(obligation=obligation)
        .select_related("filed_by")
        .first()
    )
    period = schedule.current_period(today) if schedule else None
    filed = (
        list(
            ProgressReport.objects.filter(
                obligation=obligation, period=period.start
            ).values_list("part_id", flat=True)
        )
        if period
        else []
    )
    return ItemProgress(
        period=period,
        latest=latest,
        item_filed=None in filed,
        parts_filed={part_id for part_id in filed if part_id is not None},
    )


def missing_progress_reports(*, today: date) -> int:
    """How many progress reports are not filed on time (未按时报送) over the
    active schedules of open reports: the supervisors' queue on /my/. A few
    queries per schedule (reports are few), none per item."""
    return sum(
        schedule_table(schedule, today=today).missing
        for schedule in Schedule.objects.filter(
            is_active=True, report__closed_at__isnull=True
        )
    )
