"""/my/: each person's own work."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import (
    require_safe,
)

from .. import permissions
from ..models import (
    Obligation,
)
from ..selectors import worklists as worklists_selectors
from ..selectors.schedules import missing_progress_reports
from ..selectors.worklists import my_work_cache_key, reports_revisions, review_queue
from .dashboard import CSRF_SLOT, list_url, rendered_once, with_csrf_token


@require_safe
def my_work(request):
    """The obligations of the user's departments (and those they own), grouped by
    status, overdue first within each group; for supervisors, first their queue
    (what waits for review, returned work, overdue and escalated obligations,
    extension requests and unanswered notices). Each group shows its most urgent
    rows (``selectors.worklists.MY_WORK_GROUP_LIMIT``) and a link to all of it.

    The body is the user's own and changes only with a write to the reports it
    shows, the user's role or departments, the day or the language: rendered
    once and cached under ``selectors.worklists.my_work_cache_key``; the page
    around it (messages, the unread badge, the menu) is drawn for each request."""
    user = request.user
    today = timezone.localdate()
    # "N more" under a group shows the whole of it (?group=<status>).
    whole = request.GET.get("group")
    whole = whole if whole in Obligation.Status.values else None
    is_reviewer = permissions.can_review(user)
    key = my_work_cache_key(
        signature=permissions.user_cache_signature(user),
        reviewer=is_reviewer,
        revisions=reports_revisions(),
        today=today,
        language=translation.get_language(),
        whole=whole,
    )
    body = rendered_once(
        key,
        "tracker/_my_work_body.html",
        lambda: {
            **_my_work_context(user, today=today, whole=whole, is_reviewer=is_reviewer),
            "csrf_token": CSRF_SLOT,
        },
        request=request,
    )
    return render(
        request, "tracker/my_work.html", {"body": with_csrf_token(request, body)}
    )


def _my_work_context(user, *, today, whole, is_reviewer):
    work = worklists_selectors.my_work(user, today=today, whole=whole)
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
        "is_reviewer": is_reviewer,
        "today": today,
    }
    if is_reviewer:
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
    return context
