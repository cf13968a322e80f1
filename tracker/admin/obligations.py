"""Obligations: editing through services, bulk assignment and supervision."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..forms import (
    BulkAssignForm,
    BulkSupervisionForm,
    ObligationAdminForm,
)
from ..models import (
    Evidence,
    Obligation,
    ProgressUpdate,
)
from ..services.common import (
    ServiceError,
    StaleVersionError,
    obligation_check_version,
)
from ..services.supervision import obligation_set_supervision
from ..services.workflow import (
    obligation_assign,
    obligation_edit,
    obligation_set_addresses,
)
from .mixins import (
    CleanInputAdminMixin,
    NoDeleteMixin,
    NoRevertHistoryMixin,
    ReadOnlyMixin,
    warn_missing_holidays,
)


def download_link(evidence):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("tracker:evidence_download", args=[evidence.pk]),
        gettext("Download"),
    )


class EvidenceInline(CleanInputAdminMixin, admin.TabularInline):
    model = Evidence
    fields = (
        "original_name",
        "download",
        "size",
        "uploaded_by",
        "uploaded_at",
        "withdrawn_at",
        "withdraw_reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, evidence):
        return download_link(evidence)


class ProgressUpdateInline(CleanInputAdminMixin, ReadOnlyMixin, admin.TabularInline):
    model = ProgressUpdate
    fields = ("created_at", "author", "action", "from_status", "to_status", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")


@admin.register(Obligation)
class ObligationAdmin(
    CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    form = ObligationAdminForm
    list_display = (
        "code",
        "title",
        "kind",
        "status",
        "department",
        "owner",
        "due_date",
        "supervision_level",
        "report",
    )
    list_filter = (
        "report",
        "kind",
        "status",
        "rating",
        "supervision_level",
        "department",
        "due_date",
    )
    search_fields = ("code", "title", "body")
    date_hierarchy = "due_date"
    list_select_related = ("report", "department", "owner")
    autocomplete_fields = ("department", "owner", "addresses")
    readonly_fields = (
        "report",
        "section",
        "kind",
        "code",
        "position",
        "status",
        "rating",
        "rating_comment",
        "status_changed_at",
        "source_start",
        "source_end",
        "missing_since",
        "created_at",
        "updated_at",
        # Written by their services only (versioned, on the timeline).
        "report_wording",
        "carried_into",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "report",
                    "section",
                    "kind",
                    "code",
                    "title",
                    "body",
                    "version",
                )
            },
        ),
        (
            _("Responsibility"),
            {
                "fields": (
                    "status",
                    "rating",
                    "rating_comment",
                    "department",
                    "owner",
                    "due_date",
                    "supervision_level",
                    "change_note",
                )
            },
        ),
        (_("Links"), {"fields": ("addresses",)}),
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": (
                    "position",
                    "source_start",
                    "source_end",
                    "missing_since",
                    "status_changed_at",
                    "created_at",
                    "updated_at",
                    "report_wording",
                    "carried_into",
                ),
            },
        ),
    )
    inlines = (EvidenceInline, ProgressUpdateInline)
    actions = ("assign_selected", "set_supervision_selected")

    def has_add_permission(self, request):
        # Obligations come from importing a report (manage.py import_report).
        return False

    def changelist_view(self, request, extra_context=None):
        # Due dates are set from here: say when the calendar behind them is blind.
        if request.method == "GET":
            warn_missing_holidays(request)
        return super().changelist_view(request, extra_context)

    # --- The change form: refused when stale, then one service per kind of change.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            request._obligation_refusal = self._stale_refusal(request, object_id)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            # A service refused inside the admin's transaction, which rolled back:
            # show the same form again with the reason (a stale version caught
            # under the row lock lands here too).
            request._obligation_refusal = self._refusal_messages(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _stale_refusal(self, request, object_id):
        """The refusal messages when the posted version is not the current one."""
        obligation = self.get_object(request, object_id)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            return ()  # the form says the field is missing or not a number
        if obligation is None:
            return ()
        try:
            obligation_check_version(obligation=obligation, version=version)
        except StaleVersionError as error:
            return self._refusal_messages(error)
        return ()

    @staticmethod
    def _refusal_messages(error):
        if not isinstance(error, StaleVersionError):
            return [str(error)]
        return [
            str(error),
            *error.change_lines(),
            gettext("Reload this page to edit the current values."),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A new class per request: the refusal never leaks into another request.
        form.refusal = getattr(request, "_obligation_refusal", ())
        return form

    def save_model(self, request, obj, form, change):
        """Only what the admin changed, each kind through its service. The first
        service checks the version the form carried under the row lock; the next
        ones continue from the version it wrote."""
        if not change:
            raise PermissionDenied  # obligations come from an import
        data = form.cleaned_data
        changed = set(form.changed_data)
        note = (data.get("change_note") or "").strip()
        version = data["version"]
        if changed & {"title", "body"}:
            version = obligation_edit(
                obligation=obj,
                user=request.user,
                title=data["title"],
                body=data["body"],
                note=note,
                version=version,
            ).version
        assigned = {
            name: data[name] for name in Obligation.ASSIGNABLE_FIELDS if name in changed
        }
        if assigned:
            version = obligation_assign(
                obligation=obj,
                user=request.user,
                note=note,
                version=version,
                **assigned,
            ).version
        if "supervision_level" in changed:
            version = obligation_set_supervision(
                obligation=obj,
                user=request.user,
                level=data["supervision_level"],
                note=note,
                version=version,
            ).version
        if "addresses" in changed:
            obligation_set_addresses(
                obligation=obj,
                user=request.user,
                problems=data["addresses"],
                note=note,
                version=version,
            )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The links were set by obligation_set_addresses in save_model, and the
        # inlines are read-only: form.save_m2m() would write the links again behind
        # the service, so nothing is saved here. The admin's change message reads
        # what each formset saved: nothing.
        for formset in formsets:
            formset.new_objects, formset.changed_objects = [], []
            formset.deleted_objects = []

    # --- Bulk actions: an intermediate page, then one service call per obligation.

    def _bulk_page(self, request, queryset, form, title, action):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "obligations": queryset,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/tracker/obligation/bulk_assign.html", context
        )

    @admin.action(
        description=_("Assign department / owner / due date"), permissions=["change"]
    )
    def assign_selected(self, request, queryset):
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._bulk_page(
                request,
                queryset,
                form,
                gettext("Assign department / owner / due date"),
                "assign_selected",
            )
        # Empty fields in the bulk form mean "leave as it is".
        values = {
            name: value
            for name in Obligation.ASSIGNABLE_FIELDS
            if (value := form.cleaned_data[name]) not in (None, "")
        }
        # A limit in working days counts from today for every selected obligation.
        values["limit_workdays"] = form.cleaned_data["limit_workdays"]
        count = self._apply_to_each(
            request,
            queryset,
            lambda obligation, version: obligation_assign(
                obligation=obligation,
                user=request.user,
                note=form.cleaned_data["note"],
                version=version,
                **values,
            ),
        )
        if count is not None:
            self.message_user(
                request,
                gettext("Obligations assigned: %(count)d.") % {"count": count},
                messages.SUCCESS,
            )
        return None

    @admin.action(description=_("Set supervision level"), permissions=["change"])
    def set_supervision_selected(self, request, queryset):
        form = BulkSupervisionForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._bulk_page(
                request,
                queryset,
                form,
                gettext("Set supervision level"),
                "set_supervision_selected",
            )
        level = form.cleaned_data["level"]
        count = self._apply_to_each(
            request,
            queryset.exclude(supervision_level=level),
            lambda obligation, version: obligation_set_supervision(
                obligation=obligation,
                user=request.user,
                level=level,
                note=form.cleaned_data["note"],
                version=version,
            ),
        )
        if count is not None:
            self.message_user(
                request,
                gettext("Supervision level changed on %(count)d obligations.")
                % {"count": count},
                messages.SUCCESS,
            )
        return None

    def _apply_to_each(self, request, queryset, write):
        """Run ``write(obligation, version)`` for each selected obligation, in one
        transaction, with the version the intermediate page showed: if any of them
        changed since, nothing is written and the message says who changed what.
        Returns how many were written, or None when refused."""
        try:
            with transaction.atomic():
                count = 0
                # Every selected row locked first, in one order. Each service bumps
                # the report's revision (services.dashboard.report_invalidate_dashboard)
                # and keeps it locked until this transaction ends; taking the next
                # obligation's lock only then could wait for a single write that
                # holds that obligation and waits for the revision: a deadlock.
                queryset = (
                    Obligation.objects.filter(pk__in=queryset.values("pk"))
                    .select_for_update()
                    .order_by("pk")
                )
                for obligation in queryset:
                    version = request.POST.get(f"version_{obligation.pk}")
                    if version is None:
                        raise ServiceError(
                            gettext(
                                "The selection changed while you were choosing; "
                                "nothing was saved. Select the obligations again."
                            )
                        )
                    write(obligation, version)
                    count += 1
        except StaleVersionError as error:
            self.message_user(request, f"{obligation.code}: {error}", messages.ERROR)
            for line in error.change_lines():
                self.message_user(request, line, messages.ERROR)
            return None
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        return count


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Append-only: the timeline is written by the services."""

    list_display = (
        "created_at",
        "obligation",
        "action",
        "author",
        "from_status",
        "to_status",
        "text",
    )
    list_filter = ("action", "to_status", "created_at")
    search_fields = ("text", "obligation__code", "obligation__title")
    date_hierarchy = "created_at"
    list_select_related = ("obligation", "author")
