"""The leaders' cockpit (/cockpit/): the state of the work on one printable page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import permissions
from ..models import Obligation
from ..selectors import cockpit as cockpit_selectors


@require_safe
def cockpit(request):
    """Leaders, supervisors and admins (``permissions.can_view_cockpit``), over the
    reports still open; staff get 403."""
    user = request.user
    if not permissions.can_view_cockpit(user):
        raise PermissionDenied
    today = timezone.localdate()
    obligations = Obligation.objects.visible_to(user).of_open_reports()
    awaiting = cockpit_selectors.notices_awaiting_signature(obligations)
    level = permissions.leader_level(user) if permissions.is_leader(user) else ""
    for notice in awaiting:
        notice.yours = bool(level) and (
            permissions.NOTICE_LEADER_LEVELS.get(notice.level) == level
        )
    return render(
        request,
        "tracker/cockpit.html",
        {
            "today": today,
            "figures": cockpit_selectors.cockpit_figures(obligations, today=today),
            "items": cockpit_selectors.red_and_yellow_items(obligations),
            "units": cockpit_selectors.units_at_risk(obligations, today=today),
            "week": cockpit_selectors.changes_this_week(obligations),
            "awaiting_signature": awaiting,
            "open_instructions": cockpit_selectors.open_instructions(obligations),
        },
    )
