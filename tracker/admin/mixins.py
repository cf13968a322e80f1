"""What the admins share: cleaned input, no deletes, read-only records, closed
reports read-only, deactivation instead of deletion, the dashboards' invalidation.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import connection, models
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Obligation,
    Report,
)
from ..selectors.dashboard import years_missing_holidays
from ..services.common import (
    ReportClosedError,
)
from ..services.dashboard import reports_invalidate_dashboards
from ..text import CleanCharField


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
    report (``services.dashboard.reports_invalidate_dashboards``), in the admin's
    transaction.
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
        if count:
            # Who can be reminded (the dashboard's "Nobody to remind") changed.
            reports_invalidate_dashboards()
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
