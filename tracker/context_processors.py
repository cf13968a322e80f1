import functools

from . import permissions, selectors


def navigation(request):
    """The signed-in user's role and unread notifications for the navigation bar.

    The role needs the user's groups, so the first page rendered in a request reads
    them with the unread count in one query. When something read the groups
    before (a permission check), the unread count is one COUNT when the template
    first reads it, so a page that does not show the header pays nothing more.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if permissions.group_names_known(user):
        unread = functools.cache(lambda: selectors.unread_notification_count(user))
    else:
        names, unread = selectors.group_names_and_unread_count(user)
        permissions.remember_group_names(user, names)
    return {
        "user_role": permissions.role_label(user),
        "can_view_notice_register": permissions.can_view_notice_register(user),
        "unread_notifications": unread,
    }
