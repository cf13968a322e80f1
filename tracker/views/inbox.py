"""The inbox and each person's notification preferences."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from .. import permissions
from ..forms import (
    NotificationPreferenceForm,
)
from ..notifications.audience import email_enabled
from ..selectors.inbox import notification_email_mode, notifications_for
from ..services import inbox as inbox_services
from ..services.inbox import notification_preference_set, notification_read
from .obligation_page import focus_first_error

NOTIFICATIONS_PER_PAGE = 25


@require_safe
def notification_list(request):
    """The user's inbox, newest first, unread ones marked, 25 a page."""
    paginator = Paginator(notifications_for(request.user), NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "tracker/notification_list.html", {"page": page})


@require_safe
def notification_open(request, pk):
    """Opening a notification marks it read and leads to what it is about."""
    notification = permissions.get_notification_or_404(request, pk)
    notification_read(notification=notification, user=request.user)
    if notification.obligation is not None:
        return redirect(notification.obligation)
    if notification.organization_supervision_id is not None:
        return redirect(
            "tracker:organization_supervision_detail",
            notification.organization_supervision_id,
        )
    return redirect("tracker:notification_list")


@require_POST
def notification_read_all(request):
    count = inbox_services.notification_read_all(user=request.user)
    if count:
        messages.success(request, gettext("All notifications marked as read."))
    return redirect("tracker:notification_list")


@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request):
    """Every event by email, a daily digest, or the inbox only. Without a mail
    server or an email address there is nothing to choose, and the page says why."""
    user = request.user
    can_email = email_enabled() and bool(user.email)
    status = 200
    if request.method == "POST" and can_email:
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            notification_preference_set(user=user, email=form.cleaned_data["email"])
            messages.success(request, gettext("Your notification settings are saved."))
            return redirect("tracker:notification_preferences")
        status = 400
    else:
        if request.method == "POST":
            status = 400
        form = NotificationPreferenceForm(
            initial={"email": notification_email_mode(user)}
        )
    context = {
        "form": form,
        "refused_anchor": focus_first_error(form, "preferences"),
        "can_email": can_email,
        "email_enabled": email_enabled(),
    }
    return render(
        request, "tracker/notification_preferences.html", context, status=status
    )
