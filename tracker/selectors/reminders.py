"""Who the daily reminders reach: the departments whose open items remind nobody;
and which reminder tiers each organization's items follow.

5 of the 7 demo departments had no member, so their items reminded nobody and
nothing said so. The dashboard (for admins and supervisors) and ``send_reminders``
name them, from two queries."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q

from ..models import Department, Obligation, Organization
from .compiled import compiled_for_reader


@dataclass(frozen=True)
class UnreachableDepartment:
    """A department with open items that no reminder reaches but the inbox, or
    not at all: ``members`` active members, ``with_email`` of them with an
    address, ``has_robot`` whether a group chat robot is set."""

    department: Department
    open_items: int
    members: int
    with_email: int
    has_robot: bool

    @property
    def reaches_nobody(self) -> bool:
        """No member at all: its unowned items' reminders go to nobody (the group
        chat repeats what members are sent, so a robot alone gets nothing)."""
        return self.members == 0


def unreachable_departments(user=None, *, reports=None):
    """Departments with open items (not done, in a report not closed) that have no
    active member, or whose members have no email address and which has no group
    chat robot, by name: two queries. With ``user``, only the departments of their
    organization and below it (the command's run lists them all).

    The departments nobody is reached in come first, from their members alone; then
    their open items, counted in one GROUP BY. Counted together over one join,
    every item was read once per member, and the items' count once more per
    member row: 16-20 ms at 10,000 items on each dashboard request (issue 27).

    ``reports`` (the dashboard's: the reader's, from ``reports_for_selector``,
    each with its revision): the open items in them, from the cache while none of
    them changed (``open_items_in_reports``); the members are read each time,
    since adding one changes no report."""
    if user is None:
        candidates = list(_candidates(Department.objects.all()))
    else:
        # The dashboard's: from SQL compiled once per process (its scope's
        # subqueries took longer to build and compile than to run).
        sql, params = compiled_for_reader(_visible_candidates, user)
        candidates = list(Department.objects.raw(sql, params))
    if not candidates:
        return []
    if reports is not None:
        open_items = open_items_in_reports(reports)
    else:
        open_items = _count_open_items(department__in=[row.pk for row in candidates])
    return [
        UnreachableDepartment(
            department=row,
            open_items=open_items[row.pk],
            members=row.member_count,
            with_email=row.with_email,
            has_robot=bool(row.webhook_url),
        )
        for row in candidates
        if open_items.get(row.pk)
    ]


def _candidates(departments):
    """``departments`` with no active member, or none with an email address and
    no robot, with their ``member_count`` and ``with_email``."""
    active = Q(members__is_active=True)
    return (
        departments.annotate(
            member_count=Count("members", filter=active, distinct=True),
            with_email=Count(
                "members", filter=active & ~Q(members__email=""), distinct=True
            ),
        )
        .filter(Q(member_count=0) | Q(with_email=0, webhook_url=""))
        .order_by("name")
    )


def _visible_candidates(reader):
    return _candidates(Department.objects.visible_to(reader))


def _count_open_items(**filters):
    return dict(
        Obligation.objects.filter(report__closed_at__isnull=True, **filters)
        .exclude(status=Obligation.Status.DONE)
        .order_by()
        .values_list("department")
        .annotate(n=Count("pk"))
    )


# A cached count is replaced by the next write anyway; this bounds how long an
# unused one takes room.
OPEN_ITEMS_CACHE_SECONDS = 3600


def open_items_in_reports(reports) -> dict[int, int]:
    """{department id: its items not done in ``reports`` (those not closed)},
    cached until one of them changes. Counting them read 7,500 of 10,000 items on
    each supervisor's dashboard (10 ms on PostgreSQL).

    What the counts depend on changes only through writes that bump a report's
    revision (``services.dashboard.report_invalidate_dashboard``): a status or an
    assignment (``log_action``), an import, a report's close and reopen. The key
    is each report with its revision, read with the reports already
    (``reports_for_selector``), so it costs no query."""
    shown = ",".join(f"{report.pk}.{report.revision_number}" for report in reports)
    key = "open-items-by-department:" + hashlib.sha256(shown.encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = _count_open_items(report__in=[report.pk for report in reports])
        cache.set(key, counts, OPEN_ITEMS_CACHE_SECONDS)
    return counts


def tiers_by_organization(tiers, organization_ids):
    """{organization id: its tiers}: an organization's own tiers when it has any
    (active or not: switching all of its own off silences its reminders), else
    those of the nearest organization above it that has some (a city sets them
    for its counties), else the deployment's (tiers without an organization).
    ``None`` maps to the deployment's. One query (the organizations' paths)."""
    deployment = [tier for tier in tiers if tier.organization_id is None]
    own = defaultdict(list)
    for tier in tiers:
        if tier.organization_id is not None:
            own[tier.organization_id].append(tier)
    chosen = {None: [tier for tier in deployment if tier.is_active]}
    if not own:
        return defaultdict(lambda: chosen[None], chosen)
    paths = dict(
        Organization.objects.filter(
            Q(pk__in=[pk for pk in organization_ids if pk is not None])
            | Q(pk__in=list(own))
        ).values_list("pk", "path")
    )
    by_path = {paths[pk]: rows for pk, rows in own.items() if pk in paths}
    for pk in organization_ids:
        if pk is None:
            continue
        path = paths.get(pk, "")
        # The longest path with tiers of its own that this one starts with.
        holder = max(
            (each for each in by_path if path.startswith(each)), key=len, default=None
        )
        rows = deployment if holder is None else by_path[holder]
        chosen[pk] = [tier for tier in rows if tier.is_active]
    return chosen
