"""Reports: the report selector, a report's items and the draft of next year's
report.
"""

import dataclasses
import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import translation

from ..models import (
    AccountProfile,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Instruction,
    Obligation,
    Part,
    ProgressUpdate,
    Report,
    ReportEvent,
    Section,
    SupervisionNotice,
    open_work_years,
)
from .compiled import compiled_for_reader
from .dashboard import Status


def reports_for_selector(user) -> list[Report]:
    """The reports ``user`` sees (their organization's and those below it),
    newest first, each with ``revision_number`` (its ``ReportRevision``, 0 before
    the first write) and ``viewer_scope`` (the path of the user's organization,
    None without one: the same on every row), read in the same query.

    Every page with the report selector runs it (the dashboard and the list on
    each request, for the revisions in their cache keys), from SQL compiled once
    (``compiled_for_reader``)."""
    sql, params = compiled_for_reader(_reports_for_selector_query, user)
    return list(Report.objects.raw(sql, params))


def _reports_for_selector_query(reader) -> QuerySet:
    return (
        Report.objects.visible_to(reader)
        .order_by("-year", "-imported_at")
        .only("pk", "title", "year", "organization", "organization_unit", "imported_at")
        .annotate(
            revision_number=Coalesce("revision__number", 0),
            # Uncorrelated: the database evaluates it once for all rows.
            viewer_scope=Subquery(
                AccountProfile.objects.filter(user_id=reader.pk).values(
                    "organization__path"
                )[:1]
            ),
        )
    )


def selected_report(reports, raw_pk) -> Report | None:
    """The report chosen with ``?report=<pk>``; None when none is chosen (the
    pages then show the reports with open work, ``open_work_reports``)."""
    if raw_pk and str(raw_pk).isdigit():
        for report in reports:
            if report.pk == int(raw_pk):
                return report
    return None


def open_work_report_ids() -> list[int]:
    """The reports with open work (``models.open_work_years``), oldest year
    first: the dashboard, departments and the ranking default to them, and every
    list labels an item with its year when there is more than one
    (``labels_years``)."""
    return list(open_work_years())


def open_work_reports_of_request(request, *, reports=None) -> list[int]:
    """``open_work_report_ids`` read once per request, however many templates,
    views and tags ask. With ``reports`` (``reports_for_selector``: every report
    with its revision) it comes from the cache while no report changed, so the
    dashboard's cached page still reads no obligation."""
    cached = getattr(request, "_open_work_report_ids", None)
    if cached is None:
        if reports is None:
            cached = open_work_report_ids()
        else:
            # Every write to a report's obligations and every close or reopen
            # bumps its revision (services.dashboard.report_invalidate_dashboard).
            key = "open-work:" + ",".join(
                f"{report.pk}.{report.revision_number}" for report in reports
            )
            cached = cache.get(key)
            if cached is None:
                cached = open_work_report_ids()
                cache.set(key, cached, OPEN_WORK_CACHE_SECONDS)
        request._open_work_report_ids = cached
    return cached


# Replaced by the next write anyway; this only bounds how long an unused key stays.
OPEN_WORK_CACHE_SECONDS = 3600


def labels_years(request=None) -> bool:
    """Whether items are shown with their report's year ("2022 · 4.1"): when more
    than one report has open work, two items may share a code. Without a request
    (notifications, exports, commands) it is read anew."""
    ids = (
        open_work_reports_of_request(request)
        if request is not None
        else open_work_report_ids()
    )
    return len(ids) > 1


def visible_reports_version(user) -> str | None:
    """What a page over every report ``user`` sees is cached under: the sum of
    those reports' revisions (every write adds one:
    ``services.dashboard.report_invalidate_dashboard``; a report's close and
    reopen too), their count and first id, and the user's organization (whose
    departments and people the page names). Organizations form a tree, so two
    readers' sets of reports are nested or apart: the same count and first id mean
    the same reports. Read with ``reports_for_selector`` (compiled once);
    ``None`` when the user sees no report."""
    if not user.is_authenticated:
        return None  # as organization_scope_q: nothing
    reports = reports_for_selector(user)
    if not reports:
        return None
    total = sum(report.revision_number for report in reports)
    first = min(report.pk for report in reports)
    scope = reports[0].viewer_scope or "-"
    return f"{total}:{len(reports)}:{first}:{scope}:{user.is_superuser:d}"


def visible_report(user, pk: int) -> Report | None:
    """The report ``pk`` if ``user`` sees it (``ReportQuerySet.visible_to``, the
    rule ``permissions.get_report_or_404`` applies), with ``revision_number`` and
    without its text (read when first used): what the report page's cached parts
    are keyed on. From SQL compiled once (``compiled_for_reader``)."""
    if not user.is_authenticated:
        return None  # as organization_scope_q: nothing
    if not 0 < pk <= _LARGEST_ID:
        # No such report; the ORM's lookup says so without asking the database,
        # which refuses a number beyond its integers.
        return None
    sql, params = compiled_for_reader(_visible_report_query, user)
    found = list(
        Report.objects.raw(sql, [pk if param == _REPORT else param for param in params])
    )
    return found[0] if found else None


# The report's id while that SQL is compiled: no report has a negative id.
_REPORT = -918_273_646
# A BigAutoField's largest value.
_LARGEST_ID = 2**63 - 1


def _visible_report_query(reader) -> QuerySet:
    return (
        Report.objects.visible_to(reader)
        .filter(pk=_REPORT)
        .defer("source_text")
        .annotate(revision_number=Coalesce("revision__number", 0))
    )


def neighbour_reports(report: Report) -> dict[int, Report]:
    """The organization's reports of the year before ``report``'s and of every
    later year (a few), by year, with their revisions and without their text.
    Compiled once per process: building it took longer than running it."""
    sql, params = _neighbour_reports_sql(connection.vendor)
    values = {
        _ORGANIZATION: report.organization,
        _YEAR_BEFORE: report.year - 1,
        _YEAR: report.year,
    }
    return {
        each.year: each
        for each in Report.objects.raw(sql, [values.get(p, p) for p in params])
    }


def next_of_neighbours(report: Report, neighbours: dict[int, Report]) -> Report | None:
    """``next_report`` from ``neighbour_reports(report)``, read already: the
    nearest later year's report, if any."""
    later_years = [year for year in neighbours if year > report.year]
    return neighbours[min(later_years)] if later_years else None


# The parameters while that SQL is compiled, replaced by the report's. Years a
# year field can hold: Django leaves out a comparison with a number outside the
# field's range as always true (or false), and the SQL compiled with negative
# ones read every year of the organization.
_ORGANIZATION = "\x00organization"
_YEAR_BEFORE, _YEAR = 32_701, 32_702


@functools.cache
def _neighbour_reports_sql(vendor: str) -> tuple[str, tuple]:
    return (
        Report.objects.filter(organization=_ORGANIZATION, year__gte=_YEAR_BEFORE)
        .exclude(year=_YEAR)
        .defer("source_text")
        .annotate(revision_number=Coalesce("revision__number", 0))
        .query.sql_with_params()
    )


def report_revision_number(report: Report) -> int:
    """The report's ``ReportRevision`` number (0 before the first write): every write
    to its obligations bumps it (``services.dashboard.report_invalidate_dashboard``).
    Read with the report by ``reports_for_selector``, else one query."""
    number = getattr(report, "revision_number", None)
    if number is None:
        number = (
            Report.objects.filter(pk=report.pk)
            .values_list(Coalesce("revision__number", 0), flat=True)
            .get()
        )
    return number


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
    first), its ``report_wording`` (报告用语, the draft's words for it: never the
    staff's progress notes) and its confirmed follow-ups across years,
    ``confirmed_earlier`` and ``confirmed_later``. ``instructions``: the leaders'
    批示 on the report's items, oldest first, material for the leaders' chapter."""

    report: Report
    finished: list
    leader_groups: list
    open_items: list
    unremedied_problems: list
    carried_over: list
    instructions: list = dataclasses.field(default_factory=list)

    @property
    def has_finished_items(self) -> bool:
        return bool(self.finished) or any(
            o.status == Status.DONE for s in self.leader_groups for o in s.draft_items
        )


def report_draft(visible: QuerySet, *, report: Report) -> ReportDraft:
    """Read what the draft of next year's report needs in a fixed number of queries
    (the obligations with their sections and department, then their live evidence,
    remedying tasks and follow-ups, then the leaders' chapter's
    sections, then the leaders' 批示), whatever the number of obligations."""
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
        instructions=list(
            Instruction.objects.filter(obligation__in=visible.filter(report=report))
            .select_related("author", "obligation")
            .order_by("created_at", "pk")
        ),
    )


def only_report() -> Report | None:
    """The report, when exactly one is loaded (its organization and year only)."""
    reports = list(Report.objects.only("organization", "year")[:2])
    return reports[0] if len(reports) == 1 else None


def organization_name() -> str:
    """The organization the site serves: settings.ORGANIZATION_NAME, else the
    latest report's (巫溪县), else an empty string."""
    if settings.ORGANIZATION_NAME:
        return settings.ORGANIZATION_NAME
    latest = Report.objects.order_by("-year", "-imported_at").values_list(
        "organization", flat=True
    )
    return latest.first() or ""


@dataclass
class OpenSummary:
    """What is still open in a report, shown before it is closed: ``by_status``
    [(status, label, count)] of the items not done and not carried over, the
    pending extension requests, unanswered 督办单 and unsettled parts."""

    by_status: list
    open_items: int
    pending_extensions: int
    unanswered_notices: int
    open_parts: int

    @property
    def anything_open(self) -> bool:
        return bool(
            self.open_items
            or self.pending_extensions
            or self.unanswered_notices
            or self.open_parts
        )


def cached_report_open_summary(report: Report) -> OpenSummary:
    """``report_open_summary``, cached per the report's revision and the language:
    every status change, extension request and decision, notice reply, part's
    change and carry-over leaves a timeline entry, which bumps the revision."""
    key = (
        f"report-open-summary:{report.pk}:{report_revision_number(report)}:"
        f"{translation.get_language()}"
    )
    summary = cache.get(key)
    if summary is None:
        summary = report_open_summary(report)
        cache.set(key, summary, OPEN_WORK_CACHE_SECONDS)
    return summary


def cached_report_events(report: Report, *, limit: int) -> list[ReportEvent]:
    """The latest ``limit`` entries of the report's log, cached per the report's
    revision: closing, reopening and archiving bump it
    (``services.reports``), and so does an edit of a person's name."""
    key = f"report-events:{report.pk}:{report_revision_number(report)}:{limit}"
    events = cache.get(key)
    if events is None:
        events = list(report.events.select_related("user")[:limit])
        cache.set(key, events, OPEN_WORK_CACHE_SECONDS)
    return events


def report_open_summary(report: Report) -> OpenSummary:
    """Four grouped counts, whatever the number of obligations."""
    still_open = Obligation.objects.filter(
        report=report, carried_into__isnull=True
    ).exclude(status=Status.DONE)
    counts = dict(
        still_open.values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    by_status = [(s.value, s.label, counts[s.value]) for s in Status if counts.get(s)]
    return OpenSummary(
        by_status=by_status,
        open_items=sum(counts.values()),
        pending_extensions=ExtensionRequest.objects.filter(
            obligation__report=report, status=ExtensionRequest.Status.PENDING
        ).count(),
        unanswered_notices=SupervisionNotice.objects.filter(
            obligation__report=report, replied_at__isnull=True
        ).count(),
        open_parts=Part.objects.filter(obligation__report=report).unsettled().count(),
    )


# Workflow talk in a submission note: addressed to the reviewer about the files,
# never prose for the report. A sentence holding one of these is left out of the
# suggested 报告用语.
WORKFLOW_TALK = (
    "请审核",
    "请审阅",
    "请审批",
    "请查收",
    "请核实",
    "见附件",
    "已上传",
    "已补充",
    "补充材料",
    "重新提交",
    "退回",
    "签到表",
)
_SENTENCES = re.compile(r"[^。；;！!？?\n]+")
# One or two sentences: the suggestion stops after the second.
SUGGESTED_SENTENCES = 2


def suggested_report_wording(obligation: Obligation) -> str:
    """A suggestion for the item's 报告用语, built from its latest submission
    note (one query): its first two sentences that are not workflow talk
    (``WORKFLOW_TALK``), ending with 。. Empty when nothing is left: the
    supervisor writes it."""
    note = (
        ProgressUpdate.objects.filter(
            obligation=obligation,
            action=ProgressUpdate.Action.STATUS,
            to_status=Status.SUBMITTED,
        )
        .exclude(text="")
        .order_by("-created_at", "-pk")
        .values_list("text", flat=True)
        .first()
    )
    if not note:
        return ""
    sentences = [
        sentence.strip(" ，,、")
        for sentence in _SENTENCES.findall(note)
        if sentence.strip(" ，,、")
        and not any(word in sentence for word in WORKFLOW_TALK)
    ]
    return "".join(f"{s}。" for s in sentences[:SUGGESTED_SENTENCES])


def next_report(report: Report) -> Report | None:
    """The organization's next report after ``report`` (the nearest later year):
    where its unfinished items are carried over (结转)."""
    return (
        Report.objects.filter(organization=report.organization, year__gt=report.year)
        .order_by("year")
        .first()
    )
