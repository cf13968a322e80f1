"""The work's rules, each "may X now" once: 签收, extensions, notices and their
leaders, 批示, parts, the heads' sign-off, 调度, 催办, and the status TRANSITIONS
table the transition service reads."""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from ..models import (
    LeaderLevel,
    Obligation,
    Part,
)
from .roles import (
    _department_ids,
    _headed_department_ids,
    acts_in_obligation,
    can_assign,
    can_read_all,
    can_review,
    is_admin,
    is_leader,
)

# What the package re-exports: the rest of the package calls these as
# permissions.NAME (tracker/permissions/__init__.py).
__all__ = [
    "NOTICE_LEADER_LEVELS",
    "PART_TRANSITIONS",
    "TRANSITIONS",
    "PartTransition",
    "Transition",
    "TransitionChoice",
    "acknowledgement_refusal",
    "allowed_transitions",
    "can_acknowledge",
    "can_acknowledge_now",
    "can_acknowledge_part_now",
    "can_add_part",
    "can_answer_chase",
    "can_approve_notice",
    "can_archive_report",
    "can_carry_over",
    "can_chase",
    "can_close_report",
    "can_confirm_followups",
    "can_confirm_links",
    "can_decide_part",
    "can_download",
    "can_draft_documents",
    "can_edit_evidence_note",
    "can_edit_obligation",
    "can_record_notice_signature",
    "can_reply_to_instruction",
    "can_reply_to_notice",
    "can_reply_to_notice_now",
    "can_request_extension_now",
    "can_view_cockpit",
    "can_view_notice_register",
    "can_view_reminder_gaps",
    "can_view_schedule",
    "can_waive_part",
    "can_work_on",
    "can_work_on_part",
    "can_write_instruction",
    "can_write_report_wording",
    "extension_request_refusal",
    "is_department_head",
    "is_department_member",
    "is_part_member",
    "is_working_staff",
    "is_writable",
    "leader_level",
    "needs_signoff",
    "notice_reply_refusal",
    "notice_signing_refusal",
    "part_transition_choices",
    "part_waiver_refusal",
    "transition_checklist",
    "transition_choices",
]


def is_working_staff(user, obligation):
    """A member of the obligation's department, or its owner."""
    if not (user.is_authenticated and user.is_active):
        return False
    if obligation.owner_id is not None and obligation.owner_id == user.pk:
        return True
    return (
        obligation.department_id is not None
        and obligation.department_id in _department_ids(user)
    )


def can_work_on(user, obligation):
    """Post progress updates, upload/withdraw evidence, start and submit."""
    return is_admin(user) or is_working_staff(user, obligation)


def is_department_member(user, obligation):
    """A member of the obligation's responsible department: who acts for the
    department itself (签收, replying to a supervision notice)."""
    return (
        user.is_authenticated
        and user.is_active
        and obligation.department_id is not None
        and obligation.department_id in _department_ids(user)
    )


def can_acknowledge(user, obligation):
    """签收: the department's members (not an owner from elsewhere, nor an admin on
    the department's behalf)."""
    return is_department_member(user, obligation)


def acknowledgement_refusal(obligation):
    """Why nobody may acknowledge (签收) ``obligation`` now, or ``None``.

    The one rule behind the page's form, /my/'s one-click button and the service
    (a closed report is refused by the service's lock, ``ReportClosedError``)."""
    if obligation.acknowledged_at is not None:
        return _("This obligation has already been acknowledged.")
    if obligation.status == Obligation.Status.DONE:
        return _("This obligation is done: there is nothing left to acknowledge.")
    return None


def can_acknowledge_now(user, obligation):
    """Whether ``user`` may acknowledge ``obligation`` now (no query: the user's
    departments are cached and callers read the obligation with its report)."""
    return (
        is_writable(obligation.report)
        and can_acknowledge(user, obligation)
        and acknowledgement_refusal(obligation) is None
    )


def extension_request_refusal(obligation, *, has_pending_request):
    """Why no extension (延期) of ``obligation`` may be requested now, or ``None``:
    the page's form and the service follow this one rule."""
    if obligation.status == Obligation.Status.DONE:
        return _("This obligation is done; it needs no extension.")
    if obligation.due_date is None:
        return _("This obligation has no due date to extend.")
    if has_pending_request:
        return _("An extension request is already pending for this obligation.")
    return None


def can_request_extension_now(user, obligation, *, has_pending_request):
    return (
        is_writable(obligation.report)
        and can_work_on(user, obligation)
        and extension_request_refusal(
            obligation, has_pending_request=has_pending_request
        )
        is None
    )


def can_reply_to_notice(user, notice):
    """A supervision notice is answered by the obligation's responsible department:
    its members only (not the owner from elsewhere, not the supervisors who issued
    it)."""
    return is_department_member(user, notice.obligation)


def notice_reply_refusal(notice):
    """Why ``notice`` cannot be answered now, or ``None``: a notice is answered once."""
    if notice.is_replied:
        return _("Supervision notice %(code)s has already been replied to.") % {
            "code": notice.code
        }
    return None


def can_reply_to_notice_now(user, notice):
    """The page's reply form and the service: the department's members, once, while
    the report is open (``notice.obligation`` read with its report)."""
    return (
        is_writable(notice.obligation.report)
        and can_reply_to_notice(user, notice)
        and notice_reply_refusal(notice) is None
    )


def can_view_cockpit(user):
    """The cockpit (/cockpit/): leaders, supervisors and admins; not staff."""
    return can_read_all(user)


def can_write_instruction(user):
    """批示: a county leader's own act, not the supervisors' nor an admin's."""
    return is_leader(user)


def can_reply_to_instruction(user, instruction):
    """The addressed unit's members reply to a 批示 (like a notice's reply)."""
    return (
        user.is_authenticated
        and user.is_active
        and instruction.department_id is not None
        and instruction.department_id in _department_ids(user)
    )


# 三色督办 by who issues: white by a 分管负责人, yellow by a 县委副书记 or 常务副县长,
# red by a 主要领导 (the seed report).
NOTICE_LEADER_LEVELS = {
    "white": LeaderLevel.IN_CHARGE,
    "yellow": LeaderLevel.DEPUTY,
    "red": LeaderLevel.PRINCIPAL,
}


def leader_level(user):
    profile = getattr(user, "account_profile", None) if user.is_authenticated else None
    return profile.leader_level if profile is not None else ""


def notice_signing_refusal(notice):
    """Why ``notice`` cannot be signed now, or ``None``: it is signed once."""
    if notice.is_signed:
        return _("Supervision notice %(code)s is already signed.") % {
            "code": notice.code
        }
    return None


def can_approve_notice(user, notice):
    """A leader of the notice's colour's level approves it in the app."""
    return (
        is_leader(user)
        and leader_level(user) == NOTICE_LEADER_LEVELS.get(notice.level)
        and notice_signing_refusal(notice) is None
    )


def can_record_notice_signature(user):
    """The supervisors record a leader's paper signature (name and date)."""
    return can_review(user)


def can_view_reminder_gaps(user):
    """The departments whose open items remind nobody: the admins' and the
    supervisors' to set right (members, addresses, a group chat robot)."""
    return can_review(user)


def can_view_notice_register(user):
    """The register (台账) of supervision notices is the supervisors' tool."""
    return can_read_all(user)


def can_edit_obligation(user):
    """Correct an obligation's title, text and task -> problem links: they come from
    the report, so only an admin changes them (in the admin)."""
    return is_admin(user)


def can_edit_evidence_note(user):
    """Correct what a department wrote about a file it uploaded: the obligation page
    has no edit, so only an admin changes it (in the admin)."""
    return is_admin(user)


def can_confirm_links(user):
    """Turn a suggested task -> problem link into a link: judging what a task
    remedies is the reviewers' job, unlike rewriting the links wholesale."""
    return can_review(user)


def is_writable(report):
    """Whether anything of ``report`` may change: not once it is closed, for
    anyone, whatever their role (a supervisor reopens it first)."""
    return not report.is_closed


def can_close_report(user):
    """Close a report at the end of its year, or reopen it with a reason."""
    return can_review(user)


# What a year leaves to the next (结转) and the words it says of an item (报告用语)
# are the reviewers' calls, as closing the year is.
can_carry_over = can_write_report_wording = can_close_report


def can_archive_report(user):
    """Download a report's archive: it holds every department's evidence, so only
    those who may download all of it."""
    return can_read_all(user)


def can_confirm_followups(user):
    """Confirm or reject a suggested follow-up across years (which item of next
    year's report reports on a task or problem), or withdraw a confirmed one: a
    judgement like confirming a suggested link, so the reviewers'."""
    return can_review(user)


def can_draft_documents(user):
    """Download the Word documents written from the record (the draft of next
    year's report, the 通报): they speak for the county, so the reviewers'."""
    return can_read_all(user)


def can_download(user, evidence):
    """The reviewers, the item's working staff, and for a part's file, the
    co-operating unit (evidence read with its part)."""
    return (
        can_read_all(user)
        or can_work_on(user, evidence.obligation)
        or (evidence.part_id is not None and can_work_on_part(user, evidence.part))
    )


# --- Co-operating units' parts (分办事项), sign-off, 催办 -------------------------


def is_part_member(user, part):
    """A member of the part's co-operating unit: who acts for the unit (签收)."""
    return (
        user.is_authenticated
        and user.is_active
        and part.department_id in _department_ids(user)
    )


def can_work_on_part(user, part):
    """Post notes, upload evidence and submit the part to the lead unit."""
    if not (user.is_authenticated and user.is_active):
        return False
    return (
        is_admin(user)
        or is_part_member(user, part)
        or (part.owner_id is not None and part.owner_id == user.pk)
    )


def can_decide_part(user, part):
    """Accept or return a part: the lead unit, i.e. whoever works on the item."""
    return can_work_on(user, part.obligation)


def can_add_part(user):
    """Name a co-operating unit: part of assigning, the reviewers' job."""
    return can_assign(user)


def can_waive_part(user):
    """Let the lead unit submit without a part (a supervisor, with a reason)."""
    return can_review(user)


def can_acknowledge_part_now(user, part):
    """/my/'s one-click 签收 of a part (the part read with its item's report)."""
    return (
        is_writable(part.obligation.report)
        and not part.is_waived
        and part.status == Part.Status.NOT_ACKNOWLEDGED
        and is_part_member(user, part)
    )


def part_waiver_refusal(part):
    if part.is_settled:
        return _("This part is already accepted or waived.")
    return None


class PartTransition(NamedTuple):
    may: object  # callable (user, part) -> bool
    label: str
    note_required: bool = False


def _part_member(user, part):
    return is_part_member(user, part)


def _part_worker(user, part):
    return can_work_on_part(user, part)


def _lead_unit(user, part):
    return can_decide_part(user, part)


_P = Part.Status

PART_TRANSITIONS = {
    (_P.NOT_ACKNOWLEDGED, _P.IN_PROGRESS): PartTransition(
        _part_member, _("Acknowledge (签收)")
    ),
    (_P.IN_PROGRESS, _P.SUBMITTED): PartTransition(
        _part_worker, _("Submit to the lead unit"), note_required=True
    ),
    (_P.RETURNED, _P.SUBMITTED): PartTransition(
        _part_worker, _("Resubmit to the lead unit"), note_required=True
    ),
    (_P.SUBMITTED, _P.ACCEPTED): PartTransition(_lead_unit, _("Accept the part")),
    (_P.SUBMITTED, _P.RETURNED): PartTransition(
        _lead_unit, _("Return to the unit"), note_required=True
    ),
}


def part_transition_choices(user, part):
    """[(to_status, PartTransition)] this user may make now, in table order."""
    if part.is_waived:
        return []
    return [
        (to_status, transition)
        for (from_status, to_status), transition in PART_TRANSITIONS.items()
        if from_status == part.status and transition.may(user, part)
    ]


def is_department_head(user, obligation):
    """A head (单位负责人) of the obligation's department."""
    return (
        user.is_authenticated
        and user.is_active
        and obligation.department_id is not None
        and obligation.department_id in _headed_department_ids(user)
    )


def needs_signoff(obligation):
    """Whether the department's head signs its submissions off (单位审核) before
    the supervisors see them (the obligation read with its department)."""
    return obligation.department_id is not None and bool(
        obligation.department.signoff_required
    )


def can_view_schedule(user):
    """The 调度表 and its export: the supervisors' and admins' tool."""
    return can_read_all(user)


def can_chase(user):
    """催办: the supervisors' chase short of a 督办单."""
    return can_review(user)


def can_answer_chase(user, chase):
    """The chased unit's members answer."""
    return (
        user.is_authenticated
        and user.is_active
        and chase.department_id is not None
        and chase.department_id in _department_ids(user)
    )


class Transition(NamedTuple):
    """One allowed move of an obligation's status.

    ``may`` says who; ``note_required``, ``evidence_required`` and
    ``rework_required`` (a progress note or evidence added since the obligation was
    returned) are the conditions the transition service checks; ``rating_required``
    marks the one transition that rates the result (结果考评), and only that one
    takes a rating; ``label`` is the button text.
    """

    may: object  # callable (user, obligation) -> bool
    label: str
    note_required: bool = False
    evidence_required: bool = False
    rework_required: bool = False
    rating_required: bool = False
    # Every co-operating unit's part accepted or waived (the lead's submission).
    parts_required: bool = False
    # None: always; True: only where the department signs off (单位审核);
    # False: only where it does not.
    signoff: bool | None = None

    def applies(self, obligation):
        return self.signoff is None or self.signoff == needs_signoff(obligation)


def _worker(user, obligation):
    return can_work_on(user, obligation)


def _reviewer(user, obligation):
    return can_review(user)


def _head(user, obligation):
    return is_admin(user) or is_department_head(user, obligation)


_S = Obligation.Status

# The allowed-transitions table: anything not listed is refused.
TRANSITIONS = {
    (_S.NOT_STARTED, _S.IN_PROGRESS): Transition(_worker, _("Start work")),
    (_S.RETURNED, _S.IN_PROGRESS): Transition(_worker, _("Resume work")),
    (_S.IN_PROGRESS, _S.SUBMITTED): Transition(
        _worker,
        _("Submit for review"),
        note_required=True,
        evidence_required=True,
        parts_required=True,
        signoff=False,
    ),
    # 返回修改后重新提交: once the rework is on the record, no detour through
    # "in progress".
    (_S.RETURNED, _S.SUBMITTED): Transition(
        _worker,
        _("Resubmit for review"),
        note_required=True,
        evidence_required=True,
        rework_required=True,
        parts_required=True,
        signoff=False,
    ),
    # 单位审核: where the department requires it, its head sees the submission
    # first and sends it on to the supervisors or back to the staff.
    (_S.IN_PROGRESS, _S.SIGNOFF): Transition(
        _worker,
        _("Submit for the head's sign-off"),
        note_required=True,
        evidence_required=True,
        parts_required=True,
        signoff=True,
    ),
    (_S.RETURNED, _S.SIGNOFF): Transition(
        _worker,
        _("Resubmit for the head's sign-off"),
        note_required=True,
        evidence_required=True,
        rework_required=True,
        parts_required=True,
        signoff=True,
    ),
    # Always applies: what waits for a head when the admin turns sign-off off
    # is still signed off or returned.
    (_S.SIGNOFF, _S.SUBMITTED): Transition(_head, _("Sign off and submit for review")),
    (_S.SIGNOFF, _S.RETURNED): Transition(
        _head, _("Return for rework"), note_required=True
    ),
    (_S.SUBMITTED, _S.DONE): Transition(_reviewer, _("Approve"), rating_required=True),
    (_S.SUBMITTED, _S.RETURNED): Transition(
        _reviewer, _("Return for rework"), note_required=True
    ),
    (_S.DONE, _S.IN_PROGRESS): Transition(_reviewer, _("Reopen"), note_required=True),
}


def allowed_transitions(user, obligation):
    """The target statuses this user may move the obligation to now, in table order
    (the templates show one button per entry)."""
    return [
        to_status
        for (from_status, to_status), transition in TRANSITIONS.items()
        if from_status == obligation.status
        and transition.applies(obligation)
        and transition.may(user, obligation)
        and acts_in_obligation(user, obligation)
    ]


class TransitionChoice(NamedTuple):
    """One button of the status form. ``checklist`` is [(requirement, met)] for a
    transition with conditions (``met`` is None for the note, typed in the same
    form); ``blocked`` when a requirement that can be checked beforehand is not
    met, so the button is disabled and the checklist says why."""

    value: str
    label: str
    note_required: bool
    checklist: list
    blocked: bool
    rating_required: bool = False


def transition_checklist(transition, *, has_evidence, reworked, parts_settled=True):
    """What ``transition`` needs, each with whether the obligation has it, in the
    words of the status form: shown before the click, not after a refusal."""
    items = []
    if transition.evidence_required:
        items.append((_("At least one evidence file is uploaded."), has_evidence))
    if transition.rework_required:
        items.append(
            (
                _("A progress note or an evidence file was added since the return."),
                reworked,
            )
        )
    if transition.parts_required and not parts_settled:
        items.append(
            (
                _("Every co-operating unit's part is accepted or waived."),
                parts_settled,
            )
        )
    if transition.note_required and transition.evidence_required:
        items.append((_("The note says what was done."), None))
    return items


def transition_choices(
    user, obligation, *, has_evidence=False, reworked=False, parts_settled=True
):
    """A ``TransitionChoice`` for each allowed transition: what a template needs to
    draw the buttons and the checklist of what submitting needs."""
    choices = []
    for to_status in allowed_transitions(user, obligation):
        transition = TRANSITIONS[(obligation.status, to_status)]
        checklist = transition_checklist(
            transition,
            has_evidence=has_evidence,
            reworked=reworked,
            parts_settled=parts_settled,
        )
        choices.append(
            TransitionChoice(
                value=to_status,
                label=transition.label,
                note_required=transition.note_required,
                checklist=checklist,
                blocked=any(met is False for _text, met in checklist),
                rating_required=transition.rating_required,
            )
        )
    return choices


# --- People and departments named in the record ------------------------------------
