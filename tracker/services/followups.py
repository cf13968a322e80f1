"""Follow-up across years: confirming, rejecting and withdrawing that a later
report's item takes up an earlier one.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    FollowUp,
    FollowUpRejection,
    Obligation,
    ProgressUpdate,
)
from ..recording import in_record_language, record_text
from ..selectors.followups import followup_measure
from .common import (
    ServiceError,
    lock_open_obligation,
    log_action,
    refuse_unless,
    sync_saved,
)
from .dashboard import report_invalidate_dashboard


def _check_followup_pair(earlier, later):
    """ServiceError unless ``later`` can report on ``earlier``: a task or problem
    of one report, and a work item or problem of the same organization's report
    of the next year."""
    if earlier.kind not in (Obligation.Kind.TASK, Obligation.Kind.PROBLEM):
        raise ServiceError(
            _("Only the tasks and problems of a report are followed up the next year.")
        )
    if later.kind not in (Obligation.Kind.WORK_ITEM, Obligation.Kind.PROBLEM):
        raise ServiceError(
            _(
                "%(code)s is a task of its report: what became of a task or problem "
                "is reported in a work item or a problem."
            )
            % {"code": later.code}
        )
    if (
        later.report.organization != earlier.report.organization
        or later.report.year != earlier.report.year + 1
    ):
        raise ServiceError(
            _("%(code)s is not in the report of %(organization)s for %(year)d.")
            % {
                "code": later.code,
                "organization": earlier.report.organization,
                "year": earlier.report.year + 1,
            }
        )


def _log_followup(earlier, later, *, user, earlier_text, later_text, terms=(), note=""):
    """One timeline entry on each side of a follow-up decision, each naming the
    other side (``%(year)d``, ``%(code)s``, ``%(title)s``), then the shared wording
    and why. A closed year's timeline is read-only: its side gets no entry (the
    FollowUp row is the record), only its dashboard's figures are refreshed."""
    for obligation, message, other in (
        (earlier, earlier_text, later),
        (later, later_text, earlier),
    ):
        if message is None:
            continue
        if not permissions.is_writable(obligation.report):
            report_invalidate_dashboard(report_id=obligation.report_id)
            continue
        lines = [
            record_text(
                message, year=other.report.year, code=other.code, title=other.title
            )
        ]
        if terms:
            lines.append(
                record_text(_("Shared wording: %(terms)s"), terms="、".join(terms))
            )
        lines.append(note)
        log_action(
            obligation,
            user=user,
            action=ProgressUpdate.Action.FOLLOW_UP,
            text="\n".join(lines),
        )


def _lock_followup_pair(earlier, later):
    """Row locks on both items, the earlier first: two decisions on one item run
    one after the other, so the second sees the first (the partial unique index
    backs it up). Refused when the later report is closed (``ReportClosedError``).
    The earlier report may be closed: the year is usually closed and archived
    before the next report comes, and following it up is the next year's work."""
    Obligation.objects.select_for_update(of=("self",)).get(pk=earlier.pk)
    lock_open_obligation(later)


def _start_followup_decision(*, earlier, later, user, if_confirmed):
    """What confirming and rejecting check first: who, which pair, the later
    report open, and that the pair is not confirmed already (``if_confirmed`` says
    so)."""
    refuse_unless(permissions.can_confirm_followups(user))
    _check_followup_pair(earlier, later)
    _lock_followup_pair(earlier, later)
    if FollowUp.objects.confirmed().filter(earlier=earlier, later=later).exists():
        raise ServiceError(
            if_confirmed % {"later": later.code, "earlier": earlier.code}
        )


@transaction.atomic
def followup_confirm(*, earlier, later, user, reason: str = "") -> FollowUp:
    """Confirm that ``later`` (an item of next year's report) reports on
    ``earlier`` (a task or problem): stored as a ``FollowUp`` with who, when, why
    and the wording the two passages share, and written on both timelines. A
    problem confirmed as a problem again is recurring (反复出现)."""
    _start_followup_decision(
        earlier=earlier,
        later=later,
        user=user,
        if_confirmed=_("%(later)s is already confirmed as reporting on %(earlier)s."),
    )
    score, terms = followup_measure(earlier, later)
    followup = FollowUp.objects.create(
        earlier=earlier,
        later=later,
        score=score,
        shared_terms=list(terms),
        reason=(reason or "").strip()
        or in_record_language(_("Suggested follow-up confirmed.")),
        confirmed_by=user,
    )
    _log_followup(
        earlier,
        later,
        user=user,
        earlier_text=_("Reported in %(year)d as %(code)s %(title)s."),
        later_text=_("Reports on %(code)s %(title)s of the %(year)d report."),
        terms=terms,
        note=followup.reason,
    )
    return followup


@transaction.atomic
def followup_reject(*, earlier, later, user, reason: str = "") -> FollowUpRejection:
    """Record that a suggested ``later`` item does not report on ``earlier``: it is
    no longer suggested. A confirmed match is withdrawn instead
    (``followup_withdraw``). Only the earlier item's timeline says so: nothing
    changed for the later one."""
    _start_followup_decision(
        earlier=earlier,
        later=later,
        user=user,
        if_confirmed=_(
            "%(later)s is confirmed as reporting on %(earlier)s: withdraw the "
            "confirmation instead, with a reason."
        ),
    )
    if FollowUpRejection.objects.filter(earlier=earlier, later=later).exists():
        raise ServiceError(
            _("%(later)s is already rejected for %(earlier)s.")
            % {"later": later.code, "earlier": earlier.code}
        )
    rejection = FollowUpRejection.objects.create(
        earlier=earlier,
        later=later,
        reason=(reason or "").strip()
        or in_record_language(_("Suggested follow-up rejected.")),
        rejected_by=user,
    )
    _log_followup(
        earlier,
        later,
        user=user,
        earlier_text=_(
            "Not reported in %(year)d as %(code)s %(title)s: suggestion rejected."
        ),
        later_text=None,
        note=rejection.reason,
    )
    return rejection


@transaction.atomic
def followup_withdraw(*, followup, user, reason: str) -> FollowUp:
    """Withdraw a confirmed follow-up (an unconfirm): the row stays with who
    withdrew it, when and why, and both timelines say so."""
    refuse_unless(permissions.can_confirm_followups(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the confirmation is withdrawn."))
    _lock_followup_pair(followup.earlier, followup.later)
    current = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if current.withdrawn_at is not None:
        raise ServiceError(_("This follow-up was already withdrawn."))
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = user
    current.withdraw_reason = reason
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    _log_followup(
        followup.earlier,
        followup.later,
        user=user,
        earlier_text=_("No longer reported in %(year)d as %(code)s %(title)s."),
        later_text=_("No longer reports on %(code)s %(title)s of the %(year)d report."),
        note=reason,
    )
    sync_saved(followup, current)
    return current


@transaction.atomic
def report_followups_decide(*, report, user, decisions) -> tuple[int, int, list]:
    """The report page's suggestions decided in one form: ``decisions`` is
    [(earlier pk, later pk, "confirm" or "reject")], the earlier item of
    ``report``. Each as ``followup_confirm`` / ``followup_reject``; one refused
    (decided meanwhile, no longer a pair) leaves the others decided. Returns
    (confirmed, rejected, [(earlier code, later code, why)])."""
    refuse_unless(permissions.can_confirm_followups(user))
    items = Obligation.objects.select_related("report").in_bulk(
        {pk for earlier, later, _verb in decisions for pk in (earlier, later)}
    )
    confirmed = rejected = 0
    refused = []
    for earlier_pk, later_pk, verb in decisions:
        earlier, later = items.get(earlier_pk), items.get(later_pk)
        if earlier is None or later is None or earlier.report_id != report.pk:
            refused.append(
                ("?", "?", str(_("This suggestion no longer exists: reload the page.")))
            )
            continue
        decide = followup_confirm if verb == "confirm" else followup_reject
        try:
            decide(earlier=earlier, later=later, user=user)
        except ServiceError as error:
            refused.append((earlier.code, later.code, str(error)))
            continue
        if verb == "confirm":
            confirmed += 1
        else:
            rejected += 1
    return confirmed, rejected, refused
