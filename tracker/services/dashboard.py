"""The dashboard's cached figures and the daily status counts behind its chart."""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ..models import (
    Obligation,
    ProgressUpdate,
    Report,
    ReportRevision,
    StatusSnapshot,
)


def report_invalidate_dashboard(*, report_id: int) -> None:
    """Bump the report's ``ReportRevision``: the dashboard's cached figures of the
    report are keyed on it (``selectors.dashboard.dashboard_cache_key``), so the next
    request computes them anew. The one invalidation of the dashboard: every write that
    changes what it shows calls it (``log_action`` does, for every write that
    leaves a timeline entry; an import, a report's close and reopen and the
    admin's edits of names and calendars call it themselves).

    In the caller's transaction, so the new number and the change become visible
    together: a reader that sees the new number also sees the change. The row stays
    locked until the commit, so call it after the obligation rows the transaction
    locks (``log_action`` comes after them); a transaction that writes several
    obligations locks them all first (``ObligationAdmin._apply_to_each``). One
    statement, an upsert: the row is created by the first write to the report."""
    table = ReportRevision._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (report_id, number) VALUES (%s, 1) "
            f"ON CONFLICT (report_id) DO UPDATE SET number = {table}.number + 1",
            [report_id],
        )


def reports_invalidate_dashboards() -> None:
    """Invalidate every report's dashboard: after an edit of what all of them show
    (a department's or a person's name, the working-day calendar). Rare: admin
    edits only."""
    for report_id in Report.objects.values_list("pk", flat=True):
        report_invalidate_dashboard(report_id=report_id)


def _status_rows(report_id, day, counts):
    return [
        StatusSnapshot(
            report_id=report_id, day=day, status=status, count=counts.get(status, 0)
        )
        for status in Obligation.Status
    ]


@transaction.atomic
def status_snapshots_take(
    *, day: date, report: Report | None = None, counts: dict | None = None
) -> int:
    """Record how many obligations of each report (or of ``report``) have each
    status now, as the counts of ``day``, replacing what was taken earlier that
    day: the daily run (``snapshot_status``, ``send_reminders``) takes them, so a
    day's rows end as its last known counts.
    ``counts`` ({status: count} of ``report``) when the caller has just counted.
    Two queries at most, whatever the number of reports and obligations; returns
    the number of reports."""
    if report is not None and counts is not None:
        counts = {report.pk: counts}
    else:
        obligations = Obligation.objects.order_by()
        if report is not None:
            obligations = obligations.filter(report=report)
        counts = {} if report is None else {report.pk: {}}
        for report_id, status, count in obligations.values_list(
            "report_id", "status"
        ).annotate(count=Count("pk")):
            counts.setdefault(report_id, {})[status] = count
    rows = [
        row
        for report_id, by_status in counts.items()
        for row in _status_rows(report_id, day, by_status)
    ]
    StatusSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["report", "day", "status"],
        update_fields=["count"],
    )
    return len(counts)


@transaction.atomic
def status_snapshots_backfill(*, report: Report, until: date) -> int:
    """The counts of the days up to ``until`` that have no snapshot yet, rebuilt
    from the timeline: an obligation counts from the day it was created, with the
    status its first status change left (or its status now, if it never changed),
    and then each day with the status of its latest change by the end of that day
    (Asia/Shanghai). Days already recorded are kept as they are, so running it
    again writes nothing. Returns the number of days written.

    One pass over the report's status changes in time order; meant to be run once
    (``manage.py snapshot_status --backfill``), not per request."""
    recorded = set(
        StatusSnapshot.objects.filter(report=report, day__lte=until)
        .values_list("day", flat=True)
        .distinct()
    )
    changes = (
        ProgressUpdate.objects.filter(
            obligation__report=report, action=ProgressUpdate.Action.STATUS
        )
        .order_by("created_at", "pk")
        .values_list("obligation_id", "from_status", "to_status", "created_at")
    )
    changes = [
        (pk, old, new, timezone.localtime(when).date())
        for pk, old, new, when in changes
    ]
    first_status = {}
    for pk, old, _new, _day in changes:
        first_status.setdefault(pk, old)
    created = sorted(
        (timezone.localtime(when).date(), pk, first_status.get(pk, status))
        for pk, when, status in report.obligations.values_list(
            "pk", "created_at", "status"
        )
    )
    if not created:
        return 0
    status_of, counts = {}, Counter()
    rows, day, written = [], created[0][0], 0
    next_created, next_change = 0, 0
    while day <= until:
        while next_created < len(created) and created[next_created][0] <= day:
            _day, pk, status = created[next_created]
            status_of[pk] = status
            counts[status] += 1
            next_created += 1
        while next_change < len(changes) and changes[next_change][3] <= day:
            pk, _old, new, _day = changes[next_change]
            if pk in status_of:
                counts[status_of[pk]] -= 1
                status_of[pk] = new
                counts[new] += 1
            next_change += 1
        if day not in recorded:
            rows.extend(_status_rows(report.pk, day, counts))
            written += 1
        day += timedelta(days=1)
    StatusSnapshot.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return written
