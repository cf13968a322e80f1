"""Authentication glue."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


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
