import functools

from . import permissions
from .selectors.inbox import unread_notification_count


def navigation(request):
    """The signed-in user's role and unread notifications for the navigation bar.

    Each is read when a template first asks for it, so a page that does not show
    the header (the admin) pays nothing. The role, the organization and the badge
    come from one query (``permissions`` reads them together, often before the
    template asks). A request that may have written (a POST drawing its form
    again) counts the unread notifications anew at the end: it may have read some.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def unread_notifications():
        if request.method not in ("GET", "HEAD"):
            return unread_notification_count(user)
        return permissions.unread_count_read_with_roles(user)

    def with_groups(check):
        @functools.cache
        def lazy():
            return check(user)

        return lazy

    return {
        "user_role": with_groups(permissions.role_label),
        "can_view_notice_register": with_groups(permissions.can_view_notice_register),
        "can_view_cockpit": with_groups(permissions.can_view_cockpit),
        "unread_notifications": unread_notifications,
    }
