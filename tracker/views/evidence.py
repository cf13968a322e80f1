"""佐证材料: uploading, withdrawing, downloading and previewing evidence."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils.translation import gettext, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_POST,
    require_safe,
)

from .. import permissions
from ..evidence_files import preview_kind
from ..forms import (
    EvidenceForm,
    WithdrawEvidenceForm,
)
from ..services import evidence as evidence_services
from .obligation_page import DOWNLOAD_CONTENT_TYPES, FORM_IDS, post_obligation_form


def uploaded_message(request, created):
    """The one success message of an upload, naming every file."""
    names = pgettext("list separator", ", ").join(
        f"“{each.original_name}”" for each in created
    )
    messages.success(
        request,
        ngettext(
            "Evidence %(names)s uploaded.",
            "%(count)d evidence files uploaded: %(names)s.",
            len(created),
        )
        % {"names": names, "count": len(created)},
    )


@require_POST
def evidence_upload(request, pk):
    """Several files in one go (the page's script sends them with XHR to show
    the progress, then swaps in the sections the answer page redraws; without
    the script the form posts as any other)."""
    obligation = permissions.get_obligation_or_404(request, pk)
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied

    def write(data):
        return evidence_services.evidence_upload_many(
            obligation=obligation,
            user=request.user,
            files=data["files"],
            note=data["note"],
        )

    form = EvidenceForm(request.POST, request.FILES, auto_id=FORM_IDS["evidence"])
    return post_obligation_form(
        request,
        obligation,
        "evidence",
        form,
        write,
        lambda created: uploaded_message(request, created),
    )


@require_POST
def evidence_withdraw(request, pk):
    evidence = permissions.get_evidence_or_404(request, pk)
    obligation = evidence.obligation
    if not permissions.can_work_on(request.user, obligation):
        raise PermissionDenied
    name = f"withdraw-{evidence.pk}"
    form = WithdrawEvidenceForm(request.POST, auto_id=f"{name}-%s")
    return post_obligation_form(
        request,
        obligation,
        name,
        form,
        write=lambda data: evidence_services.evidence_withdraw(
            evidence=evidence, user=request.user, reason=data["reason"]
        ),
        done=lambda result: messages.success(
            request,
            gettext("Evidence “%(name)s” withdrawn.") % {"name": result.original_name},
        ),
    )


def _serve_evidence(request, pk, *, inline):
    """The one way an evidence file leaves the server, for the download and the
    preview alike.

    The stored content type is trusted only if it is one we accept (never HTML),
    ``nosniff`` stops the browser from guessing, and the sandbox policy disarms the
    file even if someone opens it in a tab: a PNG that is also valid HTML stays a
    PNG. ``inline`` serves images and PDFs to be shown by the browser; anything
    else is a download whatever was asked.
    """
    evidence = permissions.get_evidence_or_404(request, pk)
    if not permissions.can_download(request.user, evidence):
        raise PermissionDenied
    content_type = evidence.content_type.split(";")[0].strip().lower()
    if content_type not in DOWNLOAD_CONTENT_TYPES:
        content_type = "application/octet-stream"
    elif evidence.content_type.lower().startswith("text/plain"):
        content_type = evidence.content_type
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The file of this evidence is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=not (inline and preview_kind(content_type)),
        filename=evidence.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_safe
@never_cache
def evidence_download(request, pk):
    """Serve a piece of evidence to those who may see it, always as a download."""
    return _serve_evidence(request, pk, inline=False)


@require_safe
@never_cache
def evidence_preview(request, pk):
    """The same file, shown by the browser when it is an image or a PDF (the
    reviewer reads the evidence on the obligation page); a download otherwise."""
    return _serve_evidence(request, pk, inline=True)
