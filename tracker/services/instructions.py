"""批示: a county leader writes an instruction on an item; the addressed unit
replies once, which takes it off the top of the item's page."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Instruction, ProgressUpdate
from ..notifications.events import announce_instruction, announce_instruction_reply
from ..recording import record_text
from .common import (
    ServiceError,
    lock_open_obligation,
    log_action,
    refuse_unless,
    save_recorded,
    typed_text,
)

INSTRUCTION_MAX_LENGTH = 2000


def _cleaned(text, *, empty_message):
    return typed_text(
        text, empty_message=empty_message, max_length=INSTRUCTION_MAX_LENGTH
    )


@transaction.atomic
def instruction_write(*, obligation, user, text: str) -> Instruction:
    """A leader's 批示 on ``obligation``: on the timeline and in the history, and the
    unit's members and heads, its group chat and the supervisors are told."""
    refuse_unless(permissions.can_write_instruction(user))
    text = _cleaned(text, empty_message=_("Write the instruction first."))
    current = lock_open_obligation(obligation)
    instruction = Instruction(
        obligation=current, department=current.department, author=user, text=text
    )
    save_recorded(instruction, user=user, reason=_("Leader's instruction written"))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.INSTRUCTION,
        text=record_text(_("Leader's instruction (批示): %(text)s"), text=text),
    )
    announce_instruction(instruction, user=user)
    return instruction


@transaction.atomic
def instruction_reply(*, instruction, user, text: str) -> Instruction:
    """The addressed unit's reply to a 批示 (once): on the timeline, to the leader."""
    refuse_unless(permissions.can_reply_to_instruction(user, instruction))
    text = _cleaned(text, empty_message=_("Write the reply first."))
    obligation = lock_open_obligation(instruction.obligation)
    current = Instruction.objects.select_for_update(of=("self",)).get(pk=instruction.pk)
    if current.is_replied:
        raise ServiceError(_("This instruction has already been replied to."))
    current.reply = text
    current.replied_by = user
    current.replied_at = timezone.now()
    save_recorded(current, user=user, reason=_("Leader's instruction replied to"))
    log_action(
        obligation,
        user=user,
        action=ProgressUpdate.Action.INSTRUCTION,
        text=record_text(_("Reply to the leader's instruction: %(text)s"), text=text),
    )
    current.obligation = obligation
    announce_instruction_reply(current, user=user)
    return current
