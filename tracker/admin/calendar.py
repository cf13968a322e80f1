"""The holiday calendar."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import (
    Holiday,
)
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
