"""The outbox, the workers and their jobs, and the reminders' tiers and log."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    Job,
    OutboundMessage,
    Reminder,
    ReminderTier,
    WorkerHeartbeat,
)
from ..selectors.queue import outbox_counts, worker_last_seen, worker_silence
from ..services.queue import outbox_retry_now
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
        "next_try_at",
        "address",
        "answer_code",
        "last_error",
    )
    list_filter = ("state", "channel")
    search_fields = ("subject", "body", "recipient__username", "department__name")
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "department")
    actions = ("retry_now",)
    change_list_template = "admin/tracker/outboundmessage/change_list.html"

    @admin.action(description=_("Retry the selected messages now"))
    def retry_now(self, request, queryset):
        count = outbox_retry_now(
            user=request.user, message_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d message is queued again.",
                "%(count)d messages are queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue": outbox_counts(),
            "worker_last_seen": worker_last_seen(),
            "worker_silence": worker_silence(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The workers (``manage.py worker``) and when each was last seen."""

    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at")


@admin.register(Job)
class JobAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The worker's long work (archives, report files read, big exports): who
    started what, how it ended and why a job failed. Written by services.jobs
    only; each job's own page has its progress and file."""

    list_display = (
        "created_at",
        "kind",
        "user",
        "status",
        "progress",
        "finished_at",
        "expires_at",
        "error",
        "page",
    )
    list_filter = ("status", "kind")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    exclude = ("params",)  # an import's links, an export's query: not for reading

    @admin.display(description=_("page"))
    def page(self, job):
        return format_html('<a href="{}">{}</a>', job.get_absolute_url(), job.pk)


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
