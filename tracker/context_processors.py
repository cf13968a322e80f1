import functools

from . import permissions
from .selectors.inbox import group_names_and_unread_count, unread_notification_count


def navigation(request):
    """The signed-in user's role and unread notifications for the navigation bar.

    Each is read when a template first asks for it, so a page that does not show
    the header (the admin) pays nothing. The role needs the user's groups and the
    badge the unread count: unless something read the groups before (a permission
    check), the first of them reads both in one query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def unread_notifications():
        if permissions.group_names_known(user):
            return unread_notification_count(user)
        names, count = group_names_and_unread_count(user)
        permissions.remember_group_names(user, names)
        return count

    def with_groups(check):
        @functools.cache
        def lazy():
            if not permissions.group_names_known(user):
                unread_notifications()
            return check(user)

        return lazy

    return {
        "user_role": with_groups(permissions.role_label),
        "can_view_notice_register": with_groups(permissions.can_view_notice_register),
        "can_view_cockpit": with_groups(permissions.can_view_cockpit),
        "unread_notifications": unread_notifications,
    }
