"""调度: filing an item's (or a part's) progress report for the current period."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import Obligation, ProgressReport, ProgressUpdate, Schedule
from ..recording import record_text
from .common import (
    ServiceError,
    lock_open_obligation,
    log_action,
    refuse_unless,
    save_recorded,
    typed_text,
)
from .dashboard import report_invalidate_dashboard


def active_schedule(report_id):
    return Schedule.objects.filter(report_id=report_id, is_active=True).first()


@transaction.atomic
def progress_report_file(
    *,
    obligation,
    user,
    progress: str,
    next_steps: str = "",
    difficulties: str = "",
    part=None,
) -> ProgressReport:
    """File 进展情况 / 下一步 / 存在困难 for the period today falls in: once per
    item (or part) and period, on time when filed by the period's due day."""
    if part is not None:
        refuse_unless(
            part.obligation_id == obligation.pk
            and permissions.can_work_on_part(user, part)
        )
    else:
        refuse_unless(permissions.can_work_on(user, obligation))
    progress = typed_text(
        progress, empty_message=_("Describe the progress (进展情况).")
    )
    next_steps = typed_text(next_steps)
    difficulties = typed_text(difficulties)
    current = lock_open_obligation(obligation)
    schedule = active_schedule(current.report_id)
    today = timezone.localdate()
    period = schedule.current_period(today) if schedule else None
    if period is None:
        raise ServiceError(_("This report has no progress reports scheduled now."))
    if part is not None and part.is_settled:
        raise ServiceError(_("This part is already accepted or waived."))
    if part is None and current.status == Obligation.Status.DONE:
        raise ServiceError(_("This item is done; it files no more progress reports."))
    existing = ProgressReport.objects.filter(obligation=current, period=period.start)
    existing = existing.filter(part=part) if part is not None else existing.of_item()
    if existing.exists():
        raise ServiceError(
            _("The progress report for %(period)s has already been filed.")
            % {"period": period.label}
        )
    report = ProgressReport(
        obligation=current,
        part=part,
        period=period.start,
        progress=progress,
        next_steps=next_steps,
        difficulties=difficulties,
        filed_by=user,
        on_time=today <= period.due,
    )
    save_recorded(report, user=user, reason=_("Progress report filed"))
    lines = [
        record_text(_("Progress report for %(period)s"), period=period.label),
        record_text(_("Progress: %(text)s"), text=progress),
    ]
    if next_steps:
        lines.append(record_text(_("Next steps: %(text)s"), text=next_steps))
    if difficulties:
        lines.append(record_text(_("Difficulties: %(text)s"), text=difficulties))
    if not report.on_time:
        lines.append(record_text(_("Filed late (due %(due)s)."), due=period.due))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.PROGRESS_REPORT,
        part=part,
        text="\n".join(lines),
    )
    return report


@transaction.atomic
def schedule_save(*, schedule: Schedule, user) -> Schedule:
    """Set a report's schedule of progress reports (the admin's form): only
    admins, with a history row naming them."""
    refuse_unless(permissions.is_admin(user))
    if not 1 <= schedule.day <= 28:
        raise ServiceError(_("The due day is between 1 and 28."))
    save_recorded(schedule, user=user, reason=_("Progress report schedule set"))
    # What is owed per period changes with it: /my/'s 调度 list, the
    # supervisors' count of unfiled reports, the obligation pages' period
    # (selectors.obligations.obligation_page_cache_key) and the 调度表
    # (selectors.schedules.schedule_cache_key) are cached on the report's revision.
    report_invalidate_dashboard(report_id=schedule.report_id)
    return schedule
