"""Co-operating units' parts (分办事项) on the item's page: naming a unit, 签收,
submitting to the lead unit, accepting or returning, waiving, notes and files."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms import (
    EvidenceForm,
)
from ..models import Part
from ..organised_work_forms import (
    PartAddForm,
    PartNoteForm,
    PartStatusForm,
    PartWaiveForm,
)
from ..services import evidence as evidence_services
from ..services import parts as part_services
from .evidence import uploaded_message
from .obligation_page import FORM_IDS, post_obligation_form


@require_POST
def part_add(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_add_part(request.user):
        raise PermissionDenied
    form = PartAddForm(request.POST, auto_id=FORM_IDS["part_add"])

    def write(data):
        return part_services.part_add(
            obligation=obligation,
            user=request.user,
            department=data["department"],
            owner=data["owner"],
            due_date=data["due_date"],
            note=data["note"],
            version=data["version"],
        )

    def done(result):
        messages.success(
            request,
            gettext("%(unit)s is now a co-operating unit of this item.")
            % {"unit": result.department.name},
        )

    return post_obligation_form(request, obligation, "part_add", form, write, done)


@require_POST
def part_status(request, pk):
    part = permissions.get_part_or_404(request, pk)
    user = request.user
    if not (
        permissions.can_work_on_part(user, part)
        or permissions.can_decide_part(user, part)
    ):
        raise PermissionDenied
    name = f"part-{part.pk}"
    form = PartStatusForm(request.POST, auto_id=f"{name}-%s")

    def write(data):
        return part_services.part_transition(
            part=part,
            user=user,
            to_status=data["status"],
            note=data["note"],
            version=data["version"],
        )

    def done(result):
        messages.success(
            request,
            gettext("The part of %(unit)s is now “%(status)s”.")
            % {"unit": result.department.name, "status": result.get_status_display()},
        )

    return post_obligation_form(
        request, part.obligation, name, form, write, done, follow_next=True
    )


@require_POST
def part_waive(request, pk):
    part = permissions.get_part_or_404(request, pk)
    if not permissions.can_waive_part(request.user):
        raise PermissionDenied
    name = f"part-waive-{part.pk}"
    form = PartWaiveForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        part.obligation,
        name,
        form,
        write=lambda data: part_services.part_waive(
            part=part,
            user=request.user,
            reason=data["reason"],
            version=data["version"],
        ),
        done=lambda result: messages.success(
            request,
            gettext("The part of %(unit)s was waived.")
            % {"unit": result.department.name},
        ),
    )


@require_POST
def part_add_note(request, pk):
    part = permissions.get_part_or_404(request, pk)
    if not permissions.can_work_on_part(request.user, part):
        raise PermissionDenied
    name = f"part-note-{part.pk}"
    form = PartNoteForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        part.obligation,
        name,
        form,
        write=lambda data: part_services.part_add_note(
            part=part, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request, gettext("Progress update posted.")
        ),
    )


@require_POST
def part_evidence_upload(request, pk):
    part: Part = permissions.get_part_or_404(request, pk)
    if not permissions.can_work_on_part(request.user, part):
        raise PermissionDenied
    name = f"part-evidence-{part.pk}"
    form = EvidenceForm(request.POST, request.FILES, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        part.obligation,
        name,
        form,
        write=lambda data: evidence_services.evidence_upload_many(
            obligation=part.obligation,
            part=part,
            user=request.user,
            files=data["files"],
            note=data["note"],
        ),
        done=lambda created: uploaded_message(request, created),
    )
