"""督办单 and the escalation rules."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    EscalationRule,
    SupervisionNotice,
)
from .mixins import CleanInputAdminMixin, NoRevertHistoryMixin, ReadOnlyMixin


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(
    CleanInputAdminMixin, ReadOnlyMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    """Read-only: notices are issued by raising the supervision level and answered
    on the obligation page, so their numbers never skip or repeat."""

    list_display = (
        "__str__",
        "level",
        "obligation",
        "department",
        "issued_on",
        "reply_due",
        "replied_at",
    )
    list_filter = ("level", "year", "issued_on", "department")
    search_fields = ("obligation__code", "obligation__title", "reason", "reply")
    date_hierarchy = "issued_on"
    list_select_related = ("obligation", "department")


@admin.register(EscalationRule)
class EscalationRuleAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    """Automatic escalation of long-overdue obligations by send_reminders."""

    list_display = ("__str__", "overdue_workdays", "level", "is_active")
    list_editable = ("overdue_workdays", "level", "is_active")
    list_display_links = ("__str__",)
