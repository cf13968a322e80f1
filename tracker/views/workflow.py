"""The obligation's work: status, assignment, links, 签收, extensions and notes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_POST,
)

from .. import permissions
from ..forms import (
    AcknowledgeForm,
    AssignForm,
    ConfirmLinkForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoteForm,
    StatusForm,
)
from ..models import (
    ExtensionRequest,
    Obligation,
)
from ..services import workflow as workflow_services
from ..services.workflow import obligation_transition
from .obligation_page import FORM_IDS, post_obligation_form


@require_POST
def obligation_status(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    user = request.user
    if not (
        permissions.can_work_on(user, obligation)
        or permissions.can_review(user)
        or permissions.is_department_head(user, obligation)
    ):
        raise PermissionDenied

    def write(data):
        return obligation_transition(
            obligation=obligation,
            user=user,
            to_status=data["status"],
            note=data["note"],
            version=data["version"],
            rating=data["rating"],
            rating_comment=data["rating_comment"],
            report_wording=data.get("report_wording", ""),
        )

    def done(result):
        if result.rating:
            message = gettext(
                "The obligation is now “%(status)s”, rated “%(rating)s”."
            ) % {
                "status": result.get_status_display(),
                "rating": result.get_rating_display(),
            }
        else:
            message = gettext("The obligation is now “%(status)s”.") % {
                "status": result.get_status_display()
            }
        messages.success(request, message)

    form = StatusForm(request.POST, auto_id=FORM_IDS["status"])
    return post_obligation_form(request, obligation, "status", form, write, done)


@require_POST
def obligation_assign(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_assign(request.user):
        raise PermissionDenied
    version_before = obligation.version
    form = AssignForm(request.POST, auto_id=FORM_IDS["assign"])

    def write(data):
        return workflow_services.obligation_assign(
            obligation=obligation,
            user=request.user,
            note=data["note"],
            version=data["version"],
            **form.changes(),
        )

    def done(result):
        if result.version == version_before:
            messages.info(request, gettext("Nothing was changed."))
        else:
            messages.success(request, gettext("Assignment saved."))

    return post_obligation_form(request, obligation, "assign", form, write, done)


@require_POST
def obligation_confirm_link(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_confirm_links(request.user):
        raise PermissionDenied

    def write(data):
        return workflow_services.obligation_confirm_link(
            obligation=obligation,
            user=request.user,
            problem=data["problem"],
            version=data["version"],
        )

    def done(_result):
        messages.success(
            request,
            gettext("Linked: this task addresses %(code)s.")
            % {"code": form.cleaned_data["problem"].code},
        )

    form = ConfirmLinkForm(request.POST, auto_id=FORM_IDS["confirm_link"])
    return post_obligation_form(request, obligation, "confirm_link", form, write, done)


@require_POST
def obligation_acknowledge(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_acknowledge(request.user, obligation):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST, auto_id=FORM_IDS["acknowledge"])
    return post_obligation_form(
        request,
        obligation,
        "acknowledge",
        form,
        write=lambda data: workflow_services.obligation_acknowledge(
            obligation=obligation, user=request.user, version=data["version"]
        ),
        done=lambda result: messages.success(
            request, gettext("%(code)s acknowledged (签收).") % {"code": result.code}
        ),
        follow_next=True,
    )


@require_POST
def extension_request(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied

    def write(data):
        return workflow_services.extension_request(
            obligation=obligation,
            user=request.user,
            requested_due_date=data["requested_due_date"],
            reason=data["reason"],
            version=data["version"],
        )

    def done(_result):
        messages.success(
            request, gettext("Extension requested; a supervisor will decide.")
        )

    form = ExtensionRequestForm(request.POST, auto_id=FORM_IDS["extension"])
    return post_obligation_form(request, obligation, "extension", form, write, done)


@require_POST
def extension_decide(request, pk):
    extension = get_object_or_404(
        ExtensionRequest.objects.filter(
            obligation__in=Obligation.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    obligation = permissions.get_obligation_or_404(request, extension.obligation_id)
    if not permissions.can_review(request.user):
        raise PermissionDenied

    def write(data):
        return workflow_services.extension_decide(
            extension=extension,
            user=request.user,
            approve=data["decision"] == "approve",
            reason=data["reason"],
            version=data["version"],
        )

    def done(result):
        if result.status == ExtensionRequest.Status.APPROVED:
            messages.success(
                request,
                gettext("Extension approved: the due date is now %(date)s.")
                % {"date": result.requested_due_date.isoformat()},
            )
        else:
            messages.success(request, gettext("Extension request refused."))

    name = "extension_decide"
    form = ExtensionDecisionForm(request.POST, auto_id=FORM_IDS[name])
    return post_obligation_form(request, obligation, name, form, write, done)


@require_POST
def obligation_add_note(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied
    form = NoteForm(request.POST, auto_id=FORM_IDS["note"])
    return post_obligation_form(
        request,
        obligation,
        "note",
        form,
        write=lambda data: workflow_services.obligation_add_note(
            obligation=obligation, user=request.user, text=data["text"]
        ),
        done=lambda _result: messages.success(
            request, gettext("Progress update posted.")
        ),
    )
