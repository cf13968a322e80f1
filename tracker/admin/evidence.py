"""佐证材料."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    Evidence,
)
from ..services.evidence import evidence_edit_note
from .mixins import (
    CleanInputAdminMixin,
    ClosedReportReadOnlyMixin,
    NoDeleteMixin,
    NoRevertHistoryMixin,
)
from .obligations import download_link


@admin.register(Evidence)
class EvidenceAdmin(
    CleanInputAdminMixin,
    NoDeleteMixin,
    NoRevertHistoryMixin,
    ClosedReportReadOnlyMixin,
    SimpleHistoryAdmin,
):
    list_display = (
        "original_name",
        "obligation",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "withdrawn_at",
        "download",
    )
    list_filter = ("content_type", "uploaded_at", "withdrawn_at")
    search_fields = ("original_name", "note", "sha256", "obligation__code")
    date_hierarchy = "uploaded_at"
    list_select_related = ("obligation", "uploaded_by")
    fields = (
        "obligation",
        "original_name",
        "download",
        "size",
        "sha256",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "note",
        "withdrawn_at",
        "withdrawn_by",
        "withdraw_reason",
    )
    readonly_fields = tuple(name for name in fields if name != "note")

    def has_add_permission(self, request):
        # Uploads go through the obligation page, which checks the file's content.
        return False

    def report_of(self, evidence):
        return evidence.obligation.report

    def save_model(self, request, obj, form, change):
        # The note is the only editable field; the service writes the timeline.
        evidence_edit_note(
            evidence=obj, user=request.user, note=form.cleaned_data["note"]
        )

    @admin.display(description=_("file"))
    def download(self, evidence):
        return download_link(evidence)
