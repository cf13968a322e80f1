"""The leaders' cockpit (/cockpit/): the few figures that matter, the red and yellow
items, the units at risk and what changed this week, over every open report.

Every read is one query whatever the number of obligations: counts are
aggregates, the lists are limited."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from ..models import (
    Instruction,
    Obligation,
    ProgressUpdate,
    SupervisionNotice,
    not_done_q,
)
from .dashboard import by_risk, department_count_rows, scorecards_of_rows
from .reports import visible_reports_version

Status = Obligation.Status
Level = Obligation.SupervisionLevel

# What fits on one A4 page; the full lists are one click away (obligation list).
ITEM_LIMIT = 25
UNIT_LIMIT = 8
WEEK_DAYS = 7


def cockpit_cache_key(user, *, leader_level: str, today: date, language: str):
    """Where the cockpit's body is cached for ``user``: it shows every open report
    the user sees (``reports.visible_reports_version``: their revisions, which every
    write bumps, notices issued, signed and replied to, 批示 and chases included,
    and a report's close and reopen; an edit of a department's or a person's name
    bumps them all), the day (overdue counts, ages, the week) and the language.
    Of the reader only their leader level (which notices are marked for them to
    sign); the rest of what is theirs is drawn around the body. ``None`` (not
    cached) when the user sees no report."""
    version = visible_reports_version(user)
    if version is None:
        return None
    return f"cockpit:{version}:{leader_level or '-'}:{today.isoformat()}:{language}"


@dataclass
class CockpitFigures:
    total: int
    open: int
    overdue: int
    waiting_review: int
    red: int
    yellow: int
    done: int

    @property
    def percent_done(self):
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class CockpitOverview:
    figures: CockpitFigures
    units: list  # Scorecard: the units at risk, the most at risk first


def cockpit_overview(
    obligations: QuerySet, *, today: date, unit_limit: int = UNIT_LIMIT
) -> CockpitOverview:
    """The headline counts and the units at risk, from one GROUP BY department
    (the counts are its sums: one scan of the obligations, not two)."""
    open_items = not_done_q()
    rows = department_count_rows(
        obligations,
        today=today,
        extra={
            "open_red": Count("pk", filter=open_items & Q(supervision_level=Level.RED)),
            "open_yellow": Count(
                "pk", filter=open_items & Q(supervision_level=Level.YELLOW)
            ),
        },
    )

    def total(*names):
        return sum(row[name] for row in rows.values() for name in names)

    figures = CockpitFigures(
        total=total("total"),
        open=total("total") - total(Status.DONE.value),
        overdue=total("overdue"),
        waiting_review=total(Status.SUBMITTED.value, Status.SIGNOFF.value),
        red=total("open_red"),
        yellow=total("open_yellow"),
        done=total(Status.DONE.value),
    )
    units = [
        card
        for card in by_risk(scorecards_of_rows(rows))
        if card.department is not None and (card.overdue or card.red or card.yellow)
    ][:unit_limit]
    return CockpitOverview(figures=figures, units=units)


def red_and_yellow_items(obligations: QuerySet, *, limit: int = ITEM_LIMIT):
    """The open red and yellow items, red first ("red" sorts before "yellow"), the
    longest at their level first;
    ``raised_at`` is when the level was last set (its age on the page)."""
    raised = (
        ProgressUpdate.objects.filter(
            obligation=OuterRef("pk"), action=ProgressUpdate.Action.SUPERVISION
        )
        .order_by()
        .values("obligation")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return list(
        obligations.filter(
            not_done_q(), supervision_level__in=(Level.RED, Level.YELLOW)
        )
        .select_related("department", "report")
        .annotate(raised_at=Subquery(raised))
        .order_by("supervision_level", "raised_at", "pk")[:limit]
    )


@dataclass
class WeekChanges:
    approved: int
    submitted: int
    returned: int
    supervision: int
    chases: int
    instructions: int
    notices: int


def week_start(today: date):
    """The start of the cockpit's week: midnight (local) six days before
    ``today``, so "this week" is the last seven days, today included. A day's
    boundary, not the hour's: the page is cached per day (``cockpit_cache_key``)."""
    start = today - timedelta(days=WEEK_DAYS - 1)
    return timezone.make_aware(datetime.combine(start, time.min))


def changes_this_week(obligations: QuerySet, *, today: date) -> WeekChanges:
    """What moved in the last seven days (``week_start``): from the timeline (one
    aggregate) and the notices issued (one count)."""
    since = week_start(today)
    Action = ProgressUpdate.Action
    row = ProgressUpdate.objects.filter(
        obligation__in=obligations, created_at__gte=since
    ).aggregate(
        approved=Count("pk", filter=Q(action=Action.STATUS, to_status=Status.DONE)),
        submitted=Count(
            "pk", filter=Q(action=Action.STATUS, to_status=Status.SUBMITTED)
        ),
        returned=Count("pk", filter=Q(action=Action.STATUS, to_status=Status.RETURNED)),
        supervision=Count("pk", filter=Q(action=Action.SUPERVISION)),
        chases=Count("pk", filter=Q(action=Action.CHASE)),
    )
    row["instructions"] = Instruction.objects.filter(
        obligation__in=obligations, created_at__gte=since
    ).count()
    row["notices"] = SupervisionNotice.objects.filter(
        obligation__in=obligations, issued_at__gte=since
    ).count()
    return WeekChanges(**row)


def notices_awaiting_signature(obligations: QuerySet, *, limit: int = ITEM_LIMIT):
    """Prepared 督办单 no leader has signed yet (待领导签发), oldest first."""
    return list(
        SupervisionNotice.objects.filter(
            obligation__in=obligations, signed_on__isnull=True
        )
        .select_related("obligation", "department")
        .order_by("issued_at", "pk")[:limit]
    )


def open_instructions(obligations: QuerySet, *, limit: int = ITEM_LIMIT):
    """批示 the units have not replied to yet, oldest first."""
    return list(
        Instruction.objects.filter(obligation__in=obligations, replied_at__isnull=True)
        .select_related("obligation", "department", "author")
        .order_by("created_at", "pk")[:limit]
    )
