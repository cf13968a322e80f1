"""催办: a supervisor's chase of an item or a part, and the unit's answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import permissions
from ..organised_work_forms import (
    ChaseAnswerForm,
    ChaseForm,
)
from ..services import chases as chase_services
from ..services.common import ServiceError
from .obligation_page import FORM_IDS, post_obligation_form


@require_POST
def obligation_chase(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_chase(request.user):
        raise PermissionDenied
    form = ChaseForm(request.POST, auto_id=FORM_IDS["chase"])
    name = "chase"
    part_pk = request.POST.get("part") or ""
    if part_pk.isdigit():
        name = f"chase-part-{part_pk}"
        form = ChaseForm(request.POST, auto_id=f"{name}-%s")

    def write(data):
        part = None
        if data["part"] is not None:
            part = (
                obligation.parts.select_related("department", "owner")
                .filter(pk=data["part"])
                .first()
            )
            if part is None:
                raise ServiceError(gettext("This part belongs to another item."))
        return chase_services.obligation_chase(
            obligation=obligation, user=request.user, note=data["note"], part=part
        )

    def done(result):
        messages.success(
            request,
            gettext("%(unit)s was chased (催办).") % {"unit": result.department.name},
        )

    return post_obligation_form(request, obligation, name, form, write, done)


@require_POST
def chase_answer(request, pk):
    chase = permissions.get_chase_or_404(request, pk)
    if not permissions.can_answer_chase(request.user, chase):
        raise PermissionDenied
    name = f"chase-answer-{chase.pk}"
    form = ChaseAnswerForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        chase.obligation,
        name,
        form,
        write=lambda data: chase_services.chase_answer(
            chase=chase, user=request.user, answer=data["answer"]
        ),
        done=lambda _result: messages.success(request, gettext("Answer sent.")),
        follow_next=True,
    )
