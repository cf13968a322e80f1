from . import permissions


def navigation(request):
    """The signed-in user's role for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_role": permissions.role_label(user),
        "can_view_notice_register": permissions.can_view_notice_register(user),
        "user_is_supervisor": permissions.is_supervisor(user)
        or permissions.is_admin(user),
    }
