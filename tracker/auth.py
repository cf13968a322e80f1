"""Authentication glue."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import redirect
from django.urls import reverse


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


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with a second, higher limit per address.

    Axes counts failures per user name + address (``AXES_LOCKOUT_PARAMETERS``), so
    one address could otherwise try ``AXES_FAILURE_LIMIT`` passwords against every
    user name. Here the failures of an address over all user names are counted too,
    and reaching ``AXES_ADDRESS_FAILURE_LIMIT`` (0: never) locks the address for the
    cool-off time. Axes itself can add the address as a lockout parameter, but only
    under the same limit: five typing mistakes in an office behind one NAT address
    would then lock out everyone in it.

    A successful login still clears only its own user name + address pair, so an
    attacker who owns an account cannot reset the address's count by logging in.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        if limit and self.address_failures(request) >= limit:
            # Reported as the per-user limit reached: axes compares with that one.
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(
                attempt_time__gte=get_cool_off_threshold(request)
            )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


# Where an authentication backend leaves, on the request, why it refused someone
# whose password was right (tracker.directory: an organization unknown here) or
# whom it could not check: the login form says it instead of "wrong password".
LOGIN_REFUSAL = "tracker_login_refusal"


def refuse_login(request, message: str) -> None:
    if request is not None:
        setattr(request, LOGIN_REFUSAL, message)


def login_refusal(request):
    """Why a backend refused this request's login, or ``None``."""
    return getattr(request, LOGIN_REFUSAL, None)


# The session remembers, from login until the password is changed, that the user
# still has a temporary password: the check then costs no query per request.
MUST_CHANGE_PASSWORD = "must_change_password"
# Reachable with a temporary password: the page that replaces it, and the way out.
PASSWORD_CHANGE_EXEMPT_URLS = ("tracker:password_change", "logout", "set_language")


def remember_temporary_password(sender, request, user, **kwargs):
    """user_logged_in receiver: a user whose password an administrator set must
    change it first (one query, at login only)."""
    # Imported here: settings name this module (AXES_HANDLER), so it loads before
    # the models are ready.
    from .selectors.accounts import must_change_password

    if request is not None and must_change_password(user):
        request.session[MUST_CHANGE_PASSWORD] = True


class PasswordChangeRequiredMiddleware:
    """Sends a user with a temporary password to the password change page from
    every other page (and the admin), until they have chosen their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MUST_CHANGE_PASSWORD) and request.user.is_authenticated:
            exempt = {reverse(name) for name in PASSWORD_CHANGE_EXEMPT_URLS}
            if request.path_info not in exempt:
                return redirect("tracker:password_change")
        return self.get_response(request)
