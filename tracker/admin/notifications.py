"""The outbox and the reminders' tiers and log."""

from django.contrib import admin

from ..models import (
    OutboundMessage,
    Reminder,
    ReminderTier,
)
from .mixins import CleanInputAdminMixin, ReadOnlyMixin


@admin.register(OutboundMessage)
class OutboundMessageAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The outbox, for reading: what was sent, what waits for the next run and why
    it failed. Rows are written and sent by tracker.notifications only."""

    list_display = (
        "created_at",
        "channel",
        "recipient",
        "department",
        "subject",
        "state",
        "attempts",
        "last_error",
    )
    list_filter = ("state", "channel")
    search_fields = ("subject", "body", "recipient__username", "department__name")
    date_hierarchy = "created_at"


@admin.register(ReminderTier)
class ReminderTierAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    """When send_reminders reminds people of a due date (working days)."""

    list_display = ("__str__", "kind", "workdays", "is_active")
    list_editable = ("workdays", "is_active")
    list_display_links = ("__str__",)


@admin.register(Reminder)
class ReminderAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The log of reminders sent: read-only, it is what keeps them from repeating."""

    list_display = ("day", "tier", "obligation", "recipient", "created_at")
    list_filter = ("day", "tier")
    search_fields = ("obligation__code", "recipient__username")
    date_hierarchy = "day"
    list_select_related = ("obligation", "recipient")
