"""调度: a report's schedule of progress reports (月报 / 季报)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..models import Schedule
from ..services.schedules import schedule_save
from .mixins import CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin


@admin.register(Schedule)
class ScheduleAdmin(
    CleanInputAdminMixin, NoDeleteMixin, NoRevertHistoryMixin, SimpleHistoryAdmin
):
    fields = (
        "report",
        "frequency",
        "day",
        "starts_on",
        "remind_days_before",
        "is_active",
    )
    list_display = ("report", "frequency", "day", "starts_on", "is_active")
    list_filter = ("frequency", "is_active")

    def save_model(self, request, obj, form, change):
        schedule_save(schedule=obj, user=request.user)
