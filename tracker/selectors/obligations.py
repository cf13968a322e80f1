"""The obligation list, its exports, and one obligation's page."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from ..importing import similarity
from ..models import (
    Chase,
    Evidence,
    ExtensionRequest,
    Instruction,
    Obligation,
    Part,
    ProgressUpdate,
    Report,
    SupervisionNotice,
    display_name_expression,
)
from .matching import MATCHING_CACHE_SECONDS, cached_matching
from .reports import (
    report_revision_number,
    visible_reports_version,
)
from .thesaurus import current_thesaurus


def obligation_list_cache_key(
    *, user, query: str, today: date, language: str
) -> str | None:
    """Where the obligation list's filters and table for ``query`` (the query
    string: filters, sort, page) are cached for ``user``'s scope: the reports the
    user sees and their revisions (``reports.visible_reports_version``), whose
    departments the filters offer. ``None`` (not cached) when the user sees no
    report."""
    version = visible_reports_version(user)
    if version is None:
        return None
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"obligation-list:{version}:{today.isoformat()}:{language}:{digest}"


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
            # For the countdown, which a closed year's items do not show.
            report_closed=F("report__closed_at"),
            # The code's year while several reports have open work (2022 · 4.1).
            report_year=F("report__year"),
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


class _JoinedNames(Aggregate):
    """The names of a group joined with "、", in name order: ``string_agg`` on
    PostgreSQL, ``group_concat`` on SQLite (Django 5.2 has no portable one)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, '、' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, '、')",
            **extra_context,
        )


def co_operating_units(obligation_ref="pk"):
    """The names of an item's co-operating units, joined: one subquery."""
    return Subquery(
        Part.objects.filter(obligation=OuterRef(obligation_ref))
        .order_by()
        .values("obligation")
        .annotate(names=_JoinedNames("department__name"))
        .values("names")
    )


def co_operating_unit_names(obligation) -> list[str]:
    """The names of an item's co-operating units (配合单位), in name order: what
    the 督办单 names beside the lead unit it is addressed to. One query."""
    return list(
        Part.objects.filter(obligation=obligation)
        .order_by("department__name")
        .values_list("department__name", flat=True)
    )


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
        co_operating_units=co_operating_units(),
        return_reason=Case(
            When(
                status=Obligation.Status.RETURNED,
                then=Subquery(latest_return.values("text")[:1]),
            ),
            default=None,
        ),
    )


def obligation_page_cache_key(
    obligation: Obligation, *, can_download: bool, today: date, language: str
) -> str:
    """Where the obligation page's parts that are the same for every reader of
    ``obligation`` who may (or may not) download its files are cached
    (``views.obligation_page``): its timeline, evidence table, texts and
    progress reports (调度).

    The report's revision makes every write a new key: each write to an item's
    timeline, evidence, parts, chases, notices or 批示 leaves a timeline entry
    (``services.common.log_action`` bumps the revision), and the admin's edits of
    names and calendars bump every report's (``reports_invalidate_dashboards``).
    A schedule's edit bumps it too (``services.schedules.schedule_save``). The
    version is there too (free, and an edit that left no entry would still
    miss); the day, the period of progress reports; the language, the labels.
    Read by ``obligation_page_related`` with the
    optional relations, so the key costs no query of its own."""
    revision = getattr(obligation.report, "revision_number", None)
    if revision is None:
        revision = report_revision_number(obligation.report)
    return (
        f"obligation-page:{obligation.pk}:{revision}:{obligation.version}:"
        f"{today.isoformat()}:{language}:{can_download:d}"
    )


def obligation_page_lists(obligation: Obligation) -> Obligation:
    """Fetch ``evidence_list`` and ``timeline`` (as attributes), newest entry
    first: two queries whatever their length. The obligation page needs them
    when its cached rendering is missing, for the co-operating units' parts and
    for a reviewer's panel."""
    prefetch_related_objects(
        [obligation],
        Prefetch(
            "evidence",
            queryset=Evidence.objects.select_related(
                "uploaded_by", "withdrawn_by", "part__department"
            ),
            to_attr="evidence_list",
        ),
        Prefetch(
            "updates",
            queryset=ProgressUpdate.objects.select_related(
                "author", "evidence", "part__department"
            ),
            to_attr="timeline",
        ),
    )
    return obligation


def obligation_page_related(
    obligation: Obligation, *, present: dict[str, bool] | None = None
) -> dict[str, bool]:
    """Fetch what the obligation page shows beside the obligation, in a fixed number
    of queries whatever the number of evidence rows and timeline entries:
    ``notice_list``, ``extension_list``, ``part_list``, ``chase_list`` and
    ``instruction_list`` (as attributes), the section's chapter, the task <->
    problem links and the item carried over into this one. The evidence and the
    timeline are ``obligation_page_lists``'s: the page reads them from its cache.

    Most items have no co-operating unit, chase, notice, 批示, extension request,
    link or predecessor: one query says which of them the item has, and only those are
    fetched. An empty prefetch cost 1.2-3 ms, most of it building its SQL, so
    the six that usually find nothing cost more than the one that asks. Returns
    which of them the item has; ``present``, that answer kept from an earlier
    call under ``obligation_page_cache_key`` (each of them changes with a write
    that bumps it), saves the query."""
    optional = {
        "parts": Prefetch(
            "parts",
            queryset=Part.objects.select_related(
                "department", "owner", "acknowledged_by", "waived_by"
            ).order_by("department__kind", "department__name"),
            to_attr="part_list",
        ),
        "chases": Prefetch(
            "chases",
            queryset=Chase.objects.select_related(
                "department", "chased_by", "answered_by"
            ),
            to_attr="chase_list",
        ),
        "notices": Prefetch(
            "notices",
            queryset=SupervisionNotice.objects.select_related(
                "department", "issued_by", "replied_by", "leader"
            ),
            to_attr="notice_list",
        ),
        "instructions": Prefetch(
            "instructions",
            queryset=Instruction.objects.select_related(
                "department", "author", "replied_by"
            ),
            to_attr="instruction_list",
        ),
        "extension_requests": Prefetch(
            "extension_requests",
            queryset=ExtensionRequest.objects.select_related(
                "requested_by", "decided_by"
            ),
            to_attr="extension_list",
        ),
        "addresses": Prefetch(
            "addresses", queryset=Obligation.objects.order_by("position")
        ),
        "addressed_by": Prefetch(
            "addressed_by", queryset=Obligation.objects.order_by("position")
        ),
    }
    if present is None:
        exists = {
            name: Exists(each.queryset.model.objects.filter(obligation=OuterRef("pk")))
            for name, each in optional.items()
            if name not in ("addresses", "addressed_by")
        }
        exists["addresses"] = Exists(
            Obligation.objects.filter(addressed_by=OuterRef("pk"))
        )
        exists["addressed_by"] = Exists(
            Obligation.objects.filter(addresses=OuterRef("pk"))
        )
        # The item of the year before, carried over into this one (结转): rare too.
        exists["carried_from"] = Exists(
            Obligation.objects.filter(carried_into=OuterRef("pk"))
        )
        # Named apart from the relations: an annotation may not shadow a field.
        found = (
            Obligation.objects.filter(pk=obligation.pk)
            .values(**{f"has_{name}": each for name, each in exists.items()})
            .get()
        )
        present = {name: found[f"has_{name}"] for name in exists}
    if not present["carried_from"]:
        # What reading the reverse side found nothing leaves:
        # ``carried_from_or_none`` answers None without a query.
        Obligation.carried_from.related.set_cached_value(obligation, None)
    lookups = [each for name, each in optional.items() if present[name]]
    # The section and its chapter come with the item from
    # ``permissions.get_obligation_or_404``; the prefetch machinery for them
    # alone cost more than the rest of a cached page's reads.
    if not Obligation.section.is_cached(obligation):
        lookups.append("section__parent")
    if lookups:
        prefetch_related_objects([obligation], *lookups)
    for name, each in optional.items():
        if present[name]:
            continue
        if each.to_attr:
            setattr(obligation, each.to_attr, [])
        else:
            # What prefetch_related leaves for a relation it found empty.
            manager = getattr(obligation, name)
            empty = manager.all()
            empty._result_cache, empty._prefetch_done = [], True
            if not hasattr(obligation, "_prefetched_objects_cache"):
                obligation._prefetched_objects_cache = {}
            obligation._prefetched_objects_cache[manager.prefetch_cache_name] = empty
    return present


# The most passages (items of a report still in its text) for which the obligation
# page suggests problems to a task; see suggested_problems. The report-wide
# computation, once per process and report text, took 0.9 s at 300 passages,
# 1.2 s at 1,000, 8 s at 2,000 and 274 s at 10,000 (PostgreSQL, bench_data's texts).
LINK_SUGGESTIONS_MAX_PASSAGES = 1000


@dataclass
class LinkSuggestion:
    """A problem of the report suggested for a task (``importing.similarity``)."""

    problem: Obligation
    score: float
    terms: tuple[str, ...]


def suggested_problems(task: Obligation) -> list[LinkSuggestion]:
    """The problems suggested for ``task`` that it is not linked to yet, best
    first (``report_link_suggestions``). Expects ``addresses`` prefetched
    (``obligation_page_related``)."""
    if task.kind != Obligation.Kind.TASK:
        return []
    linked = {problem.pk for problem in task.addresses.all()}
    return [
        each
        for each in report_link_suggestions(task.report).get(task.code, [])
        if each.problem.pk not in linked
    ]


def report_link_suggestions(report: Report) -> dict[str, list[LinkSuggestion]]:
    """The problems suggested for each task of ``report``, by the task's code,
    kept per the report's revision: an edit of an item's text, a re-import and an
    edit of the thesaurus bump it (``services.dashboard``). A county's task page
    read the report's thousand passages and digested them on every view.

    On a miss, two queries: the number of the report's obligations still in its
    text (none are suggested above ``LINK_SUGGESTIONS_MAX_PASSAGES``), then their
    code, kind and text (every passage weighs the words; a problem no longer in
    the report is not offered); and the thesaurus'."""
    key = f"report-links:{report.pk}:{report_revision_number(report)}"
    found = cache.get(key)
    if found is None:
        found = _report_link_suggestions(report)
        cache.set(key, found, MATCHING_CACHE_SECONDS)
    return found


def _report_link_suggestions(report):
    in_text = Obligation.objects.filter(report=report, missing_since__isnull=True)
    # A report far above any county's (bench_data's 10,000 passages in one) is
    # not compared: the report-wide computation took 274 s there (one task alone
    # 3.8 s), past gunicorn's 30 s timeout, so the page failed for every task.
    # One COUNT on the report's index says which case.
    if in_text.count() > LINK_SUGGESTIONS_MAX_PASSAGES:
        return {}
    passages = {
        o.code: o
        for o in in_text.only(
            "pk", "report_id", "code", "kind", "title", "body", "status"
        )
    }
    texts = [(o.code, o.kind, o.body) for o in passages.values()]
    thesaurus = current_thesaurus()
    # Every task of the report at once, computed once per report text (a status
    # change bumps the revision, not the texts).
    for_report = cached_matching(
        "links",
        parts=(texts,),
        thesaurus=thesaurus,
        compute=lambda: similarity.suggest_for_report(texts, thesaurus=thesaurus),
    )
    by_task = {}
    for each in for_report:
        by_task.setdefault(each.task, []).append(
            LinkSuggestion(passages[each.problem], each.score, each.terms)
        )
    return by_task


@dataclass
class ReviewMaterial:
    """What a reviewer reads before deciding (the review panel): the note sent
    with the latest submission, the progress notes posted since the latest
    return (all of them when it was never returned) and the live evidence of the
    lead unit."""

    submission: object  # ProgressUpdate or None
    notes: list
    evidence: list


def review_material(obligation: Obligation) -> ReviewMaterial:
    """From what ``obligation_page_related`` loaded: no query of its own."""
    lead = [entry for entry in obligation.timeline if entry.part_id is None]
    # obligation.timeline is newest first (ProgressUpdate.Meta.ordering).
    submission = next(
        (
            entry
            for entry in lead
            if entry.action == ProgressUpdate.Action.STATUS
            and entry.to_status == Obligation.Status.SUBMITTED
        ),
        None,
    )
    notes = []
    for entry in lead:
        if (
            entry.action == ProgressUpdate.Action.STATUS
            and entry.to_status == Obligation.Status.RETURNED
        ):
            break
        if entry.action == ProgressUpdate.Action.COMMENT and entry.text:
            notes.append(entry)
    return ReviewMaterial(
        submission=submission,
        notes=notes,
        evidence=[
            each
            for each in obligation.evidence_list
            if each.part_id is None and not each.is_withdrawn
        ],
    )
