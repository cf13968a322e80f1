"""督办单, 催办, 批示 (the supervision records, read-only) and the escalation rules."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    Chase,
    EscalationRule,
    Instruction,
    OrganizationSupervision,
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


class SupervisionRecordAdmin(
    CleanInputAdminMixin, ReadOnlyMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    """Read-only: chases, instructions and a city's supervision of a county are
    written and answered on their pages, through the services that notify the
    people concerned; the admin finds and reads them, with their history."""


@admin.register(Chase)
class ChaseAdmin(SupervisionRecordAdmin):
    list_display = ("obligation", "department", "chased_by", "chased_at", "answered_at")
    list_filter = ("chased_at", "department")
    search_fields = ("obligation__code", "obligation__title", "note", "answer")
    date_hierarchy = "chased_at"
    list_select_related = ("obligation", "department", "chased_by")


@admin.register(Instruction)
class InstructionAdmin(SupervisionRecordAdmin):
    list_display = ("obligation", "department", "author", "created_at", "replied_at")
    list_filter = ("created_at", "department")
    search_fields = ("obligation__code", "obligation__title", "text", "reply")
    date_hierarchy = "created_at"
    list_select_related = ("obligation", "department", "author")


@admin.register(OrganizationSupervision)
class OrganizationSupervisionAdmin(SupervisionRecordAdmin):
    list_display = (
        "__str__",
        "kind",
        "level",
        "organization",
        "issuer",
        "sent_at",
        "reply_due",
        "answered_at",
    )
    list_filter = ("kind", "level", "sent_at", "organization")
    search_fields = ("organization__name", "note", "answer")
    date_hierarchy = "sent_at"
    list_select_related = ("organization", "issuer")


@admin.register(EscalationRule)
class EscalationRuleAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    """Automatic escalation of long-overdue obligations by send_reminders."""

    list_display = ("__str__", "overdue_workdays", "level", "is_active")
    list_editable = ("overdue_workdays", "level", "is_active")
    list_display_links = ("__str__",)
