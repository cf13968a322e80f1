"""三色督办: raising and lowering the supervision level, the numbered 督办单, the
leader in whose name it is issued (交办领导) and the department's reply to it.

A notice is numbered and sent to the department when the level is raised, as it
always was: the number is the register's sequence and never has a gap. Until a
leader of the colour's level approves it in the app (``notice_approve``) or a
supervisor records the leader's paper signature (``notice_record_signature``), it
is "prepared, awaiting the leader's signature" (待领导签发): the page, the register
and the export say so, and the printed notice leaves the 交办领导 blank.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions, workdays
from ..models import (
    NoticeCounter,
    Obligation,
    ProgressUpdate,
    Report,
    SupervisionNotice,
    display_name,
)
from ..notifications.events import announce_supervision
from ..recording import change_line, in_record_language, record_text
from ..text import clean_text
from .common import (
    ServiceError,
    lock_obligation,
    lock_open_obligation,
    log_action,
    refuse_unless,
    save_recorded,
    save_versioned,
    sync_saved,
    system_user,
)

# Supervision levels from mildest to strictest. Raising an obligation to one of
# NOTICE_LEVELS issues a numbered supervision notice (督办单); lowering never does.
# White too: the seed's 白色督办单 is issued by the 分管负责人 like the others.
_LEVEL_RANK = {level: rank for rank, level in enumerate(Obligation.SupervisionLevel)}
NOTICE_LEVELS = (
    Obligation.SupervisionLevel.WHITE,
    Obligation.SupervisionLevel.YELLOW,
    Obligation.SupervisionLevel.RED,
)
# Working days the department has to reply to a notice.
NOTICE_REPLY_WORKDAYS = 5


def is_raise(old, new):
    return (
        _LEVEL_RANK[Obligation.SupervisionLevel(new)]
        > _LEVEL_RANK[Obligation.SupervisionLevel(old)]
    )


@transaction.atomic
def obligation_set_supervision(
    *, obligation, user, level: str, note: str, version: int | None = None
) -> Obligation:
    """Set the supervision level (三色督办); a reason is always required.

    Raising the level to white, yellow or red issues a supervision notice (督办单),
    left on the returned obligation as ``new_notice`` (None otherwise)."""
    refuse_unless(permissions.can_review(user))
    return _set_supervision(
        obligation, user=user, level=level, note=note, version=version
    )


def _set_supervision(obligation, *, user, level, note, version, only_raise=False):
    """The supervision change itself, for a supervisor
    (``obligation_set_supervision``) or the escalation rules of ``tracker.reminders``
    (``only_raise``: a rule never lowers a level and never repeats one; it answers
    None when it changes nothing).
    """
    note = (note or "").strip()
    if level not in Obligation.SupervisionLevel.values:
        raise ServiceError(
            _("Unknown supervision level: %(level)s.") % {"level": level}
        )
    if not note:
        raise ServiceError(_("A reason is required."))
    today = timezone.localdate()
    counter = None
    if level in NOTICE_LEVELS:
        # The counter is locked before the obligation, by every escalation: a bulk
        # escalation (one transaction, several obligations) and a single one then
        # queue on the counter instead of each holding a lock the other needs.
        report = Report.objects.only("organization", "notice_prefix").get(
            pk=obligation.report_id
        )
        counter = lock_notice_counter(
            prefix=report.notice_prefix_or_default(), year=today.year
        )
    current = lock_obligation(obligation, version=version)
    old = current.supervision_level
    if only_raise and not is_raise(old, level):
        return None
    if old == level:
        raise ServiceError(
            _("The supervision level is already “%(level)s”.")
            % {"level": Obligation.SupervisionLevel(level).label}
        )
    current.supervision_level = level
    save_versioned(
        current, user=user, reason=in_record_language(_("Supervision level"))
    )
    notice = None
    if counter is not None and is_raise(old, level):
        notice = _issue_notice(
            obligation=current,
            counter=counter,
            user=user,
            level=level,
            reason=note,
            today=today,
        )
    levels = Obligation.SupervisionLevel
    text = change_line(_("Supervision level"), levels(old).label, levels(level).label)
    if notice is not None:
        text += "\n" + in_record_language(
            _("Supervision notice %(code)s issued") % {"code": notice.code}
        )
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.SUPERVISION,
        text=f"{text}\n{note}",
    )
    if is_raise(old, level):
        announce_supervision(current, user=user, level=level, note=note, notice=notice)
    sync_saved(obligation, current)
    obligation.new_notice = current.new_notice = notice
    return current


@transaction.atomic
def obligation_escalate_by_rule(
    *, obligation, level: str, note: str
) -> Obligation | None:
    """An escalation rule of the daily reminders raising the supervision level, in
    the system's name: a timeline entry by 系统, the supervision notice when the
    level becomes yellow or red. A rule never lowers a level: when the obligation
    is already at ``level`` or above, nothing is written and None is returned."""
    return _set_supervision(
        obligation,
        user=system_user(),
        level=level,
        note=note,
        version=None,
        only_raise=True,
    )


def lock_notice_counter(*, prefix, year):
    """The (prefix, year) notice counter, locked until the transaction ends.

    The first notice of a year creates the row: INSERT ... ON CONFLICT DO NOTHING
    lets two transactions do that at once without an IntegrityError (the second
    waits for the first and inserts nothing); the row lock then serialises them."""
    NoticeCounter.objects.bulk_create(
        [NoticeCounter(prefix=prefix, year=year)], ignore_conflicts=True
    )
    return NoticeCounter.objects.select_for_update().get(prefix=prefix, year=year)


def take_notice_number(counter) -> int:
    """The next number of a counter ``lock_notice_counter`` locked. It is changed
    in the caller's transaction: if that rolls back, so does the number, and the
    sequence has no gaps."""
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _issue_notice(*, obligation, counter, user, level, reason, today):
    notice = SupervisionNotice(
        obligation=obligation,
        prefix=counter.prefix,
        year=counter.year,
        number=take_notice_number(counter),
        level=level,
        department_id=obligation.department_id,
        reason=reason,
        issued_on=today,
        issued_by=user,
        reply_due=workdays.add_workdays(today, NOTICE_REPLY_WORKDAYS),
    )
    save_recorded(notice, user=user, reason=_("Supervision notice issued"))
    return notice


@transaction.atomic
def notice_reply(*, notice, user, text: str) -> SupervisionNotice:
    """Record the responsible department's written reply (反馈) to a notice.

    Only a member of the obligation's department may reply, once; the reply goes
    on the obligation's timeline."""
    text = (text or "").strip()
    current = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("obligation")
        .get(pk=notice.pk)
    )
    if not permissions.can_reply_to_notice(user, current):
        raise PermissionDenied(
            gettext(
                "Only a member of the obligation's responsible department can reply "
                "to supervision notice %(code)s."
            )
            % {"code": current.code}
        )
    lock_open_obligation(current.obligation)
    if not text:
        raise ServiceError(_("Write the reply first."))
    refusal = permissions.notice_reply_refusal(current)
    if refusal is not None:
        raise ServiceError(refusal)
    current.reply = text
    current.replied_at = timezone.now()
    current.replied_by = user
    save_recorded(current, user=user, reason=_("Reply to a supervision notice"))
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.NOTICE_REPLY,
        text=f"{current.code}\n{text}",
    )
    sync_saved(notice, current)
    return current


def _lock_notice(notice):
    current = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("obligation")
        .get(pk=notice.pk)
    )
    lock_open_obligation(current.obligation)
    refusal = permissions.notice_signing_refusal(current)
    if refusal is not None:
        raise ServiceError(refusal)
    return current


def _log_signature(current, *, user):
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.NOTICE_SIGNED,
        text=record_text(
            _("Supervision notice %(code)s issued in the name of %(leader)s"),
            code=current.code,
            leader=current.leader_display,
        ),
    )


@transaction.atomic
def notice_approve(*, notice, user) -> SupervisionNotice:
    """A leader of the notice's colour's level approves the prepared notice: it is
    issued in their name (交办领导) from now on."""
    current = _lock_notice(notice)
    refuse_unless(permissions.can_approve_notice(user, current))
    current.leader = user
    current.leader_name = display_name(user)
    current.signed_on = timezone.localdate()
    current.signed_at = timezone.now()
    save_recorded(current, user=user, reason=_("Supervision notice approved"))
    _log_signature(current, user=user)
    sync_saved(notice, current)
    return current


@transaction.atomic
def notice_record_signature(
    *, notice, user, leader_name: str, signed_on
) -> SupervisionNotice:
    """A supervisor records the leader's paper signature: the name and the date
    the leader signed (not in the future, not before the notice was prepared)."""
    refuse_unless(permissions.can_record_notice_signature(user))
    leader_name = clean_text(leader_name or "").strip()
    if not leader_name:
        raise ServiceError(_("Name the leader who signed the notice."))
    if signed_on is None:
        raise ServiceError(_("Give the date of the leader's signature."))
    if signed_on > timezone.localdate():
        raise ServiceError(_("The date of the signature is in the future."))
    current = _lock_notice(notice)
    if signed_on < current.issued_on:
        raise ServiceError(
            _("The leader cannot have signed the notice before it was prepared.")
        )
    current.leader = None
    current.leader_name = leader_name[:100]
    current.signed_on = signed_on
    current.signature_recorded_by = user
    save_recorded(current, user=user, reason=_("Leader's paper signature recorded"))
    _log_signature(current, user=user)
    sync_saved(notice, current)
    return current
