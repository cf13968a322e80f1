"""The admin: declarative lists, and every domain write routed through the services.

Status is read-only here (it changes only through transitions). Department, owner,
due date and supervision level edits, whether in the change form or in the bulk
actions, call ``obligation_assign`` / ``obligation_escalate`` so they leave a
timeline entry and a history row with the admin as author, like any other write.
Nothing the timeline refers to can be deleted from here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import ReportImportForm
from .models import (
    Department,
    Evidence,
    Holiday,
    Obligation,
    ProgressUpdate,
    Report,
    Section,
    SupervisionNotice,
)
from .permissions import can_import_report
from .selectors import years_missing_holidays
from .services import (
    ServiceError,
    import_preview,
    obligation_assign,
    obligation_escalate,
    report_import,
)

# Fields whose changes go through a service instead of a plain save().
ASSIGN_FIELDS = Obligation.ASSIGNABLE_FIELDS
SUPERVISION_FIELD = "supervision_level"


class NoDeleteMixin:
    """The audit trail refers to these rows: no hard deletes, not even in bulk."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class NoRevertHistoryMixin:
    """History is for reading: a revert would write fields (status among them)
    behind the services' back."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def warn_missing_holidays(request):
    """Say which years need their holidays entered (see tracker.workdays)."""
    missing = years_missing_holidays(
        Obligation.objects.all(), today=timezone.localdate()
    )
    if missing:
        messages.warning(request, missing_holidays_message(missing))


def missing_holidays_message(years):
    return gettext(
        "The holidays of %(years)s are not known to the working-day calendar: "
        "enter them (and the working weekend days) under “Holidays and working "
        "weekend days”, otherwise deadlines count Monday to Friday only."
    ) % {"years": ", ".join(str(year) for year in years)}


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "name", "is_workday")
    list_filter = ("is_workday",)
    search_fields = ("name",)
    date_hierarchy = "date"

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, holiday):
        return date_format(holiday.date, "l")

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_missing_holidays(request)
        return super().changelist_view(request, extra_context)


@admin.register(Report)
class ReportAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("title", "organization", "year", "obligation_count", "imported_at")
    list_filter = ("year", "organization")
    search_fields = ("title", "organization")
    date_hierarchy = "imported_at"
    # Obligations point into the source text by character offsets.
    readonly_fields = ("source_text", "imported_at")
    change_list_template = "admin/tracker/report/change_list.html"

    def has_add_permission(self, request):
        # Reports come from an import (the "Import a report" page or manage.py
        # import_report), which also builds the tree.
        return False

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="tracker_report_import",
        )
        # Before the default URLs: "<path:object_id>/" would otherwise take it.
        return [import_url, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_report": can_import_report(request.user),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Preview (parse, compare, write nothing) or import an uploaded report."""
        if not can_import_report(request.user):
            raise PermissionDenied
        form = ReportImportForm(request.POST or None, request.FILES or None)
        preview = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            tree = data["tree"]
            if "import" in request.POST:
                try:
                    result = report_import(
                        tree=tree,
                        user=request.user,
                        organization=data["organization"],
                        year=data["year"],
                        links=data["links"],
                    )
                except ServiceError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(
                        request,
                        gettext(
                            "Report imported: %(created)d created, %(updated)d "
                            "updated, %(unchanged)d unchanged, %(missing)d missing."
                        )
                        % {
                            "created": len(result.created),
                            "updated": len(result.updated),
                            "unchanged": len(result.unchanged),
                            "missing": len(result.missing),
                        },
                        messages.WARNING if result.missing else messages.SUCCESS,
                    )
                    return redirect("admin:tracker_report_change", result.report.pk)
            else:
                preview = import_preview(
                    tree, organization=tree.organization, year=tree.year
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a report"),
            "opts": self.model._meta,
            "form": form,
            "tree": form.cleaned_data.get("tree") if preview else None,
            "preview": preview,
        }
        return TemplateResponse(
            request,
            "admin/tracker/report/import.html",
            context,
            status=400 if form.errors else 200,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_obligations=Count("obligations"))

    @admin.display(description=_("obligations"), ordering="_obligations")
    def obligation_count(self, report):
        return report._obligations


@admin.register(Section)
class SectionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("code", "title", "report", "parent", "position")
    list_filter = ("report",)
    search_fields = ("code", "title")
    list_select_related = ("report", "parent")
    readonly_fields = ("report", "parent", "code", "number", "position")

    def has_add_permission(self, request):
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "member_count", "obligation_count")
    search_fields = ("name", "short_name")
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("members", distinct=True),
                _obligations=Count("obligations", distinct=True),
            )
            # An aggregate drops Meta.ordering; the autocomplete paginates this.
            .order_by("name")
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, department):
        return department._members

    @admin.display(description=_("obligations"), ordering="_obligations")
    def obligation_count(self, department):
        return department._obligations


def _download_link(evidence):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("tracker:evidence_download", args=[evidence.pk]),
        gettext("Download"),
    )


class EvidenceInline(admin.TabularInline):
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
        return _download_link(evidence)


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    fields = ("created_at", "author", "action", "from_status", "to_status", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ObligationAdminForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Recorded on the timeline; required when changing the supervision level."
        ),
    )

    class Meta:
        model = Obligation
        fields = (
            "title",
            "body",
            "department",
            "owner",
            "due_date",
            "supervision_level",
            "addresses",
        )

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk
            and SUPERVISION_FIELD in self.changed_data
            and not (cleaned.get("change_note") or "").strip()
        ):
            self.add_error(
                "change_note",
                _("A reason is required when changing the supervision level."),
            )
        return cleaned


@admin.register(Obligation)
class ObligationAdmin(NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin):
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
        "status_changed_at",
        "version",
        "source_start",
        "source_end",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("report", "section", "kind", "code", "title", "body")}),
        (
            _("Responsibility"),
            {
                "fields": (
                    "status",
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
                    "version",
                    "status_changed_at",
                    "created_at",
                    "updated_at",
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj._history_user = request.user
            obj.save()
            return
        changed = set(form.changed_data) - {"change_note", "addresses"}
        note = (form.cleaned_data.get("change_note") or "").strip()
        plain = changed - set(ASSIGN_FIELDS) - {SUPERVISION_FIELD}
        if plain:
            # Text edits: saved on a fresh row so the in-memory assignment values
            # are not written (and not recorded) without their timeline entries.
            fresh = Obligation.objects.select_for_update().get(pk=obj.pk)
            for name in plain:
                setattr(fresh, name, form.cleaned_data[name])
            fresh.version += 1
            fresh._history_user = request.user
            fresh._change_reason = gettext("Edited in the admin")
            fresh.save()
        assigned = {
            name: form.cleaned_data[name] for name in ASSIGN_FIELDS if name in changed
        }
        level = form.cleaned_data.get(SUPERVISION_FIELD)
        if assigned:
            obligation_assign(
                obligation=obj, user=request.user, note=note, version=None, **assigned
            )
        if SUPERVISION_FIELD in changed:
            obligation_escalate(
                obligation=obj, user=request.user, level=level, note=note, version=None
            )
        obj.refresh_from_db()

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
            for name in ASSIGN_FIELDS
            if (value := form.cleaned_data[name]) not in (None, "")
        }
        try:
            with transaction.atomic():
                for obligation in queryset:
                    obligation_assign(
                        obligation=obligation,
                        user=request.user,
                        note=form.cleaned_data["note"],
                        version=None,
                        **values,
                    )
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        count = queryset.count()
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
        changed = 0
        try:
            with transaction.atomic():
                for obligation in queryset.exclude(supervision_level=level):
                    obligation_escalate(
                        obligation=obligation,
                        user=request.user,
                        level=level,
                        note=form.cleaned_data["note"],
                        version=None,
                    )
                    changed += 1
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        self.message_user(
            request,
            gettext("Supervision level changed on %(count)d obligations.")
            % {"count": changed},
            messages.SUCCESS,
        )
        return None


class BulkAssignForm(forms.Form):
    """Empty fields are left as they are on every selected obligation."""

    department = forms.ModelChoiceField(
        Department.objects.all(), required=False, label=_("Responsible department")
    )
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Responsible person")
    )
    due_date = forms.DateField(
        required=False,
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ASSIGN_FIELDS):
            raise forms.ValidationError(
                _("Choose a department, a person or a due date to assign.")
            )
        return cleaned


class BulkSupervisionForm(forms.Form):
    level = forms.ChoiceField(
        choices=Obligation.SupervisionLevel.choices, label=_("Supervision level")
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Evidence)
class EvidenceAdmin(NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin):
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

    @admin.display(description=_("file"))
    def download(self, evidence):
        return _download_link(evidence)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(NoDeleteMixin, admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Append-only: the timeline is written by the services.
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
