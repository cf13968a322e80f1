"""调度: the 调度表 at /schedule/ and filing a progress report on the item's page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from .. import permissions
from ..exports import (
    EXPORT_FORMATS,
    rows_response,
    schedule_export_rows,
    schedule_layout,
)
from ..models import Department, Report, Schedule
from ..organised_work_forms import (
    ProgressReportForm,
    ScheduleFilterForm,
)
from ..selectors.schedules import schedule_cache_key, schedule_table
from ..services import schedules as schedule_services
from ..services.common import ServiceError
from .dashboard import rendered_once
from .obligation_page import FORM_IDS, post_obligation_form


@require_safe
def schedule(request):
    """The 调度表 of one report (the newest with a schedule unless ?report=),
    optionally of one unit (?department=); ?_export=xlsx|csv downloads it."""
    if not permissions.can_view_schedule(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        # Straight to the file, from the database.
        form, chosen, table = _schedule_of_request(request, today=today)
        if table is not None:
            name = gettext("Progress report schedule")
            return rows_response(
                schedule_export_rows(table),
                export_format,
                f"{name}-{chosen.report.year}-{today:%Y-%m-%d}.{export_format}",
                fallback=f"schedule-{today:%Y-%m-%d}.{export_format}",
                sheet_title=name,
                layout=schedule_layout(table),
            )
    # The filters and the table are the same for every reader of the same reports
    # and query string and change only with a write (which bumps a report's
    # revision, and so the key) or the day: rendered once and cached, like the
    # obligation list. The page around them is drawn per request.
    query = request.META.get("QUERY_STRING", "")
    key = schedule_cache_key(
        request.user, query=query, today=today, language=translation.get_language()
    )

    def schedule_body():
        form, chosen, table = _schedule_of_request(request, today=today)
        return {
            "form": form,
            "table": table,
            "schedule": chosen,
            "today": today,
            "query": request.GET.urlencode(),
        }

    body = rendered_once(key, "tracker/_schedule_body.html", schedule_body)
    return render(request, "tracker/schedule.html", {"body": body})


def _schedule_of_request(request, *, today):
    """The filter form, the chosen schedule and its table (None without one)."""
    form = ScheduleFilterForm(request.GET or None)
    # The choices of the user's organization and below it.
    form.fields["report"].queryset = form.fields["report"].queryset.filter(
        pk__in=Report.objects.visible_to(request.user)
    )
    form.fields["department"].queryset = Department.objects.visible_to(
        request.user
    ).order_by("kind", "name")
    data = form.cleaned_data if form.is_valid() else {}
    # Only the reports the user sees: another organization's 调度表 is missing.
    schedules = (
        Schedule.objects.filter(report__in=Report.objects.visible_to(request.user))
        .select_related("report")
        .order_by("-report__year")
    )
    chosen = (
        schedules.filter(report=data["report"]).first()
        if data.get("report")
        else schedules.first()
    )
    table = (
        schedule_table(chosen, today=today, department=data.get("department"))
        if chosen
        else None
    )
    return form, chosen, table


@require_POST
def progress_report_file(request, pk):
    obligation = permissions.get_obligation_or_404(request, pk)
    user = request.user
    part = None
    part_pk = request.POST.get("part") or ""
    if part_pk.isdigit():
        part = (
            obligation.parts.select_related("department", "owner")
            .filter(pk=part_pk)
            .first()
        )
    allowed = (
        permissions.can_work_on_part(user, part)
        if part is not None
        else permissions.can_work_on(user, obligation)
    )
    if not allowed:
        raise PermissionDenied
    name = f"progress-part-{part.pk}" if part else "progress_report"
    auto_id = f"{name}-%s" if part else FORM_IDS["progress_report"]
    form = ProgressReportForm(request.POST, auto_id=auto_id)

    def write(data):
        if part_pk and part is None:
            raise ServiceError(gettext("This part belongs to another item."))
        return schedule_services.progress_report_file(
            obligation=obligation,
            user=user,
            part=part,
            progress=data["progress"],
            next_steps=data["next_steps"],
            difficulties=data["difficulties"],
        )

    def done(result):
        messages.success(request, gettext("Progress report filed."))

    return post_obligation_form(request, obligation, name, form, write, done)
