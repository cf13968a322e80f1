"""Follow-up across years: suggestions, each report's and each item's follow-ups,
recurring problems.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Q,
)
from django.utils import translation

from ..importing import similarity
from ..models import (
    FollowUp,
    FollowUpRejection,
    Obligation,
    Report,
    neighbours_stamp,
)
from .dashboard import LIST_LIMIT
from .matching import MATCHING_CACHE_SECONDS, cached_matching
from .reports import neighbour_reports, next_of_neighbours, report_revision_number
from .thesaurus import current_thesaurus


def adjacent_report(*, organization: str, year: int) -> Report | None:
    """The organization's report of ``year``, if imported."""
    return Report.objects.filter(organization=organization, year=year).first()


@dataclass
class FollowUpSuggestion:
    """An item of next year's report suggested as reporting on a task or problem
    (``importing.similarity.match_followups``), not confirmed or rejected yet."""

    earlier: Obligation
    later: Obligation
    score: float
    terms: tuple[str, ...]
    # ``contradiction``'s answer, set by ``report_followup``.
    contradiction: str | None = None

    @property
    def is_recurring(self):
        """A problem suggested as appearing again as a problem."""
        return self.earlier.kind == self.later.kind == Obligation.Kind.PROBLEM


def _passages(report_ids) -> dict[int, dict[str, Obligation]]:
    """The obligations still in the text of each report, by report and code, with
    what matching and the pages need (not status or people). One query."""
    by_report = {pk: {} for pk in report_ids}
    for obligation in (
        Obligation.objects.filter(report_id__in=report_ids, missing_since__isnull=True)
        .select_related("section")
        .only(
            "pk",
            "report_id",
            "code",
            "kind",
            "title",
            "body",
            "position",
            "section__title",
            "section__parent_id",
        )
    ):
        by_report[obligation.report_id][obligation.code] = obligation
    return by_report


def _as_passages(obligations):
    """``(code, kind, text, group)``: ``group`` is the title of the section inside
    a chapter that holds the obligation, empty when a chapter holds it directly
    (``similarity.match_followups`` scores a work item with its group)."""
    return [
        (o.code, o.kind, o.body, o.section.title if o.section.parent_id else "")
        for o in obligations.values()
    ]


def _cached_matches(earlier_passages, later_passages, *, only, thesaurus):
    """``similarity.match_followups`` of two reports' passages, computed once per
    pair of report texts (``matching.cached_matching``): the report page stops
    running jieba and TF-IDF over both reports on every view."""
    return cached_matching(
        "followups",
        parts=(earlier_passages, later_passages, sorted(only or ()), only is None),
        thesaurus=thesaurus,
        compute=lambda: similarity.match_followups(
            earlier_passages, later_passages, only=only, thesaurus=thesaurus
        ),
    )


def followup_suggestions(
    earlier_report: Report, later_report: Report, *, only=None
) -> list[FollowUpSuggestion]:
    """Suggested follow-ups of ``earlier_report``'s tasks and problems (or of the
    codes in ``only``) in ``later_report``, best first for each, in document
    order; a pair already confirmed or rejected is not suggested again. Four
    queries whatever the size of the reports (the thesaurus' entries one).

    All of them (the report page's) are cached per pair of report revisions and
    thesaurus: a re-import, an edit of an item and every decision on a pair (a
    timeline entry on both sides) bump the revisions
    (``services.dashboard.report_invalidate_dashboard``), so the page reads
    neither report's passages while nothing changed."""
    thesaurus = current_thesaurus()
    if only is not None:
        return _followup_suggestions(
            earlier_report, later_report, only=only, thesaurus=thesaurus
        )
    return cached_matching(
        "followup-suggestions",
        parts=(
            earlier_report.pk,
            report_revision_number(earlier_report),
            later_report.pk,
            report_revision_number(later_report),
        ),
        thesaurus=thesaurus,
        compute=lambda: _followup_suggestions(
            earlier_report, later_report, only=None, thesaurus=thesaurus
        ),
    )


def _followup_suggestions(earlier_report, later_report, *, only, thesaurus):
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
        for each in _cached_matches(
            _as_passages(earlier),
            _as_passages(later),
            only=only,
            thesaurus=thesaurus,
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
        min_share=0.0,
        thesaurus=current_thesaurus(),
    )
    for each in matches:
        if each.later == later.code:
            return each.score, each.terms
    return 0.0, ()


# How the next report's text describes the work it follows up (issue 23, item 4),
# the one place of these words. A text holding an UNFINISHED word says the work
# is not done; otherwise one holding a DONE word says it is done; otherwise it
# says neither. In this order because "尚未完成" holds 完成; the words of
# NOT_UNFINISHED ("未来") are taken out first, as they hold 未 without saying it.
UNFINISHED_WORDS = ("尚未", "未", "仍", "继续", "有待", "正在", "推进中")
DONE_WORDS = ("完成", "建成", "已", "实现", "落实到位")
NOT_UNFINISHED = ("未来",)

SAID_DONE = "said_done"
SAID_UNFINISHED = "said_unfinished"


def described_as(text: str) -> str | None:
    """ "done", "unfinished" or None: what ``text`` says of the work."""
    for word in NOT_UNFINISHED:
        text = text.replace(word, "")
    if any(word in text for word in UNFINISHED_WORDS):
        return "unfinished"
    if any(word in text for word in DONE_WORDS):
        return "done"
    return None


def contradiction(earlier: Obligation, later: Obligation) -> str | None:
    """``SAID_DONE`` when the tracker has ``earlier`` not done while the next
    report's ``later`` describes it as done, ``SAID_UNFINISHED`` for the
    reverse, None when they agree or the text says neither."""
    said = described_as(f"{later.title}{later.body}")
    done = earlier.status == Obligation.Status.DONE
    if said == "done" and not done:
        return SAID_DONE
    if said == "unfinished" and done:
        return SAID_UNFINISHED
    return None


@dataclass
class FollowUpRow:
    """A task or problem of a report and what next year's report made of it.
    Each confirmed match and suggestion carries ``contradiction``
    (``contradiction``: the tracker's status against the next report's words)."""

    obligation: Obligation
    confirmed: list = field(default_factory=list)  # FollowUp, with ``later``
    suggestions: list = field(default_factory=list)  # FollowUpSuggestion

    @property
    def contradictions(self):
        return [
            each for each in [*self.confirmed, *self.suggestions] if each.contradiction
        ]

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
    # The nearest later report (``reports.next_report``), set by
    # ``cached_report_followup`` only.
    next_report: Report | None = None


def report_followup(report: Report) -> ReportFollowUp:
    """What the report page shows of the follow-up across years: two queries (the
    neighbouring reports, the confirmed matches), and four more when next year's
    report is imported (its suggestions and this report's tasks and problems),
    whatever the size of the reports."""
    return _report_followup(report, neighbour_reports(report))


def cached_report_followup(report: Report) -> ReportFollowUp:
    """``report_followup`` for the report page, cached per the revisions of the
    report and its two neighbours (every confirmation, rejection, status change,
    edit or import on either side bumps them:
    ``services.dashboard.report_invalidate_dashboard``; so does an edit of a
    person's name), the language, and with next year's report the thesaurus the
    suggestions come from. One query (the neighbours, which give the
    ``next_report`` too), and one more for the thesaurus when next year's report
    is imported."""
    neighbours = neighbour_reports(report)
    parts = [report.pk, report_revision_number(report), translation.get_language()]
    for year in (report.year - 1, report.year + 1):
        each = neighbours.get(year)
        parts.append((each.pk, each.revision_number) if each else None)
    if report.year + 1 in neighbours:
        parts.append(sorted(current_thesaurus().concept.items()))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"report-followup:{report.pk}:{digest}"
    result = cache.get(key)
    if result is None:
        result = _report_followup(report, neighbours)
        cache.set(key, result, MATCHING_CACHE_SECONDS)
    # Read anew with the neighbours, not from the cache: its key has only the
    # next year's revision.
    result.next_report = next_of_neighbours(report, neighbours)
    return result


def _report_followup(report: Report, neighbours: dict[int, Report]) -> ReportFollowUp:
    result = ReportFollowUp(
        later_report=neighbours.get(report.year + 1),
        earlier_report=neighbours.get(report.year - 1),
    )
    confirmed = list(
        FollowUp.objects.confirmed()
        .filter(Q(earlier__report=report) | Q(later__report=report))
        .select_related("earlier__report", "later__report", "confirmed_by")
        # The reports' texts, not shown, would be cached once per match.
        .defer("earlier__report__source_text", "later__report__source_text")
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
        .only(
            "pk",
            "report_id",
            "code",
            "kind",
            "title",
            "position",
            "missing_since",
            "status",
        )
        .order_by("position")
    )
    rows = {o.pk: FollowUpRow(o) for o in earlier}
    for each in confirmed:
        if each.earlier_id in rows:
            row = rows[each.earlier_id]
            each.contradiction = contradiction(row.obligation, each.later)
            row.confirmed.append(each)
    for each in suggestions:
        row = rows[each.earlier.pk]
        each.contradiction = contradiction(row.obligation, each.later)
        row.suggestions.append(each)
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


def cached_obligation_followup(
    obligation: Obligation, neighbours: dict[int, Report]
) -> ObligationFollowUp:
    """``obligation_followup`` for the obligation page, cached per the revisions
    of the item's report and of its neighbours (``followup_revisions``;
    ``neighbours``, ``neighbour_reports``, is read on a miss only): a
    confirmation, a rejection, an edit or an import on either side bumps them,
    and so does an edit of the thesaurus the suggestions come from
    (``services.thesaurus``). No query on a hit. The caller may set forms
    on what it returns: every read is a copy."""
    key = "obligation-followup:" + followup_revisions(obligation, neighbours)
    result = cache.get(key)
    if result is None:
        result = obligation_followup(obligation, neighbours=neighbours)
        cache.set(key, result, MATCHING_CACHE_SECONDS)
    return result


def followup_revisions(obligation: Obligation, neighbours) -> str:
    """The item, its report's revision and its neighbouring reports' stamp
    (``models.neighbours_stamp``), as a key part: what the item's follow-up
    across years is a function of. The stamp comes with the item from
    ``permissions.get_obligation_stamp_or_404`` (``neighbours_stamp`` on it);
    otherwise ``neighbours`` (``neighbour_reports``, a lazy object is read only
    then) gives it. Expects the report's ``revision_number``."""
    stamp = getattr(obligation, "neighbours_stamp", None)
    if stamp is None:
        stamp = obligation.neighbours_stamp = neighbours_stamp(neighbours)
    return f"{obligation.pk}:{obligation.report.revision_number}:{stamp}"


def obligation_followup(
    obligation: Obligation, *, neighbours: dict[int, Report] | None = None
) -> ObligationFollowUp:
    """At most five queries: the confirmed matches on either side, the next
    report (none with ``neighbours``, ``neighbour_reports`` read already), and
    the suggestions for this obligation."""
    result = ObligationFollowUp()
    confirmed = list(
        FollowUp.objects.confirmed()
        .filter(Q(earlier=obligation) | Q(later=obligation))
        .select_related("earlier__report", "later__report", "confirmed_by")
    )
    result.follows = [each for each in confirmed if each.later_id == obligation.pk]
    if obligation.kind not in (Obligation.Kind.TASK, Obligation.Kind.PROBLEM):
        return result
    year = obligation.report.year + 1
    result.later_report = (
        adjacent_report(organization=obligation.report.organization, year=year)
        if neighbours is None
        else neighbours.get(year)
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
