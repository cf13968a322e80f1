import functools

from . import permissions, selectors


def navigation(request):
    """The signed-in user's role and unread notifications for the navigation bar.

    The unread count is computed when the template first reads it (one COUNT), so
    a page that does not show the header pays nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_role": permissions.role_label(user),
        "can_view_notice_register": permissions.can_view_notice_register(user),
        "unread_notifications": functools.cache(
            lambda: selectors.unread_notification_count(user)
        ),
    }
