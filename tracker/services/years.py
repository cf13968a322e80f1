"""A year handing over to the next: carrying unfinished items into the next report
(结转) and an item's report wording (报告用语)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Obligation, ProgressUpdate, Report, Section
from ..notifications.events import announce_carry_over
from ..recording import record_text, wording_record
from ..selectors.reports import next_report
from .common import (
    ServiceError,
    lock_obligation,
    log_action,
    refuse_unless,
    save_recorded,
    save_versioned,
    sync_saved,
    typed_text,
)
from .workflow import REPORT_WORDING_MAX_LENGTH, REPORT_WORDING_TOO_LONG

Status = Obligation.Status

# The chapter of the next report that receives carried-over items: they have no
# passage in its imported text, so they are grouped apart, after its own chapters.
# Its number is far beyond any printed chapter's, so a re-import of the report
# (which matches chapters by number) never takes it for one of its own.
CARRIED_SECTION_CODE = "结转"
CARRIED_SECTION_NUMBER = 99


def _carried_section(target: Report, from_year: int) -> Section:
    title = record_text(
        _("Carried over from the %(year)d report (结转)"), year=from_year
    )
    section = Section.objects.filter(
        report=target, parent=None, code=CARRIED_SECTION_CODE, title=title
    ).first()
    if section is None:
        last = Section.objects.filter(report=target).aggregate(Max("position"))
        section = Section.objects.create(
            report=target,
            code=CARRIED_SECTION_CODE,
            number=CARRIED_SECTION_NUMBER,
            title=title,
            position=(last["position__max"] or 0) + 1,
        )
    return section


@transaction.atomic
def obligation_carry_over(*, obligation, user, version: int | None = None):
    """Carry an unfinished item into the organization's next report (结转): a new
    obligation there (same kind, title, text, unit, person and due date; not
    started unless the work had started), linked both ways (``carried_into`` /
    ``carried_from``). The old one keeps the status it reached, so the ranking
    counts it as not finished, and becomes read-only (``refuse_if_carried``); it
    leaves every queue and reminder. Both timelines say so. Returns the new one."""
    refuse_unless(permissions.can_carry_over(user))
    current = lock_obligation(obligation, version=version)
    if current.status == Status.DONE:
        raise ServiceError(
            _("A finished item is not carried over: it is reported as done.")
        )
    report = current.report
    target = next_report(report)
    if target is None:
        raise ServiceError(
            _(
                "There is no later report of %(organization)s to carry this item "
                "into: import next year's report first."
            )
            % {"organization": report.organization}
        )
    if target.is_closed:
        raise ServiceError(
            _("“%(report)s” is closed: nothing can be carried into it.")
            % {"report": target.title}
        )
    # Locked before it is counted, so two carry-overs into it number in turn.
    Report.objects.select_for_update().get(pk=target.pk)
    code = f"{report.year}·{current.code}"[
        : Obligation._meta.get_field("code").max_length
    ]
    now = timezone.now()
    successor = Obligation(
        report=target,
        section=_carried_section(target, report.year),
        kind=current.kind,
        code=code,
        title=current.title,
        body=current.body,
        position=(
            Obligation.objects.filter(report=target).aggregate(Max("position"))[
                "position__max"
            ]
            or 0
        )
        + 1,
        status=Status.NOT_STARTED
        if current.status == Status.NOT_STARTED
        else Status.IN_PROGRESS,
        status_changed_at=now,
        department=current.department,
        owner=current.owner,
        due_date=current.due_date,
        department_assigned_at=now if current.department_id else None,
        acknowledged_at=current.acknowledged_at,
        acknowledged_by=current.acknowledged_by,
    )
    save_recorded(successor, user=user, reason=_("Carried over (结转)"))
    current.carried_into = successor
    save_versioned(current, user=user, reason=_("Carried over (结转)"))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.CARRY_OVER,
        text=record_text(
            _(
                "Carried over (结转) into the %(year)d report as %(code)s, not "
                "finished (%(status)s): the work goes on there."
            ),
            year=target.year,
            code=successor.code,
            status=Status(current.status).label,
        ),
    )
    log_action(
        successor,
        user=user,
        action=ProgressUpdate.Action.CARRY_OVER,
        text=record_text(
            _("Carried over (结转) from the %(year)d report, %(code)s (%(status)s)."),
            year=report.year,
            code=current.code,
            status=Status(current.status).label,
        ),
    )
    announce_carry_over(successor, user=user, previous=current)
    sync_saved(obligation, current)
    return successor


@transaction.atomic
def report_carry_over(*, report, user, obligation_ids) -> tuple[list, list]:
    """Carry several unfinished items of ``report`` over at once (the report
    page's checkboxes): each as ``obligation_carry_over``. Returns (the new
    obligations, [(item, why it was not carried)]); an item refused leaves the
    others carried."""
    refuse_unless(permissions.can_carry_over(user))
    carried, refused = [], []
    for obligation in Obligation.objects.filter(
        report=report, pk__in=obligation_ids
    ).order_by("position"):
        try:
            carried.append(obligation_carry_over(obligation=obligation, user=user))
        except ServiceError as error:
            refused.append((obligation, str(error)))
    return carried, refused


@transaction.atomic
def obligation_set_report_wording(
    *, obligation, user, text: str, version: int | None
) -> Obligation:
    """Write or correct the item's 报告用语, the words next year's draft says of it
    (versioned; the history and the timeline keep every version)."""
    refuse_unless(permissions.can_write_report_wording(user))
    text = typed_text(
        text,
        empty_message=_("Write the report wording: one or two sentences."),
        max_length=REPORT_WORDING_MAX_LENGTH,
        too_long=REPORT_WORDING_TOO_LONG,
    )
    current = lock_obligation(obligation, version=version)
    if text == current.report_wording:
        raise ServiceError(_("The report wording is unchanged; nothing was saved."))
    current.report_wording = text
    save_versioned(current, user=user, reason=_("Report wording (报告用语)"))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.REPORT_WORDING,
        text=wording_record(text),
    )
    sync_saved(obligation, current)
    return current
