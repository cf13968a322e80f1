"""The admin: declarative lists, and every domain write routed through the services.

Status is read-only here (it changes only through transitions). Every edit of an
obligation, in the change form or in the bulk actions, calls a service
(``obligation_edit``, ``obligation_assign``, ``obligation_set_supervision``,
``obligation_set_addresses``) with the version the admin saw, so it leaves a timeline
entry and a history row with the admin as author and never overwrites a change the
admin did not see. Nothing the timeline refers to can be deleted from here: people
and departments named in the record are deactivated instead.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import archive, permissions, selectors, similarity
from .forms import (
    AssessmentWeightsAdminForm,
    BulkAssignForm,
    BulkSupervisionForm,
    ObligationAdminForm,
    ReportImportForm,
    TemporaryPasswordForm,
)
from .models import (
    AssessmentWeights,
    Department,
    EscalationRule,
    Evidence,
    FollowUp,
    FollowUpRejection,
    Holiday,
    Obligation,
    OutboundMessage,
    ProgressUpdate,
    Reminder,
    ReminderTier,
    Report,
    ReportEvent,
    Section,
    SupervisionNotice,
    display_name,
)
from .permissions import can_import_report
from .selectors import years_missing_holidays
from .services import (
    IMPORT_DRAFT_MINUTES,
    ReportClosedError,
    ServiceError,
    StaleVersionError,
    account_send_password_reset,
    assessment_weights_set,
    evidence_edit_note,
    import_draft_discard,
    import_draft_get,
    import_draft_save,
    import_preview,
    obligation_assign,
    obligation_check_version,
    obligation_edit,
    obligation_set_addresses,
    obligation_set_supervision,
    report_close,
    report_import,
    reports_invalidate_dashboards,
)
from .text import CleanCharField

# The site's name in the admin's header, title bar and first page.
admin.site.site_header = _("Rule-of-law checklist administration")
admin.site.site_title = _("Rule-of-law checklist administration")
admin.site.index_title = _("Administration home")


def _is_primary_key(model, value):
    """Whether ``value`` (from a URL or a form) can be a primary key of ``model``:
    Django's admin and simple-history filter on whatever the request sends, and
    ``abc`` or a 30-digit number would end in a 500."""
    pk = model._meta.pk
    try:
        number = pk.to_python(value)
    except ValidationError:
        return False
    low, high = connection.ops.integer_field_ranges.get(
        pk.get_internal_type(), (None, None)
    )
    return low is None or low <= number <= high


class CleanInputAdminMixin:
    """On every ModelAdmin and inline (tests/test_control_characters.py checks).

    The form fields the admin generates for plain CharFields and TextFields are
    ``CleanCharField`` (tracker.text): no control characters are stored. Fields
    with choices are validated against them; e-mail, URL and slug fields keep their
    own validation; fields a form declares itself use ``CleanCharField`` explicitly.

    The rows an action is asked to act on must be primary keys: anything else is a
    400, not a 500."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if type(db_field) in (models.CharField, models.TextField) and not (
            db_field.choices
        ):
            kwargs.setdefault("form_class", CleanCharField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_primary_key(self.model, value) for value in selected):
            raise BadRequest("The selection is not a list of primary keys.")
        return super().response_action(request, queryset)


class InvalidatesDashboardsMixin:
    """For what every report's dashboard shows besides its obligations: names of
    departments, people, reports and sections, and the working-day calendar behind
    the countdowns. A save or delete here invalidates the cached figures of every
    report (``services.reports_invalidate_dashboards``), in the admin's transaction.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reports_invalidate_dashboards()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        reports_invalidate_dashboards()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        reports_invalidate_dashboards()


class NoDeleteMixin:
    """The audit trail refers to these rows: no hard deletes, not even in bulk."""

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyMixin(NoDeleteMixin):
    """Rows written only by the services (the timeline, notices, the outbox, the
    reminder log): the admin reads them and never adds, changes or deletes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ClosedReportReadOnlyMixin:
    """Rows of a closed report are shown read-only, with a message saying why
    (``permissions.is_writable``); ``report_of(obj)`` names the report."""

    def report_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and not permissions.is_writable(self.report_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id and request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None and not permissions.is_writable(self.report_of(obj)):
                report = Report.objects.select_related("closed_by").get(
                    pk=self.report_of(obj).pk
                )
                messages.warning(request, str(ReportClosedError(report)))
        return super().changeform_view(request, object_id, form_url, extra_context)


class DeactivateNotDeleteMixin:
    """People and departments the record names are deactivated, never deleted, so
    history, timeline and evidence keep saying who did what. ``may_delete(obj)``
    says whether the record names ``obj``; a refused deletion (one or in bulk) is
    answered with a message, and a "deactivate" action is offered instead."""

    may_delete = None  # callable(obj) -> bool

    def _refuse_deletion(self, request, objects):
        self.message_user(
            request,
            gettext(
                "Not deleted: %(names)s named in the record (history, timeline, "
                "evidence or assignments). Deactivate instead."
            )
            % {"names": ", ".join(f"“{obj}”" for obj in objects)},
            messages.ERROR,
        )

    def has_delete_permission(self, request, obj=None):
        # Hides the Delete button of a record-named object's change page.
        if obj is not None and not type(self).may_delete(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and not type(self).may_delete(obj):
            self._refuse_deletion(request, [obj])
            opts = self.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (type(self)._delete_unless_named, name, description)
        return actions

    def _delete_unless_named(self, request, queryset):
        # Checked again when the confirmation page posts back.
        named = [obj for obj in queryset if not type(self).may_delete(obj)]
        if named:
            self._refuse_deletion(request, named)
            return None
        return delete_selected(self, request, queryset)

    @admin.action(description=_("Deactivate selected"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        # is_active is a plain flag, read when choosing who or what to assign; the
        # record itself is untouched.
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request,
            gettext("Deactivated: %(count)d.") % {"count": count},
            messages.SUCCESS,
        )


class NoRevertHistoryMixin:
    """History is for reading: a revert would write fields (status among them)
    behind the services' back."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not _is_primary_key(self.model, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        if not (
            _is_primary_key(self.model, object_id)
            and _is_primary_key(self.model.history.model, version_id)
        ):
            raise Http404
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
class HolidayAdmin(CleanInputAdminMixin, InvalidatesDashboardsMixin, admin.ModelAdmin):
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


def _suggested_links(tree):
    """The preview's suggested task -> problem links (tracker.similarity), each
    with both titles: shown, never imported; they are confirmed on the task's page.
    """
    parsed = {o.code: o for _section, o in tree.obligations()}
    passages = ((o.code, o.kind, o.body) for o in parsed.values())
    return [
        {
            "task": parsed[each.task],
            "problem": parsed[each.problem],
            "score": each.score,
            "terms": each.terms,
        }
        for each in similarity.suggest_for_report(passages)
    ]


def _suggested_followups(tree, *, organization, year):
    """The preview's follow-up suggestions: which units of the file may report on
    the tasks and problems of the organization's report of the year before
    (tracker.similarity), with that report; shown, never stored: a supervisor
    confirms them once the file is imported."""
    previous = selectors.adjacent_report(organization=organization, year=year - 1)
    if previous is None:
        return None, []
    earlier = {
        o.code: o
        for o in previous.obligations.filter(missing_since__isnull=True).only(
            "pk", "code", "kind", "title", "body"
        )
    }
    later = {o.code: o for _section, o in tree.obligations()}
    matches = similarity.match_followups(
        [(o.code, o.kind, o.body) for o in earlier.values()],
        [(o.code, o.kind, o.body) for o in later.values()],
    )
    return previous, [
        {
            "earlier": earlier[each.earlier],
            "later": later[each.later],
            "score": each.score,
            "terms": each.terms,
            "recurring": earlier[each.earlier].kind
            == later[each.later].kind
            == Obligation.Kind.PROBLEM,
        }
        for each in matches
    ]


class ReportEventInline(CleanInputAdminMixin, ReadOnlyMixin, admin.TabularInline):
    model = ReportEvent
    fields = ("created_at", "user", "action", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-pk")


@admin.register(Report)
class ReportAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    NoDeleteMixin,
    ClosedReportReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = (
        "title",
        "organization",
        "year",
        "obligation_count",
        "imported_at",
        "closed_at",
    )
    list_filter = ("year", "organization")
    search_fields = ("title", "organization")
    date_hierarchy = "imported_at"
    # Obligations point into the source text by character offsets. Closing and
    # reopening go through the services (the actions below, the report page).
    readonly_fields = ("source_text", "imported_at", "closed_at", "closed_by")
    change_list_template = "admin/tracker/report/change_list.html"
    inlines = (ReportEventInline,)
    actions = ("download_archive", "archive_and_close", "close_selected")

    def report_of(self, report):
        return report

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
        form = ReportImportForm(
            request.POST or None,
            request.FILES or None,
            draft_lookup=lambda token: import_draft_get(user=request.user, token=token),
        )
        preview, suggestions, draft = None, [], None
        previous_report, followups = None, []
        tree = None
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
                    import_draft_discard(user=request.user, token=data["draft"])
                    if result.previous_report is not None:
                        self.message_user(
                            request,
                            gettext(
                                "%(count)d follow-up suggestions for %(title)s: "
                                "confirm them on its page, under “Follow-up”."
                            )
                            % {
                                "count": len(result.followups),
                                "title": result.previous_report.title,
                            },
                        )
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
                suggestions = _suggested_links(tree)
                previous_report, followups = _suggested_followups(
                    tree, organization=tree.organization, year=tree.year
                )
                # Kept for the Import button: the page carries only the token.
                draft = import_draft_save(
                    user=request.user,
                    text=data["text"],
                    file_name=data["file_name"],
                    links=data["links"],
                    token=data["draft"],
                )
                form = ReportImportForm(
                    initial={
                        "draft": draft.token,
                        "organization": data["organization"],
                        "year": data["year"],
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a report"),
            "opts": self.model._meta,
            "form": form,
            "tree": tree if preview else None,
            "preview": preview,
            "draft": draft,
            "draft_minutes": IMPORT_DRAFT_MINUTES,
            "suggestions": suggestions,
            "previous_report": previous_report,
            "followups": followups,
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

    # --- The year's end: archive (一事一档), close. Reopening needs a reason: on
    # the report's page.

    def _one_report(self, request, queryset):
        if not permissions.can_archive_report(request.user):
            raise PermissionDenied
        reports = list(queryset.select_related("closed_by")[:2])
        if len(reports) != 1:
            self.message_user(
                request,
                gettext("Choose one report: an archive is of one report."),
                messages.ERROR,
            )
            return None
        return reports[0]

    def _archive_download(self, request, report):
        response, result = archive.archive_response(report, user=request.user)
        if result.problems:
            self.message_user(
                request,
                gettext(
                    "The archive was written, but %(count)d evidence files could not "
                    "be archived as uploaded: its summary sheet and manifest name "
                    "them."
                )
                % {"count": len(result.problems)},
                messages.WARNING,
            )
        return response

    @admin.action(description=_("Download the archive (一事一档)"))
    def download_archive(self, request, queryset):
        report = self._one_report(request, queryset)
        return report and self._archive_download(request, report)

    @admin.action(description=_("Close and download the archive"))
    def archive_and_close(self, request, queryset):
        """The year's end in one step: closed first, so the archive records who
        closed the report and when; a report already closed is only archived."""
        report = self._one_report(request, queryset)
        if report is None:
            return None
        if not report.is_closed:
            report = report_close(report=report, user=request.user)
        return self._archive_download(request, report)

    @admin.action(description=_("Close (read-only for everyone)"))
    def close_selected(self, request, queryset):
        if not permissions.can_close_report(request.user):
            raise PermissionDenied
        already = queryset.filter(closed_at__isnull=False).count()
        closed = 0
        for report in queryset.filter(closed_at__isnull=True):
            report_close(report=report, user=request.user)
            closed += 1
        if closed:
            self.message_user(
                request,
                gettext("Reports closed: %(count)d.") % {"count": closed},
                messages.SUCCESS,
            )
        if already:
            # Said apart, so "closed: 0" never reads as a failure to close.
            self.message_user(
                request,
                gettext("Already closed, left as they were: %(count)d.")
                % {"count": already},
                messages.INFO,
            )


@admin.register(Section)
class SectionAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    NoDeleteMixin,
    ClosedReportReadOnlyMixin,
    admin.ModelAdmin,
):
    list_display = ("code", "title", "report", "parent", "position")
    list_filter = ("report",)
    search_fields = ("code", "title")
    list_select_related = ("report", "parent")
    readonly_fields = ("report", "parent", "code", "number", "position")

    def has_add_permission(self, request):
        return False

    def report_of(self, section):
        return section.report


@admin.register(Department)
class DepartmentAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    DeactivateNotDeleteMixin,
    admin.ModelAdmin,
):
    list_display = (
        "name",
        "short_name",
        "is_active",
        "member_count",
        "obligation_count",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "short_name")
    filter_horizontal = ("members",)
    actions = ("deactivate_selected",)
    may_delete = staticmethod(permissions.can_delete_department)

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
        return _download_link(evidence)


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
                # the report's revision (services.report_invalidate_dashboard) and
                # keeps it locked until this transaction ends; taking the next
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
        return _download_link(evidence)


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


User = get_user_model()
admin.site.unregister(User)
# Groups' names are typed in the admin too: the same cleaning as every other text.
admin.site.unregister(Group)


@admin.register(User)
class TrackerUserAdmin(
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    DeactivateNotDeleteMixin,
    UserAdmin,
):
    actions = ("deactivate_selected", "send_password_reset")
    may_delete = staticmethod(permissions.can_delete_user)
    # The "set password" page: what an administrator types is temporary.
    change_password_form = TemporaryPasswordForm

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not settings.EMAIL_ENABLED:
            # No mail server: offering the action would only fail.
            actions.pop("send_password_reset", None)
        return actions

    @admin.action(description=_("Email a password reset link"), permissions=["change"])
    def send_password_reset(self, request, queryset):
        sent = 0
        for user in queryset:
            try:
                account_send_password_reset(user=user)
            except ServiceError as error:
                self.message_user(request, str(error), messages.WARNING)
            except OSError as error:  # the mail server refused or is unreachable
                self.message_user(
                    request,
                    gettext("The email to %(name)s could not be sent: %(error)s")
                    % {"name": display_name(user), "error": error},
                    messages.ERROR,
                )
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                gettext("Password reset links sent: %(count)d.") % {"count": sent},
                messages.SUCCESS,
            )


@admin.register(Group)
class TrackerGroupAdmin(CleanInputAdminMixin, GroupAdmin):
    pass


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


@admin.register(EscalationRule)
class EscalationRuleAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    """Automatic escalation of long-overdue obligations by send_reminders."""

    list_display = ("__str__", "overdue_workdays", "level", "is_active")
    list_editable = ("overdue_workdays", "level", "is_active")
    list_display_links = ("__str__",)


@admin.register(Reminder)
class ReminderAdmin(CleanInputAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The log of reminders sent: read-only, it is what keeps them from repeating."""

    list_display = ("day", "tier", "obligation", "recipient", "created_at")
    list_filter = ("day", "tier")
    search_fields = ("obligation__code", "recipient__username")
    date_hierarchy = "day"
    list_select_related = ("obligation", "recipient")


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(
    CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    """The one row of the ranking's weights: the list leads straight to it (or to
    the form with the defaults while none is saved); saving goes through
    ``assessment_weights_set``, so the history names who changed them and why."""

    form = AssessmentWeightsAdminForm
    fields = ("on_time", "rating", "returns", "supervision", "change_reason")
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request):
        return (
            super().has_add_permission(request)
            and not AssessmentWeights.objects.exists()
        )

    def changelist_view(self, request, extra_context=None):
        saved = AssessmentWeights.objects.first()
        if saved is None:
            return redirect("admin:tracker_assessmentweights_add")
        return redirect("admin:tracker_assessmentweights_change", saved.pk)

    def save_model(self, request, obj, form, change):
        saved = assessment_weights_set(
            user=request.user,
            reason=form.cleaned_data["change_reason"],
            **{name: form.cleaned_data[name] for name in AssessmentWeights.DEFAULTS},
        )
        obj.pk = saved.pk
