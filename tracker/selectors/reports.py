"""Reports: the report selector, a report's items and the draft of next year's
report.
"""

import dataclasses
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from ..models import (
    Evidence,
    FollowUp,
    Instruction,
    Obligation,
    ProgressUpdate,
    Report,
    Section,
)
from .dashboard import Status


def reports_for_selector(user) -> list[Report]:
    """The reports ``user`` sees (their organization's and those below it),
    newest first, each with ``revision_number`` (its ``ReportRevision``, 0 before
    the first write), read in the same query.

    Every page with the report selector runs it (the dashboard on each request, for
    the revision in its cache key): the ORM builds and compiles it once per process
    and database, which took as long as running it. The scope's subqueries take
    the user's id as their only parameter, so the compiled SQL is the same for
    everybody of the same kind (superuser or not)."""
    sql, params = _reports_for_selector_sql(connection.vendor, user.is_superuser)
    return list(Report.objects.raw(sql, [user.pk if p == _USER else p for p in params]))


# The user's id while the SQL is compiled once: no account has a negative id, so
# the parameter that equals it is the one replaced.
_USER = -918_273_645


class _UserPlaceholder:
    pk = _USER
    is_authenticated = True

    def __init__(self, is_superuser):
        self.is_superuser = is_superuser


@functools.cache
def _reports_for_selector_sql(vendor: str, is_superuser: bool) -> tuple[str, tuple]:
    return (
        Report.objects.visible_to(_UserPlaceholder(is_superuser))
        .order_by("-year", "-imported_at")
        .only("pk", "title", "year", "organization", "organization_unit", "imported_at")
        .annotate(revision_number=Coalesce("revision__number", 0))
        .query.sql_with_params()
    )


def selected_report(reports, raw_pk) -> Report | None:
    """The report chosen with ``?report=<pk>``; the latest one otherwise."""
    reports = list(reports)
    if raw_pk and str(raw_pk).isdigit():
        for report in reports:
            if report.pk == int(raw_pk):
                return report
    return reports[0] if reports else None


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
    first), ``progress_notes`` (the staff's progress notes and submission notes,
    oldest first) and its confirmed follow-ups across years,
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
    progress notes, remedying tasks and follow-ups, then the leaders' chapter's
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
            # What the staff wrote of the work: their progress notes and the
            # notes they submitted it for review with ("the note says what was
            # done").
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.filter(
                    Q(action=ProgressUpdate.Action.COMMENT)
                    | Q(
                        action=ProgressUpdate.Action.STATUS,
                        to_status=Status.SUBMITTED,
                    )
                )
                .exclude(text="")
                .only("pk", "obligation_id", "text", "created_at")
                .order_by("created_at", "pk"),
                to_attr="progress_notes",
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
