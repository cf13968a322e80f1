"""The leaders' cockpit (/cockpit/): the state of the work on one printable page."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from .. import permissions
from ..models import Obligation
from ..selectors import cockpit as cockpit_selectors
from .dashboard import rendered_once


@require_safe
def cockpit(request):
    """Leaders, supervisors and admins (``permissions.can_view_cockpit``), over the
    reports still open; staff get 403."""
    user = request.user
    if not permissions.can_view_cockpit(user):
        raise PermissionDenied
    today = timezone.localdate()
    level = permissions.leader_level(user) if permissions.is_leader(user) else ""
    # The body is the same for every reader of the same reports and leader level
    # and changes only with a write (which bumps a report's revision, and so the
    # key) or the day: rendered once and cached, like the dashboard's figures. The
    # page around it (the user's name, role and unread count) is drawn per request.
    key = cockpit_selectors.cockpit_cache_key(
        user, leader_level=level, today=today, language=translation.get_language()
    )
    body = rendered_once(
        key,
        "tracker/_cockpit_body.html",
        lambda: _cockpit_body(user, level, today=today),
    )
    return render(request, "tracker/cockpit.html", {"body": body})


def _cockpit_body(user, level, *, today):
    """What tracker/_cockpit_body.html shows."""
    obligations = Obligation.objects.visible_to(user).of_open_reports()
    awaiting = cockpit_selectors.notices_awaiting_signature(obligations)
    for notice in awaiting:
        notice.yours = bool(level) and (
            permissions.NOTICE_LEADER_LEVELS.get(notice.level) == level
        )
    overview = cockpit_selectors.cockpit_overview(obligations, today=today)
    return {
        "today": today,
        "figures": overview.figures,
        "items": cockpit_selectors.red_and_yellow_items(obligations),
        "units": overview.units,
        "week": cockpit_selectors.changes_this_week(obligations, today=today),
        "awaiting_signature": awaiting,
        "open_instructions": cockpit_selectors.open_instructions(obligations),
    }
