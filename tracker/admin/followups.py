"""Follow-up across years, read only."""

from django.contrib import admin

from ..models import (
    FollowUp,
    FollowUpRejection,
)
from .mixins import CleanInputAdminMixin, ReadOnlyMixin


@admin.register(FollowUp)
class FollowUpAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: follow-ups across years are confirmed, rejected and withdrawn by
    supervisors on the obligation pages (services.followup_*)."""

    list_display = (
        "earlier",
        "later",
        "score",
        "confirmed_by",
        "confirmed_at",
        "withdrawn_at",
    )
    list_filter = ("earlier__report", "confirmed_at", "withdrawn_at")
    search_fields = ("earlier__code", "earlier__title", "later__title", "reason")
    list_select_related = ("earlier", "later", "confirmed_by")


@admin.register(FollowUpRejection)
class FollowUpRejectionAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: the record of suggestions judged wrong (services.followup_reject)."""

    list_display = ("earlier", "later", "rejected_by", "rejected_at", "reason")
    list_filter = ("earlier__report",)
    list_select_related = ("earlier", "later", "rejected_by")
