"""批示: a leader's instruction on an item, and the unit's reply."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import permissions
from ..organised_work_forms import InstructionForm, InstructionReplyForm
from ..services import instructions as instruction_services
from .obligation_page import FORM_IDS, post_obligation_form


@require_POST
def obligation_instruction(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_write_instruction(request.user):
        raise PermissionDenied
    form = InstructionForm(request.POST, auto_id=FORM_IDS["instruction"])
    return post_obligation_form(
        request,
        obligation,
        "instruction",
        form,
        write=lambda data: instruction_services.instruction_write(
            obligation=obligation, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request, gettext("Instruction sent to the unit and the supervisors.")
        ),
    )


@require_POST
def instruction_reply(request, pk):
    instruction = permissions.get_instruction_or_404(request, pk)
    if not permissions.can_reply_to_instruction(request.user, instruction):
        raise PermissionDenied
    name = f"instruction-reply-{instruction.pk}"
    form = InstructionReplyForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        instruction.obligation,
        name,
        form,
        write=lambda data: instruction_services.instruction_reply(
            instruction=instruction, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(request, gettext("Reply sent.")),
        follow_next=True,
    )
