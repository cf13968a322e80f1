"""A report's year: closing and reopening it, recording its archive."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Obligation,
    Report,
    ReportEvent,
)
from .common import ServiceError, refuse_unless, sync_saved, system_user
from .dashboard import report_invalidate_dashboard


def _lock_report(report):
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_close(*, report, user, reason: str) -> Report:
    """Close a report (年终归档): from now on nothing of it changes, for anyone,
    until a supervisor reopens it. Recorded in the report's log (``ReportEvent``)
    with who, when and the reason, which is required: the page shows what is
    still open first (``selectors.reports.report_open_summary``), and closing over
    open work must say why. The closed report's items leave every queue and
    reminder (they read ``open_work_q`` or ``of_open_reports``).

    Every obligation of the report is locked first, so a write already under way
    on one of them commits before the report closes, and one that starts later
    reads the close (``_refuse_if_closed``)."""
    refuse_unless(permissions.can_close_report(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required to close a report; it stays open."))
    current = _lock_report(report)
    if current.is_closed:
        raise ServiceError(
            _("“%(report)s” is already closed.") % {"report": current.title}
        )
    list(
        Obligation.objects.select_for_update()
        .filter(report=current)
        .values_list("pk", flat=True)
    )
    current.closed_at = timezone.now()
    current.closed_by = user
    current.save(update_fields=["closed_at", "closed_by"])
    # After the obligation rows, as report_invalidate_dashboard asks.
    report_invalidate_dashboard(report_id=current.pk)
    ReportEvent.objects.create(
        report=current,
        action=ReportEvent.Action.CLOSED,
        user=user,
        created_at=current.closed_at,
        reason=reason,
    )
    sync_saved(report, current)
    return current


@transaction.atomic
def report_reopen(*, report, user, reason: str) -> Report:
    """Reopen a closed report, with a reason (recorded in its log): its
    obligations can change again."""
    refuse_unless(permissions.can_close_report(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required to reopen a report."))
    current = _lock_report(report)
    if not current.is_closed:
        raise ServiceError(_("“%(report)s” is not closed.") % {"report": current.title})
    current.closed_at = None
    current.closed_by = None
    current.save(update_fields=["closed_at", "closed_by"])
    report_invalidate_dashboard(report_id=current.pk)
    ReportEvent.objects.create(
        report=current, action=ReportEvent.Action.REOPENED, user=user, reason=reason
    )
    sync_saved(report, current)
    return current


@transaction.atomic
def report_archived(*, report, user, note: str) -> ReportEvent:
    """Record in the report's log that an archive of it was made (by
    ``tracker.archive``): who, when, and ``note`` (the manifest's digest, the
    number of files and any missing)."""
    refuse_unless(user.pk == system_user().pk or permissions.can_archive_report(user))
    event = ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.ARCHIVED, user=user, reason=note
    )
    # The report page's log is cached per the report's revision.
    report_invalidate_dashboard(report_id=report.pk)
    return event
