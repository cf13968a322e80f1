"""Authentication glue."""


def axes_username(request, credentials):
    """The user name django-axes counts failures against.

    Folded to lower case and stripped so that "Admin", " admin" and "ADMIN" share
    one failure counter and cannot be used to bypass the lockout.
    """
    credentials = credentials or {}
    username = credentials.get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return (username or "").strip().casefold()
