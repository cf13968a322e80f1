"""The holiday calendar, and its import from the State Council's notice."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import holiday_notice
from ..forms import HolidayNoticeForm
from ..models import (
    Holiday,
)
from ..services.calendar import holidays_import
from .mixins import (
    CleanInputAdminMixin,
    InvalidatesDashboardsMixin,
    warn_missing_holidays,
)


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

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="tracker_holiday_import",
        )
        # Before the default URLs: "<path:object_id>/" would otherwise take it.
        return [import_url, *super().get_urls()]

    def import_view(self, request):
        """Paste a year's notice (or nothing: the law's fixed holidays), see the
        days it gives, then import them. Preview writes nothing."""
        if not (
            self.has_add_permission(request) and self.has_change_permission(request)
        ):
            raise PermissionDenied
        form = HolidayNoticeForm(request.POST or None)
        days = None
        if form.is_bound and form.is_valid():
            year, text = form.cleaned_data["year"], form.cleaned_data["text"]
            try:
                days = (
                    holiday_notice.parse_notice(text, year)
                    if text
                    else holiday_notice.statutory_days(year)
                )
            except holiday_notice.HolidayNoticeError as error:
                form.add_error("text", str(error))
            else:
                outside = [d.day for d in days if d.day.year not in (year - 1, year)]
                if outside:
                    form.add_error(
                        "text",
                        gettext("%(day)s is not in %(year)d.")
                        % {"day": outside[0].isoformat(), "year": year},
                    )
                    days = None
            if days is not None and "import" in request.POST:
                created, updated = holidays_import(user=request.user, days=days)
                self.message_user(
                    request,
                    gettext(
                        "Holidays of %(year)d imported: %(created)d added, "
                        "%(updated)d updated."
                    )
                    % {"year": year, "created": created, "updated": updated},
                    messages.SUCCESS,
                )
                return redirect("admin:tracker_holiday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a year's holidays"),
            "opts": self.model._meta,
            "form": form,
            "days": days,
        }
        return TemplateResponse(
            request,
            "admin/tracker/holiday/import.html",
            context,
            status=400 if form.errors else 200,
        )
