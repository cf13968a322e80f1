"""/my/: each person's own work."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_safe,
)

from .. import permissions
from ..models import (
    Obligation,
)
from ..selectors import worklists as worklists_selectors
from ..selectors.schedules import missing_progress_reports
from ..selectors.worklists import review_queue
from .dashboard import list_url


@require_safe
def my_work(request):
    """The obligations of the user's departments (and those they own), grouped by
    status, overdue first within each group; for supervisors, first their queue
    (what waits for review, returned work, overdue and escalated obligations,
    extension requests and unanswered notices). Each group shows its most urgent
    rows (``selectors.worklists.MY_WORK_GROUP_LIMIT``) and a link to all of it."""
    user = request.user
    today = timezone.localdate()
    # "N more" under a group shows the whole of it (?group=<status>).
    whole = request.GET.get("group")
    work = worklists_selectors.my_work(
        user, today=today, whole=whole if whole in Obligation.Status.values else None
    )
    for part in work.parts:
        part.acknowledgeable = permissions.can_acknowledge_part_now(user, part)
    context = {
        "groups": work.groups,
        "total": work.total,
        "overdue_count": work.overdue,
        "departments": work.departments,
        "parts": work.parts,
        "parts_to_accept": work.parts_to_accept,
        "awaiting_signoff": work.awaiting_signoff,
        "progress_due": work.progress_due,
        "is_reviewer": permissions.can_review(user),
        "today": today,
    }
    if context["is_reviewer"]:
        context["queue"] = review_queue(
            Obligation.objects.visible_to(user), today=today
        )
        context["queue_urls"] = {
            "awaiting_review": list_url(status=Obligation.Status.SUBMITTED),
            "returned": list_url(status=Obligation.Status.RETURNED),
            "overdue": list_url(overdue="yes"),
            "pending_extensions": list_url(extension="pending"),
            "unanswered_notices": reverse("tracker:notice_register"),
            "schedule": reverse("tracker:schedule"),
        }
        context["progress_missing"] = missing_progress_reports(today=today)
    return render(request, "tracker/my_work.html", context)
