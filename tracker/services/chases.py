"""催办: a supervisor chases an item (its lead unit) or one co-operating unit's
part with a note, short of a 督办单; the chased unit answers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Chase, Part, ProgressUpdate
from ..notifications.events import announce_chase, announce_chase_answer
from ..recording import record_text
from .common import (
    ServiceError,
    lock_open_obligation,
    log_action,
    refuse_unless,
    save_recorded,
    typed_text,
)

CHASE_NOTE_MAX_LENGTH = 2000


@transaction.atomic
def obligation_chase(*, obligation, user, note: str, part: Part | None = None) -> Chase:
    """Chase the item's lead unit or, with ``part``, that co-operating unit.

    Done items need no chasing; the unit, its heads and the responsible person are
    notified and the timeline records it."""
    refuse_unless(permissions.can_chase(user))
    note = typed_text(
        note,
        empty_message=_("Say what the unit should do (the chase's note)."),
        max_length=CHASE_NOTE_MAX_LENGTH,
        too_long=_("The note is too long: at most %(max)d characters."),
    )
    current = lock_open_obligation(obligation)
    if part is not None:
        if part.obligation_id != current.pk:
            raise ServiceError(_("This part belongs to another item."))
        if part.is_settled:
            raise ServiceError(_("This part is already accepted or waived."))
        department = part.department
    else:
        if current.status == current.Status.DONE:
            raise ServiceError(_("This item is done; there is nothing to chase."))
        if current.department_id is None:
            raise ServiceError(
                _("This item has no responsible department to chase yet.")
            )
        department = current.department
    chase = Chase(
        obligation=current, part=part, department=department, note=note, chased_by=user
    )
    save_recorded(chase, user=user, reason=_("Chased"))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.CHASE,
        part=part,
        text=record_text(
            _("Chased %(unit)s: %(note)s"), unit=department.name, note=note
        ),
    )
    announce_chase(chase, user=user)
    return chase


@transaction.atomic
def chase_answer(*, chase, user, answer: str) -> Chase:
    """The chased unit's answer (once), on the timeline and to the supervisor."""
    refuse_unless(permissions.can_answer_chase(user, chase))
    answer = typed_text(answer, empty_message=_("Write the answer first."))
    obligation = lock_open_obligation(chase.obligation)
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
    # join to the department.
    current = (
        Chase.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=chase.pk)
    )
    if current.is_answered:
        raise ServiceError(_("This chase has already been answered."))
    current.answer = answer
    current.answered_by = user
    current.answered_at = timezone.now()
    save_recorded(current, user=user, reason=_("Chase answered"))
    log_action(
        obligation,
        user=user,
        action=ProgressUpdate.Action.CHASE,
        part=current.part,
        text=record_text(
            _("%(unit)s answered the chase: %(answer)s"),
            unit=current.department.name,
            answer=answer,
        ),
    )
    current.obligation = obligation
    announce_chase_answer(current, user=user)
    return current
