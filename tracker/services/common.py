"""What every service shares: the refusals, the row lock and version check, and the
timeline entry and history row each write leaves.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    Obligation,
    ProgressUpdate,
    Report,
    display_name,
)
from ..recording import in_record_language
from ..text import clean_text
from .dashboard import report_invalidate_dashboard


class _Unset:
    def __repr__(self):
        return "UNSET"

    def __bool__(self):
        return False


# "Leave this field as it is" for obligation_assign, where None means "clear it".
UNSET = _Unset()


class ServiceError(Exception):
    """A domain refusal; ``str(error)`` is a translated, user-facing message."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


TOO_LONG = _("The text is too long: at most %(max)d characters.")


def typed_text(value, *, empty_message=None, max_length=None, too_long=TOO_LONG):
    """What a user typed, as it is stored: control characters removed, line breaks
    kept, the ends trimmed. Refused with ``empty_message`` when it is given and
    nothing is left, and with ``too_long`` beyond ``max_length`` characters."""
    text = clean_text(value or "", multiline=True).strip()
    if not text and empty_message is not None:
        raise ServiceError(empty_message)
    if max_length is not None and len(text) > max_length:
        raise ServiceError(too_long % {"max": max_length})
    return text


class StaleVersionError(ServiceError):
    """The obligation changed since the user loaded it.

    ``obligation`` is the current row; ``changes`` lists (author, when, text) of the
    timeline entries written since the version the user saw, oldest first.
    """

    def __init__(self, obligation, changes):
        self.obligation = obligation
        self.changes = changes
        if changes:
            who = ", ".join(
                sorted({display_name(author) for author, _w, _t in changes})
            )
            message = _(
                "This obligation was changed by %(who)s while you were editing it; "
                "nothing was saved. Check the changes below and try again."
            ) % {"who": who}
        else:
            message = _(
                "This obligation was changed by someone else while you were editing "
                "it; nothing was saved. Reload the page and try again."
            )
        super().__init__(message)

    def change_lines(self):
        """Each change as one line, "who · when: what", for plain-text messages."""
        return [
            f"{display_name(who)} · {timezone.localtime(when):%Y-%m-%d %H:%M}: {text}"
            for who, when, text in self.changes
        ]


class ReportClosedError(ServiceError):
    """The obligation's report is closed: nothing of it may change."""

    def __init__(self, report):
        self.report = report
        super().__init__(
            _(
                "“%(report)s” was closed on %(date)s by %(who)s, so its obligations "
                "are read-only and nothing was saved. A supervisor can reopen the "
                "report, giving a reason."
            )
            % {
                "report": report.title,
                "date": timezone.localtime(report.closed_at).strftime("%Y-%m-%d"),
                "who": display_name(report.closed_by),
            }
        )


def refuse_if_closed(report_id):
    """ReportClosedError when the report is closed (``permissions.is_writable``).

    Read in a query of its own, after the caller locked the obligation row:
    ``report_close`` locks every obligation of the report before it closes it, so
    a write either finishes before the close or reads it here once committed."""
    report = Report.objects.select_related("closed_by").get(pk=report_id)
    if not permissions.is_writable(report):
        raise ReportClosedError(report)


class CarriedOverError(ServiceError):
    """The obligation was carried over into the next report (结转): it is closed
    here, and the work goes on in its successor."""

    def __init__(self, obligation):
        successor = obligation.carried_into
        super().__init__(
            _(
                "This item was carried over (结转) into the %(year)d report as "
                "%(code)s, so it is read-only here and nothing was saved: work on "
                "it there."
            )
            % {"year": successor.report.year, "code": successor.code}
        )


def refuse_if_carried(obligation):
    """CarriedOverError when ``obligation`` was carried over (its row read under
    the caller's lock: a carry-over holds the same lock)."""
    if obligation.carried_into_id is not None:
        raise CarriedOverError(obligation)


def lock_open_obligation(obligation):
    """The obligation's row lock, for writes without a version to check (notes,
    evidence, replies), then the refusal when its report is closed."""
    current = Obligation.objects.select_for_update(of=("self",)).get(pk=obligation.pk)
    refuse_if_closed(current.report_id)
    refuse_if_carried(current)
    return current


def parse_version(version) -> int | None:
    """The version a form carried (``None``: no check), or ``ServiceError``."""
    if version is None:
        return None
    try:
        return int(version)
    except (TypeError, ValueError):
        raise ServiceError(_("The version is not a number.")) from None


def lock_obligation(obligation, *, version):
    """Re-read the obligation under a row lock and check the version the user saw.

    Why a lock and a plain ``save()`` rather than a conditional
    ``UPDATE ... WHERE version = v``: ``QuerySet.update()`` bypasses
    django-simple-history, so the history row (with the user) would have to be faked
    by hand. ``select_for_update()`` makes a concurrent writer on PostgreSQL wait
    until we commit and then read the new version; on SQLite it is a no-op, but the
    IMMEDIATE transaction mode in settings takes the database write lock at BEGIN, so
    writers are serialised there too. Either way the version compared below is the
    committed one, and ``save()`` writes the history row through the normal path.
    """
    version = parse_version(version)
    current = (
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # joins that select_related adds; only the obligation row needs the lock.
        Obligation.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=obligation.pk)
    )
    if version is not None and version != current.version:
        raise StaleVersionError(current, _changes_since(current, version))
    refuse_if_closed(current.report_id)
    refuse_if_carried(current)
    return current


def _changes_since(obligation, version):
    """Timeline entries written after the obligation left ``version``."""
    newer = obligation.history.filter(version__gt=version).order_by("history_date")
    first = newer.values_list("history_date", flat=True).first()
    if first is None:
        return []
    updates = (
        obligation.updates.filter(created_at__gte=first)
        .select_related("author", "evidence")
        .order_by("created_at", "pk")
    )
    return [(u.author, u.created_at, describe_update(u)) for u in updates]


def describe_update(update):
    """One line saying what a timeline entry changed, for messages."""
    if update.action == ProgressUpdate.Action.STATUS:
        old = Obligation.Status(update.from_status).label
        new = Obligation.Status(update.to_status).label
        head = f"{old} → {new}"
        return f"{head}: {update.text}" if update.text else head
    return update.text or update.get_action_display()


def save_recorded(instance, *, user, reason, update_fields=None):
    """Save ``instance`` so that its history row names ``user`` and gives ``reason``
    in the record language (``_recorded``), cut to the column's 100 characters."""
    instance._history_user = user
    instance._change_reason = in_record_language(reason)[:100]
    instance.save(update_fields=update_fields)


def save_versioned(instance, *, user, reason):
    """Bump the version (of an obligation or a part) and save with the user and
    reason in the history."""
    instance.version += 1
    save_recorded(instance, user=user, reason=reason)


def sync_saved(stale, current):
    # Callers keep using the instance they passed in (an obligation, a part, a
    # follow-up...); give it the values saved on the locked copy.
    if stale is not current:
        for field in type(current)._meta.concrete_fields:
            setattr(stale, field.attname, getattr(current, field.attname))


def refuse_unless(allowed):
    if not allowed:
        raise PermissionDenied(gettext("You are not allowed to do this."))


def refuse_other_organization(obligation, department):
    """A unit of another organization never takes a county's item: the forms
    offer the item's own organization's units, and a crafted POST naming another
    one is refused here with nothing written."""
    report = Report.objects.only("organization_unit").get(pk=obligation.report_id)
    if (
        department is not None
        and report.organization_unit_id is not None
        and department.organization_id != report.organization_unit_id
    ):
        raise ServiceError(
            gettext("%(name)s is not a unit of %(organization)s.")
            % {"name": department.name, "organization": report.organization}
        )


def log_action(obligation, *, user, action, text="", **fields) -> ProgressUpdate:
    """Write one timeline entry: the only place that creates a ``ProgressUpdate``.

    ``fields`` carries what some actions add (``from_status``/``to_status``,
    ``evidence``). ``text`` is stored as given: callers pass the user's own words
    or a line already in the record language (``_recorded``/``_change_line``).
    Every entry is a change the dashboard shows (its latest updates at least), so
    the report's cached figures are invalidated here, in the same transaction.
    """
    update = ProgressUpdate.objects.create(
        obligation=obligation, author=user, action=action, text=text, **fields
    )
    report_invalidate_dashboard(report_id=obligation.report_id)
    return update


# The account that signs what the system does by itself (the escalation rules of
# the daily reminders). Shown as 系统 on the timeline; it can never log in.
SYSTEM_USERNAME = "system"
SYSTEM_NAME = "系统"


def system_user():
    """The system account (created by migration 0006_supervision_defaults; again
    here if a test or a flush removed it): inactive, with an unusable password."""
    user, _created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "first_name": SYSTEM_NAME,
            "is_active": False,
            "password": make_password(None),
        },
    )
    if user.has_usable_password() or user.is_active:
        # Someone activated it or gave it a password in the admin: undo that.
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return user


def obligation_check_version(*, obligation, version) -> None:
    """Raise ``StaleVersionError`` if the obligation moved past ``version``.

    For refusing a whole form before any write (the admin's change form); it takes
    no lock, so every write still passes ``version`` to its service, which checks
    again under the row lock.
    """
    version = parse_version(version)
    current = Obligation.objects.get(pk=obligation.pk)
    if version is not None and version != current.version:
        raise StaleVersionError(current, _changes_since(current, version))
