"""The city's pages: the organizations below the user's, each with its report's
figures for one year, and their ranking."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ..models import (
    AssessmentWeights,
    FollowUp,
    Obligation,
    Organization,
    OrganizationSupervision,
    Report,
    ReportRevision,
    organization_scope_q,
)
from .assessment import (
    RANKING_CACHE_SECONDS,
    OrganizationIndicators,
    organization_indicators,
    ranking_key_parts,
)
from .dashboard import Scorecard, scorecard_counts


@dataclass
class OrganizationFigures:
    """One organization's report of a year: its scorecard, how many of its
    problems recur from the year before (反复出现), the city's 催办 and 督办单 to
    it."""

    organization: Organization
    report_id: int | None = None
    card: Scorecard = field(default_factory=Scorecard)
    recurring: int = 0
    # The city's 催办 and 督办单 to it as a whole: all of them, and those the
    # county has not answered yet.
    supervision_sent: int = 0
    supervision_open: int = 0


def organizations_below(organization: Organization | None):
    """``organization`` and everything below it, in tree order; the whole tree
    for a user with no organization (a single-county deployment's, or the
    platform's administrator)."""
    queryset = Organization.objects.order_by("path")
    if organization is not None:
        queryset = queryset.filter(path__startswith=organization.path)
    return queryset


def reports_by_year(organizations) -> dict[int, dict[int, int]]:
    """The reports of ``organizations`` by year, newest first, each year's as
    {report pk: revision}: the years to choose from and what the city's ranking
    ranks and keys its cache on. One query, no model instances."""
    by_year = {}
    rows = (
        Report.objects.filter(organization_unit__in=organizations)
        .order_by("-year")
        .values_list("year", "pk", Coalesce("revision__number", 0))
    )
    for year, pk, revision in rows:
        by_year.setdefault(year, {})[pk] = revision
    return by_year


def organization_figures(organizations, *, year: int, today: date):
    """A row per organization of ``organizations`` (a queryset) with its report of
    ``year``: four queries whatever the number of organizations or obligations
    (the organizations, one GROUP BY over the obligations, one over the recurring
    problems, one over the city's 催办 and 督办单 to them). The city's ranking is
    ``selectors.assessment.organization_indicators``."""
    rows = {
        organization.pk: OrganizationFigures(organization=organization)
        for organization in organizations
    }
    of_year = Q(report__year=year, report__organization_unit__in=list(rows))
    counts = (
        Obligation.objects.filter(of_year)
        .in_report_text()
        .order_by()
        .values("report__organization_unit", "report")
        .annotate(**scorecard_counts(today))
    )
    for count in counts:
        row = rows[count["report__organization_unit"]]
        row.report_id = count["report"]
        row.card = Scorecard.from_row(count)
    recurring = (
        FollowUp.objects.recurring()
        .filter(
            later__report__year=year,
            later__report__organization_unit__in=list(rows),
        )
        .order_by()
        .values(organization=F("later__report__organization_unit"))
        .annotate(count=Count("pk"))
    )
    for count in recurring:
        rows[count["organization"]].recurring = count["count"]
    for pk, (sent, unanswered) in supervision_counts(list(rows)).items():
        rows[pk].supervision_sent = sent
        rows[pk].supervision_open = unanswered
    return list(rows.values())


def supervision_counts(organizations) -> dict[int, tuple[int, int]]:
    """The city's 催办 and 督办单 to each of ``organizations``: (all of them, the
    ones not answered yet), by the organization's pk. One query."""
    return {
        row["organization"]: (row["sent"], row["open"])
        for row in OrganizationSupervision.objects.filter(
            organization__in=organizations
        )
        .order_by()
        .values("organization")
        .annotate(sent=Count("pk"), open=Count("pk", filter=Q(answered_at=None)))
    }


# Replaced by the next write anyway; this only bounds how long an unused key stays.
ORGANIZATION_FIGURES_CACHE_SECONDS = 3600


def organization_figures_cache_key(
    organizations, revisions: dict[int, int], *, year: int, today: date
) -> str:
    """Where ``organization_figures`` of ``organizations`` (a queryset) for
    ``year`` are cached: the revision of each report of the year (``revisions``,
    ``reports_by_year``: every write to a report's items and follow-ups bumps it,
    ``services.dashboard.report_invalidate_dashboard``; adding, renaming or
    moving an organization bumps every report, ``admin.organizations``), the
    city's 催办 and 督办单 to them as counted now (they are not always about a
    report: how many, how many unanswered and the newest; they are never deleted
    and answered once) and the day (overdue counts change at midnight). One
    query; hashed, as a city has a hundred counties."""
    supervision = OrganizationSupervision.objects.filter(
        organization__in=organizations
    ).aggregate(
        sent=Count("pk"),
        unanswered=Count("pk", filter=Q(answered_at=None)),
        newest=Max("pk"),
    )
    parts = (
        f"{year}:{today.isoformat()}:{sorted(revisions.items())}:"
        f"{sorted(supervision.items())}"
    )
    return "organization-figures:" + hashlib.sha256(parts.encode()).hexdigest()


def cached_organization_figures(*, key: str, organizations, year: int, today: date):
    """``organization_figures``, cached under ``key``
    (``organization_figures_cache_key``)."""
    rows = cache.get(key)
    if rows is None:
        rows = organization_figures(organizations, year=year, today=today)
        cache.set(key, rows, ORGANIZATION_FIGURES_CACHE_SECONDS)
    return rows


@dataclass
class ItemAcross:
    """One item (by its code in the reports, which the counties' reports share
    when built from one template) across the organizations: its status in each
    (``None`` where that organization's report did not set it)."""

    code: str
    title: str
    statuses: list = field(default_factory=list)

    @property
    def unfinished_everywhere(self):
        set_in = [status for status in self.statuses if status is not None]
        return bool(set_in) and all(status != "done" for status in set_in)


def items_side_by_side(organizations, *, year: int, kind: str = "task"):
    """The items of ``kind`` of every organization's report of ``year``, side by
    side: one row per code, one column per organization (in ``organizations``'
    order). One query whatever the number of organizations."""
    columns = [organization.pk for organization in organizations]
    position = {pk: index for index, pk in enumerate(columns)}
    rows = {}
    items = (
        Obligation.objects.filter(
            report__year=year, report__organization_unit__in=columns, kind=kind
        )
        .in_report_text()
        .order_by("position")
        .values_list("code", "title", "report__organization_unit", "status")
    )
    for code, title, organization_id, status in items:
        row = rows.get(code)
        if row is None:
            row = rows[code] = ItemAcross(code, title, [None] * len(columns))
        row.statuses[position[organization_id]] = status
    return list(rows.values())


def supervision_sent_or_received(user):
    """The city's 催办 and 督办单 to the organizations in ``user``'s subtree
    (for a county's people, those their county received), newest first, with
    their state. One query."""
    return OrganizationSupervision.objects.filter(
        organization_scope_q(user, "organization__path")
    ).select_related("organization", "issuer", "sent_by", "answered_by")


def supervision_list_cache_key(
    user, *, organization_id, chosen: str, page: str, language: str
) -> str:
    """Where the table of ``supervision_sent_or_received(user)`` (narrowed to the
    organization ``chosen``, at ``page``) is cached: who sees which rows (the
    reader's organization: the same rows for everyone of it), the rows' state
    (how many, how many unanswered and the newest: they are never deleted and
    answered once) and the names in them (people's and organizations', which
    the admin's edits change by bumping every report's revision: the sum of the
    revisions of the reports the reader sees). One query."""
    rows = supervision_sent_or_received(user)
    if chosen:
        rows = rows.filter(organization=int(chosen))
    revisions = (
        ReportRevision.objects.filter(
            organization_scope_q(user, "report__organization_unit__path")
        )
        .order_by()
        .annotate(all=Value(1))
        .values("all")
        .annotate(total=Sum("number"))
        .values("total")
    )
    state = rows.aggregate(
        sent=Count("pk"),
        unanswered=Count("pk", filter=Q(answered_at=None)),
        newest=Max("pk"),
        names=Max(Subquery(revisions)),
    )
    parts = (
        f"{organization_id}:{user.is_superuser}:{chosen}:{page}:{language}:"
        f"{sorted(state.items())}"
    )
    return "organization-supervision:" + hashlib.sha256(parts.encode()).hexdigest()


def organization_ranking_cache_key(
    revisions: dict[int, int], *, today: date, weights: AssessmentWeights
) -> str:
    """Where the city's ranking of the reports of ``revisions`` (report pk:
    revision, ``selectors.organizations.reports_by_year``) is cached:
    ``ranking_cache_key``'s parts, so the revision of every report it ranks (a
    write in any county bumps its report's; the city's own 催办 and 督办单 to a
    county bump the report they are about, ``services.organization_supervision``;
    a rename of an organization bumps every report, ``admin.organizations``), the
    set of reports (a county's new report of the year is a new key), the day and
    the weights. Hashed: a city ranks a hundred reports, a key memcached would
    refuse."""
    parts = ranking_key_parts(
        revisions, start=None, end=None, today=today, weights=weights
    )
    return "organization-ranking:" + hashlib.sha256(parts.encode()).hexdigest()


def cached_organization_indicators(
    *, key: str, organizations, year: int, today: date, weights: AssessmentWeights
) -> list[OrganizationIndicators]:
    """``organization_indicators``, cached under ``key``
    (``organization_ranking_cache_key``): nine GROUP BY queries over every
    county's items (a second at a hundred counties of a thousand) once per
    revision of any of them, day and weights."""
    rows = cache.get(key)
    if rows is None:
        rows = organization_indicators(
            organizations=organizations, year=year, today=today, weights=weights
        )
        cache.set(key, rows, RANKING_CACHE_SECONDS)
    return rows
