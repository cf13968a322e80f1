"""The working-day calendar: the holidays of a year entered from the State Council's
notice (or the law's fixed holidays), after the admin confirmed them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Holiday
from .dashboard import reports_invalidate_dashboards


@transaction.atomic
def holidays_import(*, user, days) -> tuple[int, int]:
    """Write ``days`` (``holiday_notice.ProposedDay``) into the ``Holiday`` table:
    a day already there takes the notice's word. Returns (created, updated).
    Every dashboard's countdowns change with the calendar: their cache is
    invalidated in the same transaction."""
    if not (
        user.has_perm("tracker.add_holiday") and user.has_perm("tracker.change_holiday")
    ):
        raise PermissionDenied
    created = updated = 0
    for proposed in days:
        _row, was_created = Holiday.objects.update_or_create(
            date=proposed.day,
            defaults={"is_workday": proposed.is_workday, "name": proposed.name[:50]},
        )
        created += was_created
        updated += not was_created
    reports_invalidate_dashboards()
    return created, updated
