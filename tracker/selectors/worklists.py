"""/my/ and the supervisors' review queue."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import attrgetter

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from .. import workdays
from ..models import (
    ExtensionRequest,
    Obligation,
    Part,
    ProgressUpdate,
    Report,
    SupervisionNotice,
    overdue_q,
)
from .dashboard import (
    Level,
    Status,
    awaiting_review_list,
    overdue_list,
    pending_extensions,
)
from .schedules import progress_due

# /my/ groups: what needs the user's hands first, finished work last.
MY_WORK_ORDER = (
    Status.RETURNED,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.SIGNOFF,
    Status.SUBMITTED,
    Status.DONE,
)


# /my/ shows this many rows of each status group, the most urgent first; the
# group's heading counts them all and "N more" shows the whole group
# (``?group=<status>``). A department holds hundreds of items in a county.
MY_WORK_GROUP_LIMIT = 30


def reports_revisions() -> tuple[int, int, int]:
    """Over every report: the sum of their revisions, their count and the highest
    id, for /my/'s cache key (``my_work_cache_key``): every write adds one to the
    sum, a report added or removed changes the count or the highest id."""
    row = Report.objects.aggregate(
        total=Coalesce(Sum("revision__number"), 0),
        count=Count("pk"),
        last=Coalesce(Max("pk"), 0),
    )
    return row["total"], row["count"], row["last"]


def my_work_cache_key(
    *,
    signature: str,
    reviewer: bool,
    revisions: tuple,
    today: date,
    language: str,
    whole: str | None,
) -> str:
    """Where /my/'s body is cached for one reader: their own page, so the key
    holds ``signature`` (``permissions.user_cache_signature``: who they are, their
    role, organization, and the departments they belong to and head: a change of
    membership is a new key), then ``revisions`` (``reports_revisions``), the day
    (overdue, countdowns, the period of progress reports), the language and the
    group shown whole.

    Every write to an item, a part, a notice, an extension request, a progress
    report or a schedule bumps its report's revision
    (``services.dashboard.report_invalidate_dashboard``), and so does an owner's
    assignment; a department's or a person's new name and the working-day
    calendar bump them all. Every report, not only the user's: whether codes read
    with their year (``selectors.reports.labels_years``) and the supervisors'
    count of unfiled progress reports look at every report. Their revisions' sum,
    count and highest id: every write adds one to the sum, a report added or
    removed changes the count or the highest id."""
    who = hashlib.sha256(signature.encode()).hexdigest()[:32]
    total, reports, last = revisions
    return (
        f"my-work:{who}:{reviewer:d}:{total}:{reports}:{last}:"
        f"{today.isoformat()}:{language}:{whole or '-'}"
    )


@dataclass
class MyWork:
    """The obligations of a user's departments and those they own: ``groups`` is
    [{status, label, rows, count, more}] in ``MY_WORK_ORDER``, each row with
    ``overdue_now``: ``rows`` the first ``MY_WORK_GROUP_LIMIT`` (all of the group
    ``whole``), ``count`` all of them, ``more`` those not shown; ``departments``
    are the user's, by name."""

    groups: list
    total: int
    overdue: int
    departments: list
    # The co-operating units' side: the user's units' open parts of items led by
    # others, the parts submitted to the user's items (the lead unit's to accept),
    # and what waits for the user's sign-off as a unit's head (待单位审核).
    parts: list = field(default_factory=list)
    parts_to_accept: list = field(default_factory=list)
    awaiting_signoff: list = field(default_factory=list)
    # 调度: progress reports the user's items and parts still owe.
    progress_due: list = field(default_factory=list)


def my_work(
    user, *, today: date, whole: str | None = None, limit: int = MY_WORK_GROUP_LIMIT
) -> MyWork:
    """The database orders the rows by group (status in ``MY_WORK_ORDER``), overdue
    first, then by due date, numbers them within their group and returns the first
    ``limit`` of each (all of the group ``whole``), and counts each group, the
    total and the overdue; Python only cuts the ordered rows where the status
    changes. A fixed number of queries whatever the number of items."""
    departments = list(user.departments.order_by("name"))
    department_ids = [department.pk for department in departments]
    # A closed year's items and those carried over (结转) wait for nobody: they
    # leave the list, as they leave every queue and reminder.
    mine = _of_user(Obligation.objects, user, department_ids).of_open_reports()
    group_rank = Case(
        *(
            When(status=status, then=Value(rank))
            for rank, status in enumerate(MY_WORK_ORDER)
        ),
        output_field=IntegerField(),
    )
    overdue_now = Case(
        When(overdue_q(today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    within_group = (
        overdue_now.desc(),
        F("due_date").asc(nulls_last=True),
        F("report_id").asc(),
        F("position").asc(),
        F("pk").asc(),
    )
    shown = Q(number__lte=limit)
    if whole:
        shown |= Q(status=whole)
    rows = (
        mine.select_related("report", "department", "owner")
        .defer("body", "report__source_text")
        .annotate(
            group_rank=group_rank,
            overdue_now=overdue_now,
            number=Window(
                RowNumber(), partition_by=[F("status")], order_by=within_group
            ),
        )
        .filter(shown)
        .annotate(
            # Shown under the title until the work is submitted again.
            return_reason=Subquery(
                ProgressUpdate.objects.open_returns()
                .filter(obligation=OuterRef("pk"))
                .order_by("-pk")
                .values("text")[:1]
            ),
        )
        .order_by("group_rank", *within_group)
    )
    by_status, overdue = {}, 0
    for status, count, late in (
        mine.order_by()
        .values_list("status")
        .annotate(
            count=Count("pk"),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    ):
        by_status[status] = count
        overdue += late
    groups = []
    for status, group in groupby(rows, key=attrgetter("status")):
        group = list(group)
        count = by_status.get(status, len(group))
        groups.append(
            {
                "status": Status(status),
                "label": Status(status).label,
                "rows": group,
                "count": count,
                "more": count - len(group),
            }
        )
    parts = my_parts(user, department_ids=department_ids)
    return MyWork(
        groups=groups,
        total=sum(by_status.values()),
        overdue=overdue,
        departments=departments,
        parts=parts,
        parts_to_accept=parts_to_accept(mine),
        awaiting_signoff=awaiting_signoff(user),
        # Every open item, not only the rows shown: what is owed for the period.
        progress_due=progress_due(_open_items(mine), parts, today=today),
    )


def _of_user(manager, user, department_ids) -> QuerySet:
    """The rows (obligations or parts) of the departments ``department_ids`` (the
    user's, read once) and those ``user`` owns. The ids are a list, not a join
    on the members: each side of the OR is then an index scan (department_id,
    owner_id) that PostgreSQL ORs as bitmaps, with no DISTINCT; the join made it
    scan every item and deduplicate."""
    return manager.filter(Q(department_id__in=department_ids) | Q(owner_id=user.pk))


def _open_items(mine: QuerySet) -> QuerySet:
    """The user's open items with only what ``progress_due`` and its list need
    (a few columns of each: the rows shown are only the first of each group)."""
    return (
        mine.exclude(status=Status.DONE)
        .select_related("report")
        .only("pk", "code", "title", "report_id", "report__year")
    )


_PART_ROWS = (
    "obligation__report",
    "obligation__department",
    "department",
    "owner",
)


def my_parts(user, *, department_ids) -> list:
    """The open parts (not accepted, not waived) of the user's units
    (``department_ids``) and those they own, 未签收 first, then by due date: one
    query."""
    rank = Case(
        *(
            When(status=status, then=Value(rank))
            for rank, status in enumerate(
                (
                    Part.Status.NOT_ACKNOWLEDGED,
                    Part.Status.RETURNED,
                    Part.Status.IN_PROGRESS,
                    Part.Status.SUBMITTED,
                )
            )
        ),
        default=Value(9),
        output_field=IntegerField(),
    )
    return list(
        _of_user(Part.objects, user, department_ids)
        .unsettled()
        .filter(
            obligation__report__closed_at__isnull=True,
            obligation__carried_into__isnull=True,
        )
        .select_related(*_PART_ROWS)
        .defer("obligation__body", "obligation__report__source_text")
        .annotate(rank=rank)
        .order_by("rank", F("due_date").asc(nulls_last=True), "pk")
    )


def parts_to_accept(mine: QuerySet) -> list:
    """Parts submitted to the lead unit of ``mine`` (the user's items), oldest
    submission first: one query."""
    return list(
        Part.objects.filter(
            obligation__in=mine.values("pk"),
            status=Part.Status.SUBMITTED,
            waived_at__isnull=True,
        )
        .select_related(*_PART_ROWS)
        .defer("obligation__body", "obligation__report__source_text")
        .order_by("status_changed_at", "pk")
    )


def awaiting_signoff(user) -> list:
    """待单位审核: submissions of the departments the user heads, oldest first."""
    return list(
        Obligation.objects.of_open_reports()
        .filter(status=Obligation.Status.SIGNOFF, department__heads=user)
        .select_related("report", "department", "owner")
        .defer("body", "report__source_text")
        .order_by("status_changed_at", "pk")
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
    # Nothing of a closed year or carried over (结转) can be acted on any more.
    visible = visible.of_open_reports()
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
    rows = visible.select_related("department", "owner", "report").defer(
        "body", "report__source_text"
    )
    awaiting = list(awaiting_review_list(rows, limit=limit))
    calendar = workdays.current_calendar()
    for obligation in awaiting:  # at most ``limit`` rows
        since = obligation.status_changed_at
        obligation.waited_workdays = (
            calendar.workdays_between(
                timezone.localtime(since, timezone.get_default_timezone()).date(), today
            )
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
            notices.select_related("obligation__report", "department")
            .defer("obligation__body", "obligation__report__source_text")
            .order_by("reply_due", "pk")[:limit]
        ),
    )


def next_to_review(visible: QuerySet, *, after=None):
    """The head of the review queue (``review_queue``'s awaiting_review: the
    longest-waiting submission first) leaving out ``after``, the item just
    decided or being read: where "审核下一项" leads. None when nothing else
    waits. One query."""
    rows = visible.exclude(pk=after.pk) if after is not None else visible
    return next(iter(awaiting_review_list(rows, limit=1)), None)
