"""Every write to the domain goes through a function here.

Each service checks who may act (``PermissionDenied``), checks the domain rules
(``ServiceError`` with a translated message, nothing changed), and writes in one
transaction the change, a ``ProgressUpdate`` for the human timeline and a
django-simple-history row carrying the acting user.
"""

import dataclasses
import secrets
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

# As in every tracker module, ``_`` is the lazy gettext: labels and messages become
# text when used, in the reader's language or the record's (``_recorded``).
from django.utils.translation import gettext_lazy as _

from . import notifications, permissions, selectors, workdays
from .evidence_files import EvidenceFileError, validate_evidence_file
from .models import (
    AccountProfile,
    AssessmentWeights,
    Department,
    Evidence,
    ExtensionRequest,
    FollowUp,
    FollowUpRejection,
    ImportDraft,
    NoticeCounter,
    Notification,
    NotificationPreference,
    Obligation,
    OutboundMessage,
    ProgressUpdate,
    Report,
    ReportEvent,
    ReportRevision,
    Section,
    StatusSnapshot,
    SupervisionNotice,
    display_name,
)
from .text import clean_text


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


def _refuse_if_closed(report_id):
    """ReportClosedError when the report is closed (``permissions.is_writable``).

    Read in a query of its own, after the caller locked the obligation row:
    ``report_close`` locks every obligation of the report before it closes it, so
    a write either finishes before the close or reads it here once committed."""
    report = Report.objects.select_related("closed_by").get(pk=report_id)
    if not permissions.is_writable(report):
        raise ReportClosedError(report)


def _lock_open(obligation):
    """The obligation's row lock, for writes without a version to check (notes,
    evidence, replies), then the refusal when its report is closed."""
    current = Obligation.objects.select_for_update(of=("self",)).get(pk=obligation.pk)
    _refuse_if_closed(current.report_id)
    return current


def _display(value):
    if value in (None, ""):
        return "—"
    if isinstance(value, AbstractBaseUser):
        # People are known by name in the timeline, not by login.
        return display_name(value)
    return str(value)


def _recorded(message):
    """``message`` in the organisation's language (settings.LANGUAGE_CODE).

    Timeline and history texts are an official record that other people read later,
    so they are written in the report's language, not in the language of whoever's
    browser made the change.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


def _change_line(label, old, new):
    """ "Label: old → new" for the timeline, in the organisation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{label}: {_display(old)} → {_display(new)}"


# --- Obligations ------------------------------------------------------------------


def _lock(obligation, *, version):
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
    if version is not None:
        try:
            version = int(version)
        except (TypeError, ValueError):
            raise ServiceError(_("The version is not a number.")) from None
    current = (
        # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer
        # joins that select_related adds; only the obligation row needs the lock.
        Obligation.objects.select_for_update(of=("self",))
        .select_related("department", "owner")
        .get(pk=obligation.pk)
    )
    if version is not None and version != current.version:
        raise StaleVersionError(current, _changes_since(current, version))
    _refuse_if_closed(current.report_id)
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


def _save_recorded(instance, *, user, reason, update_fields=None):
    """Save ``instance`` so that its history row names ``user`` and gives ``reason``
    in the record language (``_recorded``), cut to the column's 100 characters."""
    instance._history_user = user
    instance._change_reason = _recorded(reason)[:100]
    instance.save(update_fields=update_fields)


def _save(obligation, *, user, reason):
    """Bump the version and save with the user and reason in the history."""
    obligation.version += 1
    _save_recorded(obligation, user=user, reason=reason)


def _sync(stale, current):
    # Callers keep using the instance they passed in; give it the saved values.
    if stale is not current:
        for field in type(current)._meta.concrete_fields:
            setattr(stale, field.attname, getattr(current, field.attname))


def _refuse_unless(allowed):
    if not allowed:
        raise PermissionDenied(gettext("You are not allowed to do this."))


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


# --- The dashboard's cached figures --------------------------------------------------


def report_invalidate_dashboard(*, report_id: int) -> None:
    """Bump the report's ``ReportRevision``: the dashboard's cached figures of the
    report are keyed on it (``selectors.dashboard_cache_key``), so the next request
    computes them anew. The one invalidation of the dashboard: every write that
    changes what it shows calls it (``log_action`` does, for every write that
    leaves a timeline entry; an import, a report's close and reopen and the
    admin's edits of names and calendars call it themselves).

    In the caller's transaction, so the new number and the change become visible
    together: a reader that sees the new number also sees the change. The row stays
    locked until the commit, so call it after the obligation rows the transaction
    locks (``log_action`` comes after them); a transaction that writes several
    obligations locks them all first (``ObligationAdmin._apply_to_each``). One
    statement, an upsert: the row is created by the first write to the report."""
    table = ReportRevision._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (report_id, number) VALUES (%s, 1) "
            f"ON CONFLICT (report_id) DO UPDATE SET number = {table}.number + 1",
            [report_id],
        )


def reports_invalidate_dashboards() -> None:
    """Invalidate every report's dashboard: after an edit of what all of them show
    (a department's or a person's name, the working-day calendar). Rare: admin
    edits only."""
    for report_id in Report.objects.values_list("pk", flat=True):
        report_invalidate_dashboard(report_id=report_id)


# 考评意见: room for a real explanation; a pasted document is refused.
RATING_COMMENT_MAX_LENGTH = 2000
# The ratings that must say why (一般, 较差).
RATINGS_NEEDING_COMMENT = (Obligation.Rating.FAIR, Obligation.Rating.POOR)


def _check_rating(transition, *, rating, comment):
    """Refuse a rating where the transition takes none, and an approval whose
    rating is missing, unknown, unexplained (fair, poor) or explained at length."""
    if not transition.rating_required:
        if rating or comment:
            raise ServiceError(
                _(
                    "A rating is given only when approving; nothing was saved. "
                    "Clear the rating to do this."
                )
            )
        return
    if not rating:
        raise ServiceError(
            _("Rate the result (excellent, good, fair or poor) to approve it.")
        )
    if rating not in Obligation.Rating.values:
        raise ServiceError(_("Unknown rating: %(rating)s.") % {"rating": rating})
    if len(comment) > RATING_COMMENT_MAX_LENGTH:
        raise ServiceError(
            _(
                "The rating comment is too long: at most %(max)d characters "
                "(it has %(length)d)."
            )
            % {"max": RATING_COMMENT_MAX_LENGTH, "length": len(comment)}
        )
    if rating in RATINGS_NEEDING_COMMENT and not comment:
        raise ServiceError(
            _("Say in the rating comment why the result is “%(rating)s”.")
            % {"rating": Obligation.Rating(rating).label}
        )


def rating_record(rating, comment=""):
    """The lines an approval adds to its timeline entry, in the record language."""
    lines = [
        _record_text(_("Rating: %(rating)s"), rating=Obligation.Rating(rating).label)
    ]
    if comment:
        lines.append(_record_text(_("Rating comment: %(comment)s"), comment=comment))
    return "\n".join(lines)


@transaction.atomic
def obligation_transition(
    *,
    obligation,
    user,
    to_status: str,
    note: str = "",
    version: int | None = None,
    rating: str = "",
    rating_comment: str = "",
) -> Obligation:
    """Move an obligation along the allowed-transitions table
    (``permissions.TRANSITIONS``): start, submit for review, approve, return, reopen.

    Approving rates the result (``rating``, with ``rating_comment``, required for
    fair and poor); no other transition takes a rating. Leaving "done" (reopening)
    clears the rating: the history keeps it and the timeline says so.
    """
    note = (note or "").strip()
    rating = rating or ""
    rating_comment = clean_text(rating_comment or "", multiline=True).strip()
    if to_status not in Obligation.Status.values:
        raise ServiceError(_("Unknown status: %(status)s.") % {"status": to_status})
    current = _lock(obligation, version=version)
    from_status = current.status
    transition = permissions.TRANSITIONS.get((from_status, to_status))
    if transition is None:
        # Someone with no role on this obligation gets a 403 whatever they ask for.
        _refuse_unless(
            permissions.can_work_on(user, current) or permissions.can_review(user)
        )
        raise ServiceError(
            _("An obligation that is “%(from)s” cannot be moved to “%(to)s”.")
            % {
                "from": Obligation.Status(from_status).label,
                "to": Obligation.Status(to_status).label,
            }
        )
    _refuse_unless(transition.may(user, current))
    _check_rating(transition, rating=rating, comment=rating_comment)
    if transition.note_required and not note:
        if to_status == Obligation.Status.SUBMITTED:
            raise ServiceError(_("Describe what was done when submitting for review."))
        raise ServiceError(_("A reason is required."))
    if (
        transition.evidence_required
        and not current.evidence.filter(withdrawn_at__isnull=True).exists()
    ):
        raise ServiceError(
            _("Upload at least one piece of evidence before submitting for review.")
        )
    if transition.rework_required and not ProgressUpdate.objects.reworked_since_return(
        current
    ):
        raise ServiceError(
            _(
                "Post a progress note or upload evidence about the rework before "
                "resubmitting."
            )
        )
    # Whoever starts an obligation nobody is responsible for takes it on, if they
    # may be its responsible person (a member of its department).
    takes_it_on = (
        to_status == Obligation.Status.IN_PROGRESS
        and from_status in (Obligation.Status.NOT_STARTED, Obligation.Status.RETURNED)
        and current.owner_id is None
        and permissions.is_department_member(user, current)
    )

    text = note
    if transition.rating_required:
        text = "\n".join(filter(None, [note, rating_record(rating, rating_comment)]))
    elif from_status == Obligation.Status.DONE and current.rating:
        cleared = _record_text(
            _("The rating “%(rating)s” is cleared (the history keeps it)."),
            rating=Obligation.Rating(current.rating).label,
        )
        text = "\n".join(filter(None, [note, cleared]))

    current.status = to_status
    current.status_changed_at = timezone.now()
    if transition.rating_required or from_status == Obligation.Status.DONE:
        current.rating = rating
        current.rating_comment = rating_comment
    if takes_it_on:
        current.owner = user
    _save(current, user=user, reason=transition.label)
    if takes_it_on:
        # Before the status entry, so the timeline (newest first) leads with the
        # status change.
        label = capfirst(Obligation._meta.get_field("owner").verbose_name)
        log_action(
            current,
            user=user,
            action=ProgressUpdate.Action.ASSIGN,
            text=_change_line(label, None, user)
            + "\n"
            + _recorded(_("Started the work and took it on.")),
        )
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.STATUS,
        text=text,
        from_status=from_status,
        to_status=to_status,
    )
    _announce_transition(
        current,
        user=user,
        to_status=to_status,
        note=note,
        rating=rating if transition.rating_required else "",
        rating_comment=rating_comment if transition.rating_required else "",
    )
    _sync(obligation, current)
    return current


@transaction.atomic
def obligation_assign(
    *,
    obligation,
    user,
    department=UNSET,
    owner=UNSET,
    due_date=UNSET,
    limit_workdays: int | None = None,
    past_allowed: bool = False,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Set the responsible department, person and/or due date.

    ``UNSET`` leaves a field alone, ``None`` clears it. Each changed field gets its
    own timeline entry ("Due date: — → 2023-06-30"); nothing changed writes nothing.
    ``limit_workdays`` (限时办结) sets the due date that many working days after
    today instead; the timeline gives both. A new due date may not be in the past,
    unless ``past_allowed`` (code writing history, such as the demo data; no form
    passes it).
    """
    _refuse_unless(permissions.can_assign(user))
    note = (note or "").strip()
    if department not in (UNSET, None) and not isinstance(department, Department):
        raise ServiceError(_("Choose a department."))
    current = _lock(obligation, version=version)
    today = timezone.localdate()
    if limit_workdays is not None:
        if due_date not in (UNSET, None, current.due_date):
            raise ServiceError(
                _("Give a due date or a limit in working days, not both.")
            )
        if not 1 <= limit_workdays <= workdays.MAX_LIMIT_WORKDAYS:
            raise ServiceError(
                _("A limit is between 1 and %(max)d working days.")
                % {"max": workdays.MAX_LIMIT_WORKDAYS}
            )
        due_date = workdays.add_workdays(today, limit_workdays)
    if due_date not in (UNSET, None) and due_date != current.due_date:
        if due_date < today and not past_allowed:
            raise ServiceError(
                _("The due date %(date)s is in the past.")
                % {"date": due_date.isoformat()}
            )
    reassigned = department is not UNSET and department != current.department
    requested = {"department": department, "owner": owner, "due_date": due_date}
    changes = []
    changed = set()
    for name in Obligation.ASSIGNABLE_FIELDS:
        new = requested[name]
        if new is UNSET:
            continue
        old = getattr(current, name)
        if old == new:
            continue
        if (
            name in ("department", "owner")
            and new is not None
            # The stored flag: the caller's instance may predate a deactivation.
            and not type(new).objects.filter(pk=new.pk, is_active=True).exists()
        ):
            raise ServiceError(
                _("“%(name)s” is deactivated and cannot be assigned.")
                % {"name": _display(new)}
            )
        label = capfirst(Obligation._meta.get_field(name).verbose_name)
        if name == "due_date" and limit_workdays is not None:
            # The record keeps the limit as given, next to the date it gave.
            with translation.override(settings.LANGUAGE_CODE):
                new_shown = ngettext(
                    "%(date)s (%(count)d working day)",
                    "%(date)s (%(count)d working days)",
                    limit_workdays,
                ) % {"date": new.isoformat(), "count": limit_workdays}
            changes.append((label, old, new_shown))
        else:
            changes.append((label, old, new))
        changed.add(name)
        setattr(current, name, new)
    if not changes:
        _sync(obligation, current)
        return current
    if changed & {"department", "owner"}:
        _refuse_owner_outside_department(current)

    if reassigned:
        # A newly responsible department acknowledges (签收) the obligation itself;
        # the previous department's acknowledgement does not carry over.
        current.department_assigned_at = timezone.now() if department else None
        current.acknowledged_at = None
        current.acknowledged_by = None
    _save(current, user=user, reason=_recorded(_("Assignment")))
    for label, old, new in changes:
        text = _change_line(label, old, new)
        if note:
            text = f"{text}\n{note}"
        log_action(current, user=user, action=ProgressUpdate.Action.ASSIGN, text=text)
    _announce_assignment(current, user=user, changed=changed, changes=changes)
    _sync(obligation, current)
    return current


def _refuse_owner_outside_department(obligation):
    """The responsible person answers for the responsible department's work, so
    they must be one of its members: not another department's staff, not an
    admin. Checked whenever either of the two changes, on the values the
    assignment would leave."""
    owner, department = obligation.owner, obligation.department
    if owner is None:
        return
    if department is None:
        raise ServiceError(
            _("Choose a responsible department before a responsible person.")
        )
    if not department.members.filter(pk=owner.pk).exists():
        raise ServiceError(
            _(
                "%(person)s is not a member of %(department)s; choose one of its "
                "members as the responsible person."
            )
            % {"person": _display(owner), "department": department.name}
        )


# Supervision levels from mildest to strictest. Raising an obligation to one of
# NOTICE_LEVELS issues a numbered supervision notice (督办单); lowering never does.
_LEVEL_RANK = {level: rank for rank, level in enumerate(Obligation.SupervisionLevel)}
NOTICE_LEVELS = (Obligation.SupervisionLevel.YELLOW, Obligation.SupervisionLevel.RED)
# Working days the department has to reply to a notice.
NOTICE_REPLY_WORKDAYS = 5


def is_raise(old, new):
    return (
        _LEVEL_RANK[Obligation.SupervisionLevel(new)]
        > _LEVEL_RANK[Obligation.SupervisionLevel(old)]
    )


@transaction.atomic
def obligation_set_supervision(
    *, obligation, user, level: str, note: str, version: int | None = None
) -> Obligation:
    """Set the supervision level (三色督办); a reason is always required.

    Raising the level to yellow or red issues a supervision notice (督办单), left on
    the returned obligation as ``new_notice`` (None otherwise)."""
    _refuse_unless(permissions.can_review(user))
    return _set_supervision(
        obligation, user=user, level=level, note=note, version=version
    )


def _set_supervision(obligation, *, user, level, note, version, only_raise=False):
    """The supervision change itself, for a supervisor
    (``obligation_set_supervision``) or the escalation rules of ``tracker.reminders``
    (``only_raise``: a rule never lowers a level and never repeats one; it answers
    None when it changes nothing).
    """
    note = (note or "").strip()
    if level not in Obligation.SupervisionLevel.values:
        raise ServiceError(
            _("Unknown supervision level: %(level)s.") % {"level": level}
        )
    if not note:
        raise ServiceError(_("A reason is required."))
    today = timezone.localdate()
    counter = None
    if level in NOTICE_LEVELS:
        # The counter is locked before the obligation, by every escalation: a bulk
        # escalation (one transaction, several obligations) and a single one then
        # queue on the counter instead of each holding a lock the other needs.
        report = Report.objects.only("organization", "notice_prefix").get(
            pk=obligation.report_id
        )
        counter = _lock_notice_counter(
            prefix=report.notice_prefix_or_default(), year=today.year
        )
    current = _lock(obligation, version=version)
    old = current.supervision_level
    if only_raise and not is_raise(old, level):
        return None
    if old == level:
        raise ServiceError(
            _("The supervision level is already “%(level)s”.")
            % {"level": Obligation.SupervisionLevel(level).label}
        )
    current.supervision_level = level
    _save(current, user=user, reason=_recorded(_("Supervision level")))
    notice = None
    if counter is not None and is_raise(old, level):
        notice = _issue_notice(
            obligation=current,
            counter=counter,
            user=user,
            level=level,
            reason=note,
            today=today,
        )
    levels = Obligation.SupervisionLevel
    text = _change_line(_("Supervision level"), levels(old).label, levels(level).label)
    if notice is not None:
        text += "\n" + _recorded(
            _("Supervision notice %(code)s issued") % {"code": notice.code}
        )
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.SUPERVISION,
        text=f"{text}\n{note}",
    )
    if is_raise(old, level):
        _announce_supervision(current, user=user, level=level, note=note, notice=notice)
    _sync(obligation, current)
    obligation.new_notice = current.new_notice = notice
    return current


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


@transaction.atomic
def obligation_escalate_by_rule(
    *, obligation, level: str, note: str
) -> Obligation | None:
    """An escalation rule of the daily reminders raising the supervision level, in
    the system's name: a timeline entry by 系统, the supervision notice when the
    level becomes yellow or red. A rule never lowers a level: when the obligation
    is already at ``level`` or above, nothing is written and None is returned."""
    return _set_supervision(
        obligation,
        user=system_user(),
        level=level,
        note=note,
        version=None,
        only_raise=True,
    )


def _lock_notice_counter(*, prefix, year):
    """The (prefix, year) notice counter, locked until the transaction ends.

    The first notice of a year creates the row: INSERT ... ON CONFLICT DO NOTHING
    lets two transactions do that at once without an IntegrityError (the second
    waits for the first and inserts nothing); the row lock then serialises them."""
    NoticeCounter.objects.bulk_create(
        [NoticeCounter(prefix=prefix, year=year)], ignore_conflicts=True
    )
    return NoticeCounter.objects.select_for_update().get(prefix=prefix, year=year)


def _issue_notice(*, obligation, counter, user, level, reason, today):
    # The counter row is locked and changed in the caller's transaction: if the
    # escalation rolls back, so does the number, and the sequence has no gaps.
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    notice = SupervisionNotice(
        obligation=obligation,
        prefix=counter.prefix,
        year=counter.year,
        number=counter.last_number,
        level=level,
        department_id=obligation.department_id,
        reason=reason,
        issued_on=today,
        issued_by=user,
        reply_due=workdays.add_workdays(today, NOTICE_REPLY_WORKDAYS),
    )
    _save_recorded(notice, user=user, reason=_("Supervision notice issued"))
    return notice


@transaction.atomic
def notice_reply(*, notice, user, text: str) -> SupervisionNotice:
    """Record the responsible department's written reply (反馈) to a notice.

    Only a member of the obligation's department may reply, once; the reply goes
    on the obligation's timeline."""
    text = (text or "").strip()
    current = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("obligation")
        .get(pk=notice.pk)
    )
    if not permissions.can_reply_to_notice(user, current):
        raise PermissionDenied(
            gettext(
                "Only a member of the obligation's responsible department can reply "
                "to supervision notice %(code)s."
            )
            % {"code": current.code}
        )
    _lock_open(current.obligation)
    if not text:
        raise ServiceError(_("Write the reply first."))
    if current.is_replied:
        raise ServiceError(
            _("Supervision notice %(code)s has already been replied to.")
            % {"code": current.code}
        )
    current.reply = text
    current.replied_at = timezone.now()
    current.replied_by = user
    _save_recorded(current, user=user, reason=_("Reply to a supervision notice"))
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.NOTICE_REPLY,
        text=f"{current.code}\n{text}",
    )
    _sync(notice, current)
    return current


@transaction.atomic
def obligation_edit(
    *,
    obligation,
    user,
    title: str,
    body: str,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Correct an obligation's title and text (an admin's job; a re-import is the
    usual way the text changes). One timeline entry says what changed, the history
    row keeps the previous text; nothing changed writes nothing."""
    _refuse_unless(permissions.can_edit_obligation(user))
    note = (note or "").strip()
    if not (title or "").strip() or not (body or "").strip():
        raise ServiceError(_("The title and the text cannot be empty."))
    current = _lock(obligation, version=version)
    lines = []
    if current.title != title:
        lines.append(_change_line(_("Title"), current.title, title))
    if current.body != body:
        # The text is too long for "old → new"; the history row holds the old one.
        lines.append(_recorded(_("Text changed; the previous text is in the history.")))
    if not lines:
        _sync(obligation, current)
        return current
    current.title = title
    current.body = body
    _save(current, user=user, reason=_recorded(_("Text edited")))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.EDIT,
        text="\n".join([*lines, note] if note else lines),
    )
    _sync(obligation, current)
    return current


def _codes(obligations):
    return ", ".join(o.code for o in sorted(obligations, key=lambda o: o.position))


@transaction.atomic
def obligation_set_addresses(
    *,
    obligation,
    user,
    problems,
    note: str = "",
    version: int | None = None,
) -> Obligation:
    """Set the problems of its report that a next-year task addresses, replacing the
    current links. The timeline entry lists the codes before and after; the history
    row (a version bump) records who and when, since the history does not follow
    many-to-many links itself."""
    _refuse_unless(permissions.can_edit_obligation(user))
    current = _lock(obligation, version=version)
    return _set_addresses(
        obligation, current, user=user, problems=list(problems), note=note
    )


@transaction.atomic
def obligation_confirm_link(
    *, obligation, user, problem, version: int | None = None
) -> Obligation:
    """Confirm a suggested link (``tracker.similarity``): the task now addresses
    ``problem`` as well. Suggestions are only ever offered; this is how one becomes a
    link, by a supervisor or an admin, recorded like ``obligation_set_addresses``
    with "suggested link confirmed" on the timeline."""
    _refuse_unless(permissions.can_confirm_links(user))
    current = _lock(obligation, version=version)
    linked = list(current.addresses.all())
    if problem.pk in {each.pk for each in linked}:
        raise ServiceError(
            _("%(code)s is already linked to this task.") % {"code": problem.code}
        )
    return _set_addresses(
        obligation,
        current,
        user=user,
        problems=[*linked, problem],
        note=_recorded(_("Suggested link confirmed.")),
    )


def _set_addresses(obligation, current, *, user, problems, note):
    """Replace the locked task's links with ``problems``; the timeline entry lists
    the codes before and after."""
    note = (note or "").strip()
    if problems and current.kind != Obligation.Kind.TASK:
        raise ServiceError(_("Only a next-year task addresses problems."))
    for problem in problems:
        if (
            problem.kind != Obligation.Kind.PROBLEM
            or problem.report_id != current.report_id
        ):
            raise ServiceError(
                _("%(code)s is not a problem of this report.") % {"code": problem.code}
            )
    old = list(current.addresses.all())
    if {o.pk for o in old} == {p.pk for p in problems}:
        _sync(obligation, current)
        return current
    current.addresses.set(problems)
    _save(current, user=user, reason=_recorded(_("Links to problems")))
    text = _change_line(_("Addresses problems"), _codes(old), _codes(problems))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.LINKS,
        text=f"{text}\n{note}" if note else text,
    )
    _sync(obligation, current)
    return current


def obligation_check_version(*, obligation, version) -> None:
    """Raise ``StaleVersionError`` if the obligation moved past ``version``.

    For refusing a whole form before any write (the admin's change form); it takes
    no lock, so every write still passes ``version`` to its service, which checks
    again under the row lock.
    """
    current = Obligation.objects.get(pk=obligation.pk)
    if int(version) != current.version:
        raise StaleVersionError(current, _changes_since(current, int(version)))


@transaction.atomic
def obligation_add_note(*, obligation, user, text: str) -> ProgressUpdate:
    """A progress note from the working staff. It changes no field of the
    obligation, so the timeline entry is the whole record."""
    _refuse_unless(permissions.can_work_on(user, obligation))
    _lock_open(obligation)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the progress update first."))
    return log_action(
        obligation, user=user, action=ProgressUpdate.Action.COMMENT, text=text
    )


@transaction.atomic
def obligation_acknowledge(*, obligation, user, version: int | None) -> Obligation:
    """签收: a member of the responsible department confirms the department has
    received the assignment. Recorded on the obligation and in the timeline."""
    current = _lock(obligation, version=version)
    _refuse_unless(permissions.can_acknowledge(user, current))
    if current.acknowledged_at is not None:
        raise ServiceError(_("This obligation has already been acknowledged."))
    current.acknowledged_at = timezone.now()
    current.acknowledged_by = user
    _save(current, user=user, reason=_recorded(_("Acknowledged")))
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.ACKNOWLEDGE,
        text=_recorded(
            _("Acknowledged for %(department)s.") % {"department": current.department}
        ),
    )
    _sync(obligation, current)
    return current


@transaction.atomic
def extension_request(
    *,
    obligation,
    user,
    requested_due_date: date,
    reason: str,
    version: int | None = None,
) -> ExtensionRequest:
    """延期申请: the working staff ask for a later due date, with a reason. A
    supervisor decides (``extension_decide``); one request is pending at a time."""
    reason = (reason or "").strip()
    current = _lock(obligation, version=version)
    _refuse_unless(permissions.can_work_on(user, current))
    if not reason:
        raise ServiceError(_("A reason is required."))
    if current.status == Obligation.Status.DONE:
        raise ServiceError(_("This obligation is done; it needs no extension."))
    if current.due_date is None:
        raise ServiceError(_("This obligation has no due date to extend."))
    if requested_due_date <= current.due_date:
        raise ServiceError(
            _("Ask for a date later than the current due date (%(due)s).")
            % {"due": current.due_date.isoformat()}
        )
    if requested_due_date < timezone.localdate():
        raise ServiceError(_("The requested due date is in the past."))
    # The obligation's row lock serialises requests for it; the partial unique
    # index is the last word if anything gets past this check.
    if current.extension_requests.filter(
        status=ExtensionRequest.Status.PENDING
    ).exists():
        raise ServiceError(
            _("An extension request is already pending for this obligation.")
        )
    extension = ExtensionRequest(
        obligation=current,
        requested_by=user,
        previous_due_date=current.due_date,
        requested_due_date=requested_due_date,
        reason=reason,
    )
    extension._history_user = user
    try:
        with transaction.atomic():
            extension.save()
    except IntegrityError:
        raise ServiceError(
            _("An extension request is already pending for this obligation.")
        ) from None
    log_action(
        current,
        user=user,
        action=ProgressUpdate.Action.EXTENSION,
        text=_recorded(
            _("Extension requested: due date %(old)s → %(new)s")
            % {
                "old": current.due_date.isoformat(),
                "new": requested_due_date.isoformat(),
            }
        )
        + f"\n{reason}",
    )
    _announce(
        Notification.Kind.EXTENSION_REQUESTED,
        current,
        actor=user,
        text=_record_text(
            _(
                "%(user)s asks to extend “%(obligation)s” from %(old)s to %(new)s: "
                "%(reason)s"
            ),
            user=display_name(user),
            obligation=_obligation_name(current),
            old=current.due_date.isoformat(),
            new=requested_due_date.isoformat(),
            reason=reason,
        ),
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    extension,
    user,
    approve: bool,
    reason: str = "",
    version: int | None = None,
) -> ExtensionRequest:
    """A supervisor approves an extension request (the due date moves through
    ``obligation_assign``, which writes its timeline entry) or refuses it with a
    reason. ``version`` is the obligation's, as on every form of its page."""
    _refuse_unless(permissions.can_review(user))
    reason = (reason or "").strip()
    current = _lock(extension.obligation, version=version)
    pending = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if not pending.is_pending:
        raise ServiceError(_("This extension request has already been decided."))
    if not approve and not reason:
        raise ServiceError(_("A reason is required to refuse a request."))
    if approve:
        if pending.requested_due_date < timezone.localdate():
            raise ServiceError(
                _(
                    "The requested date has passed; refuse the request and assign "
                    "a new due date instead."
                )
            )
        if current.due_date and pending.requested_due_date <= current.due_date:
            raise ServiceError(
                _(
                    "The requested date is no longer later than the due date "
                    "(%(due)s); refuse the request instead."
                )
                % {"due": current.due_date.isoformat()}
            )
    pending.status = (
        ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
    )
    pending.decided_by = user
    pending.decided_at = timezone.now()
    pending.decision_reason = reason
    pending._history_user = user
    pending.save()
    requester = _display(pending.requested_by)
    if approve:
        note = _recorded(
            _("Extension request of %(who)s approved.") % {"who": requester}
        )
        obligation_assign(
            obligation=current,
            user=user,
            due_date=pending.requested_due_date,
            note=f"{note}\n{reason}" if reason else note,
            version=None,
        )
    else:
        log_action(
            current,
            user=user,
            action=ProgressUpdate.Action.EXTENSION,
            text=_recorded(
                _("Extension request of %(who)s to %(date)s refused.")
                % {"who": requester, "date": pending.requested_due_date.isoformat()}
            )
            + f"\n{reason}",
        )
    _announce_extension_decision(current, pending, user=user)
    _sync(extension.obligation, current)
    _sync(extension, pending)
    return pending


# --- Assessment -------------------------------------------------------------------


@transaction.atomic
def assessment_weights_set(
    *,
    user,
    on_time: int,
    rating: int,
    returns: int,
    supervision: int,
    reason: str,
) -> AssessmentWeights:
    """Set the weights of the department ranking's score (percent, summing to 100);
    the history row names the administrator and the reason."""
    _refuse_unless(permissions.can_set_assessment_weights(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required."))
    weights = AssessmentWeights.objects.select_for_update().filter(
        pk=AssessmentWeights.SINGLETON_PK
    ).first() or AssessmentWeights(pk=AssessmentWeights.SINGLETON_PK)
    weights.on_time, weights.rating = on_time, rating
    weights.returns, weights.supervision = returns, supervision
    try:
        weights.full_clean()
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from None
    weights.updated_at = timezone.now()
    _save_recorded(weights, user=user, reason=reason)
    return weights


# --- Evidence ---------------------------------------------------------------------


# PostgreSQL advisory lock key of evidence storage (any constant no other code uses).
EVIDENCE_STORAGE_LOCK = 7_370_001


def evidence_storage_lock(*, exclusive: bool) -> None:
    """Hold the evidence storage lock until the current transaction ends.

    An upload writes its file before its row commits, so a file that no row
    refers to may belong to an upload still in its transaction. Uploads hold this
    lock shared from before they write the file; the orphan sweep
    (``manage.py evidence_orphans``) holds it exclusively while it lists and
    deletes, so it waits until every open upload has committed or rolled back, and
    no upload starts meanwhile. On SQLite the database's write lock, taken at BEGIN
    (``transaction_mode`` IMMEDIATE in settings), already serialises the two."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("evidence_storage_lock needs a transaction")
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        function = (
            "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [EVIDENCE_STORAGE_LOCK])


def evidence_upload(*, obligation, user, file, note: str = "") -> Evidence:
    """Attach a supporting document (佐证材料) to an obligation.

    The file is checked by content, stored under a generated name
    (``models.evidence_upload_to``) and recorded with its sha256. If anything fails
    after the file was written, including the commit itself, the file is removed, so
    a refused or rolled-back upload leaves neither a row nor a file. (When a caller
    wraps this in its own transaction that later rolls back, the file stays behind:
    ``manage.py evidence_orphans --delete`` is the safety net for that, and
    ``evidence_storage_lock`` keeps it away from uploads still in a transaction.)
    """
    _refuse_unless(permissions.can_work_on(user, obligation))
    try:
        name, content_type, size, sha256 = validate_evidence_file(file)
    except EvidenceFileError as error:
        raise ServiceError(error.message) from None
    note = (note or "").strip()
    evidence = Evidence(
        obligation=obligation,
        original_name=name,
        size=size,
        sha256=sha256,
        content_type=content_type,
        uploaded_by=user,
        note=note,
    )
    stored_name = None
    try:
        with transaction.atomic():
            evidence_storage_lock(exclusive=False)  # before the file is written
            _lock_open(obligation)
            file.seek(0)
            # The field's upload_to (models.evidence_upload_to) names the file.
            evidence.file.save(name, file, save=False)
            stored_name = evidence.file.name
            _save_recorded(evidence, user=user, reason=_("Evidence uploaded"))
            log_action(
                obligation,
                user=user,
                action=ProgressUpdate.Action.EVIDENCE_UPLOAD,
                text=note,
                evidence=evidence,
            )
    except BaseException:
        if stored_name is not None:
            evidence.file.storage.delete(stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_withdraw(*, evidence, user, reason: str) -> Evidence:
    """Withdraw a piece of evidence: it stays in storage and in the timeline (struck
    through, with the reason), but no longer counts for submitting.

    The last live evidence of an obligation awaiting review or done is refused, for
    every role: finished work keeps its proof for an inspection (督察). Upload the
    replacement first, or have a supervisor return or reopen the obligation.
    """
    reason = (reason or "").strip()
    # The obligation row first, as every obligation service locks it: two
    # withdrawals of its last two pieces, or a withdrawal racing a submission,
    # queue here, and the second one counts what the first one left.
    obligation = Obligation.objects.select_for_update().get(pk=evidence.obligation_id)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    current.obligation = obligation
    _refuse_unless(permissions.can_work_on(user, obligation))
    _refuse_if_closed(obligation.report_id)
    if not reason:
        raise ServiceError(_("A reason is required."))
    if current.is_withdrawn:
        raise ServiceError(_("This evidence has already been withdrawn."))
    _refuse_withdrawing_last_proof(obligation, current)
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = user
    current.withdraw_reason = reason
    _save_recorded(current, user=user, reason=_("Evidence withdrawn"))
    log_action(
        current.obligation,
        user=user,
        action=ProgressUpdate.Action.EVIDENCE_WITHDRAW,
        text=reason,
        evidence=current,
    )
    _sync(evidence, current)
    return current


@transaction.atomic
def evidence_edit_note(*, evidence, user, note: str) -> Evidence:
    """Correct the note of a piece of evidence (an admin's job, in the admin). One
    timeline entry says what changed and the history row names the admin; nothing
    changed writes nothing."""
    _refuse_unless(permissions.can_edit_evidence_note(user))
    note = (note or "").strip()
    # The obligation row first, as evidence_withdraw locks them.
    _lock_open(evidence.obligation)
    current = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if current.note != note:
        log_action(
            current.obligation,
            user=user,
            action=ProgressUpdate.Action.EDIT,
            text=_change_line(_("Note"), current.note, note),
            evidence=current,
        )
        current.note = note
        _save_recorded(current, user=user, reason=_("Text edited"))
    _sync(evidence, current)
    return current


def _refuse_withdrawing_last_proof(obligation, evidence):
    Status = Obligation.Status
    if obligation.status not in (Status.SUBMITTED, Status.DONE):
        return
    others = obligation.evidence.filter(withdrawn_at__isnull=True).exclude(
        pk=evidence.pk
    )
    if others.exists():
        return
    if obligation.status == Status.DONE:
        raise ServiceError(
            _(
                "This is the only evidence of a finished obligation, so it cannot be "
                "withdrawn. Upload the replacement first, or ask a supervisor to "
                "reopen the obligation."
            )
        )
    raise ServiceError(
        _(
            "This is the only evidence of an obligation awaiting review, so it cannot "
            "be withdrawn. Upload the replacement first, or ask a supervisor to "
            "return the obligation."
        )
    )


# --- Daily status counts (the completion-over-time chart) --------------------------


def _status_rows(report_id, day, counts):
    return [
        StatusSnapshot(
            report_id=report_id, day=day, status=status, count=counts.get(status, 0)
        )
        for status in Obligation.Status
    ]


@transaction.atomic
def status_snapshots_take(
    *, day: date, report: Report | None = None, counts: dict | None = None
) -> int:
    """Record how many obligations of each report (or of ``report``) have each
    status now, as the counts of ``day``, replacing what was taken earlier that
    day: the daily run takes them every morning and the dashboard whenever it
    computes a report's figures, so a day's rows end as its last known counts.
    ``counts`` ({status: count} of ``report``) when the caller has just counted.
    Two queries at most, whatever the number of reports and obligations; returns
    the number of reports."""
    if report is not None and counts is not None:
        counts = {report.pk: counts}
    else:
        obligations = Obligation.objects.order_by()
        if report is not None:
            obligations = obligations.filter(report=report)
        counts = {} if report is None else {report.pk: {}}
        for report_id, status, count in obligations.values_list(
            "report_id", "status"
        ).annotate(count=Count("pk")):
            counts.setdefault(report_id, {})[status] = count
    rows = [
        row
        for report_id, by_status in counts.items()
        for row in _status_rows(report_id, day, by_status)
    ]
    StatusSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["report", "day", "status"],
        update_fields=["count"],
    )
    return len(counts)


@transaction.atomic
def status_snapshots_backfill(*, report: Report, until: date) -> int:
    """The counts of the days up to ``until`` that have no snapshot yet, rebuilt
    from the timeline: an obligation counts from the day it was created, with the
    status its first status change left (or its status now, if it never changed),
    and then each day with the status of its latest change by the end of that day
    (Asia/Shanghai). Days already recorded are kept as they are, so running it
    again writes nothing. Returns the number of days written.

    One pass over the report's status changes in time order; meant to be run once
    (``manage.py snapshot_status --backfill``), not per request."""
    recorded = set(
        StatusSnapshot.objects.filter(report=report, day__lte=until)
        .values_list("day", flat=True)
        .distinct()
    )
    changes = (
        ProgressUpdate.objects.filter(
            obligation__report=report, action=ProgressUpdate.Action.STATUS
        )
        .order_by("created_at", "pk")
        .values_list("obligation_id", "from_status", "to_status", "created_at")
    )
    changes = [
        (pk, old, new, timezone.localtime(when).date())
        for pk, old, new, when in changes
    ]
    first_status = {}
    for pk, old, _new, _day in changes:
        first_status.setdefault(pk, old)
    created = sorted(
        (timezone.localtime(when).date(), pk, first_status.get(pk, status))
        for pk, when, status in report.obligations.values_list(
            "pk", "created_at", "status"
        )
    )
    if not created:
        return 0
    status_of, counts = {}, Counter()
    rows, day, written = [], created[0][0], 0
    next_created, next_change = 0, 0
    while day <= until:
        while next_created < len(created) and created[next_created][0] <= day:
            _day, pk, status = created[next_created]
            status_of[pk] = status
            counts[status] += 1
            next_created += 1
        while next_change < len(changes) and changes[next_change][3] <= day:
            pk, _old, new, _day = changes[next_change]
            if pk in status_of:
                counts[status_of[pk]] -= 1
                status_of[pk] = new
                counts[new] += 1
            next_change += 1
        if day not in recorded:
            rows.extend(_status_rows(report.pk, day, counts))
            written += 1
        day += timedelta(days=1)
    StatusSnapshot.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return written


# --- Reports ----------------------------------------------------------------------


def _imported_values(parsed, *, section_id) -> dict:
    """What an import writes on an obligation, by attribute: the text and where it
    stands. Status, department, owner, due date, supervision, evidence and the
    timeline belong to the people working on it and are never touched."""
    return {
        "section_id": section_id,
        "kind": parsed.kind,
        "title": parsed.title,
        "body": parsed.body,
        "position": parsed.position,
        "source_start": parsed.source_start,
        "source_end": parsed.source_end,
        "missing_since": None,
    }


def _imported_changes(obligation, values) -> list[str]:
    """The attributes of a stored obligation that a re-import with ``values``
    (``_imported_values``) changes; empty when it would leave it as it is. The one
    comparison behind ``report_import`` and ``import_preview``."""
    return [
        name for name, value in values.items() if getattr(obligation, name) != value
    ]


def _section_keys(tree):
    """(key, parsed section) in document order, chapters before their groups. The
    key is how a re-import recognises a stored section: (None, number) for a
    chapter, (chapter number, number) for a group."""
    for chapter in tree.chapters:
        yield (None, chapter.number), chapter
        for group in chapter.children:
            yield (chapter.number, group.number), group


def _stored_sections(report) -> dict:
    """The sections of ``report`` by the key of ``_section_keys``."""
    return {
        (section.parent.number if section.parent_id else None, section.number): section
        for section in report.sections.select_related("parent")
    }


@dataclasses.dataclass
class ImportResult:
    """What ``report_import`` did, by obligation code (document order)."""

    report: Report
    report_created: bool
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    # In the database but no longer in the text: reported, never deleted, because
    # they may carry evidence and a timeline.
    missing: list[str] = dataclasses.field(default_factory=list)
    links_added: int = 0
    # The organization's report of the year before, if imported, and the items of
    # this one suggested as reporting on its tasks and problems
    # (selectors.FollowUpSuggestion), to be confirmed on its page.
    previous_report: Report | None = None
    followups: list = dataclasses.field(default_factory=list)


def _import_sections(report, tree):
    """Create or update the report's sections; returns {id(parsed): Section}."""
    existing = _stored_sections(report)
    saved = {}
    for key, parsed in _section_keys(tree):
        chapter_number, number = key
        parent = None if chapter_number is None else saved[(None, chapter_number)]
        section = existing.get(key) or Section(report=report, number=number)
        values = {
            "parent": parent,
            "code": parsed.code,
            "title": parsed.title,
            "position": parsed.position,
        }
        if section.pk is None or any(
            getattr(section, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(section, name, value)
            section.save()
        saved[key] = section
    return {id(parsed): saved[key] for key, parsed in _section_keys(tree)}


def _apply_links(report, links):
    """Add task -> problem links (``{task code: [problem codes]}``); existing
    links, including ones made by hand in the admin, are kept."""
    codes = {code for task, problems in links.items() for code in [task, *problems]}
    found = {o.code: o for o in report.obligations.filter(code__in=codes)}
    added = 0
    for task_code, problem_codes in links.items():
        task = found.get(task_code)
        if task is None or task.kind != Obligation.Kind.TASK:
            raise ServiceError(
                _("Link file: %(code)s is not a task of this report.")
                % {"code": task_code}
            )
        problems = []
        for code in problem_codes:
            problem = found.get(code)
            if problem is None or problem.kind != Obligation.Kind.PROBLEM:
                raise ServiceError(
                    _("Link file: %(code)s is not a problem of this report.")
                    % {"code": code}
                )
            problems.append(problem)
        already = set(task.addresses.values_list("pk", flat=True))
        new = [problem for problem in problems if problem.pk not in already]
        task.addresses.add(*new)
        added += len(new)
    return added


def _mark_missing(obligation, *, user):
    """A unit the re-imported text no longer has: its offsets would point into
    someone else's words in the new text, so it loses its anchor and keeps its
    passage (``body``) as last imported; the report page lists it apart. Marked
    once: a second re-import without it changes nothing."""
    if obligation.missing_since is not None:
        return
    obligation.missing_since = timezone.now()
    obligation.source_start = obligation.source_end = 0
    note = _recorded(
        _("No longer in the report's text; its passage as last imported is kept.")
    )
    _save_recorded(
        obligation,
        user=user,
        reason=note,
        update_fields=["missing_since", "source_start", "source_end", "updated_at"],
    )
    # Said on the timeline even from the command line without --user: the page
    # changes for everyone working on it.
    log_action(
        obligation,
        user=user or system_user(),
        action=ProgressUpdate.Action.IMPORT,
        text=note,
    )


@transaction.atomic
def report_import(
    *,
    tree,
    user=None,
    organization: str | None = None,
    year: int | None = None,
    links: dict[str, list[str]] | None = None,
) -> ImportResult:
    """Write a parsed report (``tracker.importer.ParsedReport``) to the database.

    The first import creates the Report, its Sections and Obligations. A re-import
    of the same organization and year matches obligations on their code: it updates
    their text and source anchors and adds new units, but never resets what people
    did with them (status, owner, department, due date, supervision, evidence,
    timeline). Units no longer in the text are listed in ``missing``, not deleted,
    and lose their anchors into the new text (``_mark_missing``).
    ``links`` maps a task code to the problem codes it addresses.
    """
    organization, year = report_import_check(
        tree=tree, organization=organization, year=year
    )
    report = (
        Report.objects.select_for_update()
        .filter(organization=organization, year=year)
        .first()
    )
    report_created = report is None
    if not report_created:
        _refuse_import_into_closed(report)
    if report_created:
        report = Report(organization=organization, year=year)
    report.title = tree.title[:200]
    report.source_text = tree.source_text
    report.imported_at = timezone.now()
    report.save()
    result = ImportResult(report=report, report_created=report_created)

    sections = _import_sections(report, tree)
    existing = {o.code: o for o in report.obligations.select_for_update()}
    seen = set()
    for parsed_section, parsed in tree.obligations():
        seen.add(parsed.code)
        values = _imported_values(parsed, section_id=sections[id(parsed_section)].pk)
        obligation = existing.get(parsed.code)
        if obligation is None:
            obligation = Obligation(report=report, code=parsed.code, **values)
            _save_recorded(obligation, user=user, reason=_("Imported from the report"))
            result.created.append(parsed.code)
            note = _recorded(_("Imported from the report"))
        else:
            changed = _imported_changes(obligation, values)
            if not changed:
                result.unchanged.append(parsed.code)
                continue
            for name in changed:
                setattr(obligation, name, values[name])
            _save_recorded(
                obligation,
                user=user,
                reason=_("Text updated by a re-import"),
                update_fields=[*changed, "updated_at"],
            )
            result.updated.append(parsed.code)
            note = _recorded(_("Text updated by a re-import"))
        if user is not None:
            log_action(
                obligation, user=user, action=ProgressUpdate.Action.IMPORT, text=note
            )
    result.missing = [code for code in existing if code not in seen]
    for code in result.missing:
        _mark_missing(existing[code], user=user)
    if links:
        result.links_added = _apply_links(report, links)
    result.previous_report = selectors.adjacent_report(
        organization=organization, year=year - 1
    )
    if result.previous_report is not None:
        result.followups = selectors.followup_suggestions(
            result.previous_report, report
        )
    # Also when nothing wrote a timeline entry (an import without --user, or one
    # that only added links): titles, sections and links are on the dashboard.
    report_invalidate_dashboard(report_id=report.pk)
    return result


def report_import_check(
    *, tree, organization: str | None = None, year: int | None = None
) -> tuple[str, int]:
    """The organization and year that importing ``tree`` writes, once everything
    it would write fits its column: ServiceError names the first value that does
    not, so a dry run, a Preview and an import refuse the same input alike and
    nothing is half written (PostgreSQL would raise DataError mid-import).

    ``organization`` and ``year`` override what the title line says."""
    # The organization may come straight from a command line, not only from a form.
    organization = clean_text(organization or tree.organization or "").strip()
    year = year or tree.year
    if not organization or not year:
        raise ServiceError(
            _("The report's title does not name its organization and year.")
        )
    limit = Report._meta.get_field("organization").max_length
    if len(organization) > limit:
        raise ServiceError(
            _(
                "The organization “%(start)s…” is %(length)d characters long, more "
                "than the %(limit)d allowed: give a shorter one."
            )
            % {"start": organization[:12], "length": len(organization), "limit": limit}
        )
    if not Report.YEAR_MIN <= year <= Report.YEAR_MAX:
        raise ServiceError(
            _("The year %(year)s is not between %(min)d and %(max)d.")
            % {"year": year, "min": Report.YEAR_MIN, "max": Report.YEAR_MAX}
        )
    stored = Report.objects.filter(organization=organization, year=year).first()
    if stored is not None:
        _refuse_import_into_closed(stored)
    _check_columns(
        Report(organization=organization, year=year, title=tree.title[:200]),
        ["title"],
        gettext("the report"),
    )
    for section in tree.sections():
        _check_columns(
            Section(
                code=section.code,
                number=section.number,
                title=section.title,
                position=section.position,
            ),
            ["code", "number", "title", "position"],
            gettext("section %(code)s") % {"code": section.code},
        )
    imported = ["kind", "code", "title", "position", "source_start", "source_end"]
    for _section, parsed in tree.obligations():
        _check_columns(
            Obligation(**{name: getattr(parsed, name) for name in imported}),
            imported,
            gettext("obligation %(code)s") % {"code": parsed.code},
        )
    return organization, year


def _refuse_import_into_closed(report):
    if not permissions.is_writable(report):
        raise ServiceError(
            _(
                "“%(report)s” is closed: a re-import would change it. A supervisor "
                "can reopen the report first, giving a reason."
            )
            % {"report": report.title}
        )


def _lock_report(report):
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def report_close(*, report, user, reason: str = "") -> Report:
    """Close a report (年终归档): from now on nothing of it changes, for anyone,
    until a supervisor reopens it. Recorded in the report's log (``ReportEvent``)
    with who, when and the reason given.

    Every obligation of the report is locked first, so a write already under way
    on one of them commits before the report closes, and one that starts later
    reads the close (``_refuse_if_closed``)."""
    _refuse_unless(permissions.can_close_report(user))
    reason = (reason or "").strip()
    current = _lock_report(report)
    if current.is_closed:
        raise ServiceError(
            _("“%(report)s” is already closed.") % {"report": current.title}
        )
    list(
        Obligation.objects.select_for_update()
        .filter(report=current)
        .values_list("pk", flat=True)
    )
    current.closed_at = timezone.now()
    current.closed_by = user
    current.save(update_fields=["closed_at", "closed_by"])
    # After the obligation rows, as report_invalidate_dashboard asks.
    report_invalidate_dashboard(report_id=current.pk)
    ReportEvent.objects.create(
        report=current,
        action=ReportEvent.Action.CLOSED,
        user=user,
        created_at=current.closed_at,
        reason=reason,
    )
    _sync(report, current)
    return current


@transaction.atomic
def report_reopen(*, report, user, reason: str) -> Report:
    """Reopen a closed report, with a reason (recorded in its log): its
    obligations can change again."""
    _refuse_unless(permissions.can_close_report(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("A reason is required to reopen a report."))
    current = _lock_report(report)
    if not current.is_closed:
        raise ServiceError(_("“%(report)s” is not closed.") % {"report": current.title})
    current.closed_at = None
    current.closed_by = None
    current.save(update_fields=["closed_at", "closed_by"])
    report_invalidate_dashboard(report_id=current.pk)
    ReportEvent.objects.create(
        report=current, action=ReportEvent.Action.REOPENED, user=user, reason=reason
    )
    _sync(report, current)
    return current


@transaction.atomic
def report_archived(*, report, user, note: str) -> ReportEvent:
    """Record in the report's log that an archive of it was made (by
    ``tracker.archive``): who, when, and ``note`` (the manifest's digest, the
    number of files and any missing)."""
    _refuse_unless(user.pk == system_user().pk or permissions.can_archive_report(user))
    return ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.ARCHIVED, user=user, reason=note
    )


def _check_columns(instance, names, what):
    """ServiceError naming ``what`` and the field when one of ``names`` does not
    fit its model field (length, range, choices)."""
    exclude = {f.name for f in instance._meta.fields} - set(names)
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        field = instance._meta.get_field(name).verbose_name
        raise ServiceError(
            gettext("%(what)s, %(field)s: %(problem)s")
            % {"what": what, "field": field, "problem": messages[0]}
        ) from None


@dataclasses.dataclass
class ImportPreview:
    """What importing a parsed report would do, by obligation code."""

    report: Report | None
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    # (parsed section, [(parsed obligation, kind label, change)]) in document order;
    # change is "created", "updated" or "unchanged".
    rows: list = dataclasses.field(default_factory=list)
    counts: dict = dataclasses.field(default_factory=dict)  # kind label -> number


def import_preview(tree, *, organization: str, year: int) -> ImportPreview:
    """Compare a parsed report with what is stored for the same organization and
    year as ``report_import`` would (matched on the code, compared with
    ``_imported_changes``), without writing."""
    report = Report.objects.filter(organization=organization, year=year).first()
    preview = ImportPreview(report=report)
    stored, sections = {}, {}
    if report is not None:
        stored = {o.code: o for o in report.obligations.all()}
        sections = _stored_sections(report)
    kinds = dict(Obligation.Kind.choices)
    preview.counts = {kinds[kind]: count for kind, count in tree.counts().items()}
    seen = set()
    for key, section in _section_keys(tree):
        # A section the import would create has no id yet: an obligation moved
        # into it counts as updated.
        section_id = sections[key].pk if key in sections else None
        obligations = []
        for parsed in section.obligations:
            seen.add(parsed.code)
            obligation = stored.get(parsed.code)
            if obligation is None:
                change = "created"
            elif _imported_changes(
                obligation, _imported_values(parsed, section_id=section_id)
            ):
                change = "updated"
            else:
                change = "unchanged"
            getattr(preview, change).append(parsed.code)
            obligations.append((parsed, kinds[parsed.kind], change))
        preview.rows.append((section, obligations))
    preview.missing = [code for code in stored if code not in seen]
    return preview


# How long a previewed report file is kept for its Import (``ImportDraft``).
IMPORT_DRAFT_MINUTES = 30


class ImportDraftExpired(ServiceError):
    """The draft named by a token is gone: expired, imported, or someone else's."""


def _import_drafts_alive():
    return ImportDraft.objects.filter(
        created_at__gte=timezone.now() - timedelta(minutes=IMPORT_DRAFT_MINUTES)
    )


@transaction.atomic
def import_draft_save(
    *, user, text: str, file_name: str, links: dict | None, token: str = ""
) -> ImportDraft:
    """Keep a previewed file's text (and its links) for ``user``'s Import, under a
    new random token, or refresh the draft ``token`` already names. Expired drafts
    of everyone go at the same time: the table holds only what can still be used.
    """
    ImportDraft.objects.filter(
        created_at__lt=timezone.now() - timedelta(minutes=IMPORT_DRAFT_MINUTES)
    ).delete()
    draft = _import_drafts_alive().filter(token=token, user=user).first()
    if draft is None:
        draft = ImportDraft(token=secrets.token_urlsafe(32), user=user)
    draft.text, draft.file_name, draft.links = text, file_name, links
    draft.created_at = timezone.now()
    draft.save()
    return draft


def import_draft_get(*, user, token: str) -> ImportDraft:
    """The live draft ``token`` names, if it is ``user``'s; else
    ``ImportDraftExpired`` (the same refusal whoever's it was, so a token says
    nothing to another user)."""
    draft = _import_drafts_alive().filter(token=token, user=user).first()
    if draft is None:
        raise ImportDraftExpired(
            _(
                "The previewed file is no longer kept (previews are kept for "
                "%(minutes)d minutes, and until they are imported): choose the file "
                "again."
            )
            % {"minutes": IMPORT_DRAFT_MINUTES}
        )
    return draft


def import_draft_discard(*, user, token: str) -> None:
    """Forget a draft once it is imported."""
    ImportDraft.objects.filter(token=token, user=user).delete()


# --- Follow-up across years ------------------------------------------------------


def _check_followup_pair(earlier, later):
    """ServiceError unless ``later`` can report on ``earlier``: a task or problem
    of one report, and a work item or problem of the same organization's report
    of the next year."""
    if earlier.kind not in (Obligation.Kind.TASK, Obligation.Kind.PROBLEM):
        raise ServiceError(
            _("Only the tasks and problems of a report are followed up the next year.")
        )
    if later.kind not in (Obligation.Kind.WORK_ITEM, Obligation.Kind.PROBLEM):
        raise ServiceError(
            _(
                "%(code)s is a task of its report: what became of a task or problem "
                "is reported in a work item or a problem."
            )
            % {"code": later.code}
        )
    if (
        later.report.organization != earlier.report.organization
        or later.report.year != earlier.report.year + 1
    ):
        raise ServiceError(
            _("%(code)s is not in the report of %(organization)s for %(year)d.")
            % {
                "code": later.code,
                "organization": earlier.report.organization,
                "year": earlier.report.year + 1,
            }
        )


def _log_followup(earlier, later, *, user, earlier_text, later_text, terms=(), note=""):
    """One timeline entry on each side of a follow-up decision, each naming the
    other side (``%(year)d``, ``%(code)s``, ``%(title)s``), then the shared wording
    and why. A closed year's timeline is read-only: its side gets no entry (the
    FollowUp row is the record), only its dashboard's figures are refreshed."""
    for obligation, message, other in (
        (earlier, earlier_text, later),
        (later, later_text, earlier),
    ):
        if message is None:
            continue
        if not permissions.is_writable(obligation.report):
            report_invalidate_dashboard(report_id=obligation.report_id)
            continue
        lines = [
            _record_text(
                message, year=other.report.year, code=other.code, title=other.title
            )
        ]
        if terms:
            lines.append(
                _record_text(_("Shared wording: %(terms)s"), terms="、".join(terms))
            )
        lines.append(note)
        log_action(
            obligation,
            user=user,
            action=ProgressUpdate.Action.FOLLOW_UP,
            text="\n".join(lines),
        )


def _lock_followup_pair(earlier, later):
    """Row locks on both items, the earlier first: two decisions on one item run
    one after the other, so the second sees the first (the partial unique index
    backs it up). Refused when the later report is closed (``ReportClosedError``).
    The earlier report may be closed: the year is usually closed and archived
    before the next report comes, and following it up is the next year's work."""
    Obligation.objects.select_for_update(of=("self",)).get(pk=earlier.pk)
    _lock_open(later)


def _start_followup_decision(*, earlier, later, user, if_confirmed):
    """What confirming and rejecting check first: who, which pair, the later
    report open, and that the pair is not confirmed already (``if_confirmed`` says
    so)."""
    _refuse_unless(permissions.can_confirm_followups(user))
    _check_followup_pair(earlier, later)
    _lock_followup_pair(earlier, later)
    if FollowUp.objects.confirmed().filter(earlier=earlier, later=later).exists():
        raise ServiceError(
            if_confirmed % {"later": later.code, "earlier": earlier.code}
        )


@transaction.atomic
def followup_confirm(*, earlier, later, user, reason: str = "") -> FollowUp:
    """Confirm that ``later`` (an item of next year's report) reports on
    ``earlier`` (a task or problem): stored as a ``FollowUp`` with who, when, why
    and the wording the two passages share, and written on both timelines. A
    problem confirmed as a problem again is recurring (反复出现)."""
    _start_followup_decision(
        earlier=earlier,
        later=later,
        user=user,
        if_confirmed=_("%(later)s is already confirmed as reporting on %(earlier)s."),
    )
    score, terms = selectors.followup_measure(earlier, later)
    followup = FollowUp.objects.create(
        earlier=earlier,
        later=later,
        score=score,
        shared_terms=list(terms),
        reason=(reason or "").strip() or _recorded(_("Suggested follow-up confirmed.")),
        confirmed_by=user,
    )
    _log_followup(
        earlier,
        later,
        user=user,
        earlier_text=_("Reported in %(year)d as %(code)s %(title)s."),
        later_text=_("Reports on %(code)s %(title)s of the %(year)d report."),
        terms=terms,
        note=followup.reason,
    )
    return followup


@transaction.atomic
def followup_reject(*, earlier, later, user, reason: str = "") -> FollowUpRejection:
    """Record that a suggested ``later`` item does not report on ``earlier``: it is
    no longer suggested. A confirmed match is withdrawn instead
    (``followup_withdraw``). Only the earlier item's timeline says so: nothing
    changed for the later one."""
    _start_followup_decision(
        earlier=earlier,
        later=later,
        user=user,
        if_confirmed=_(
            "%(later)s is confirmed as reporting on %(earlier)s: withdraw the "
            "confirmation instead, with a reason."
        ),
    )
    if FollowUpRejection.objects.filter(earlier=earlier, later=later).exists():
        raise ServiceError(
            _("%(later)s is already rejected for %(earlier)s.")
            % {"later": later.code, "earlier": earlier.code}
        )
    rejection = FollowUpRejection.objects.create(
        earlier=earlier,
        later=later,
        reason=(reason or "").strip() or _recorded(_("Suggested follow-up rejected.")),
        rejected_by=user,
    )
    _log_followup(
        earlier,
        later,
        user=user,
        earlier_text=_(
            "Not reported in %(year)d as %(code)s %(title)s: suggestion rejected."
        ),
        later_text=None,
        note=rejection.reason,
    )
    return rejection


@transaction.atomic
def followup_withdraw(*, followup, user, reason: str) -> FollowUp:
    """Withdraw a confirmed follow-up (an unconfirm): the row stays with who
    withdrew it, when and why, and both timelines say so."""
    _refuse_unless(permissions.can_confirm_followups(user))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the confirmation is withdrawn."))
    _lock_followup_pair(followup.earlier, followup.later)
    current = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if current.withdrawn_at is not None:
        raise ServiceError(_("This follow-up was already withdrawn."))
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = user
    current.withdraw_reason = reason
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    _log_followup(
        followup.earlier,
        followup.later,
        user=user,
        earlier_text=_("No longer reported in %(year)d as %(code)s %(title)s."),
        later_text=_("No longer reports on %(code)s %(title)s of the %(year)d report."),
        note=reason,
    )
    _sync(followup, current)
    return current


# --- Notifications ----------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    recipients,
    obligation: Obligation | None,
    kind: str,
    text: str,
    department: Department | None = None,
    email: bool = True,
) -> list[Notification]:
    """Tell ``recipients`` (users) about a change: an inbox row each, and the email
    each of them chose; and post it to ``department``'s group chat if it has one.

    Call it inside the transaction of the change it reports: the inbox rows and the
    outbox commit or roll back with the change, and nothing is sent before the
    commit (``notifications.send_after_commit``). Who hears about what is decided
    by ``notifications.audience``. ``email=False`` writes the inbox and the group
    chat only, for callers that mail the content themselves in one digest
    (``notifications.send_digest``), as the daily reminders do.
    """
    unique = {user.pk: user for user in recipients}
    users = list(unique.values())
    now = timezone.now()
    modes = notifications.email_modes(users) if email else {}
    mode = notifications.Mode
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            obligation=obligation,
            kind=kind,
            text=text,
            created_at=now,
            digest_pending=modes.get(user.pk) == mode.DAILY_DIGEST,
        )
        for user in users
    )
    outbox = [
        OutboundMessage(
            channel=OutboundMessage.Channel.EMAIL,
            recipient=user,
            subject=notifications.email_subject(kind, obligation),
            body=notifications.email_body(text, obligation),
            created_at=now,
        )
        for user in users
        if modes.get(user.pk) == mode.EVERY_EVENT
    ]
    if department is not None and department.webhook_url:
        outbox.append(
            OutboundMessage(
                channel=OutboundMessage.Channel.WEBHOOK,
                department=department,
                body=notifications.webhook_text(kind, text, obligation),
                created_at=now,
            )
        )
    if outbox:
        ids = [message.pk for message in OutboundMessage.objects.bulk_create(outbox)]
        transaction.on_commit(lambda: notifications.send_after_commit(ids))
    return rows


def _announce(kind, obligation, *, actor, text, recipients=None):
    """``notify`` the audience of ``kind`` (``notifications.audience``)."""
    users, department = notifications.audience(kind, obligation, actor=actor)
    if recipients is not None:
        users, department = recipients, None
    notify(
        recipients=users,
        obligation=obligation,
        kind=kind,
        text=text,
        department=department,
    )


def _record_text(message, **params):
    """``message % params`` in the organisation's language (see ``_recorded``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params


def _obligation_name(obligation):
    return f"{obligation.code} {obligation.title}"


_TRANSITION_NOTICES = {
    Obligation.Status.SUBMITTED: (
        Notification.Kind.SUBMITTED,
        _("%(user)s submitted “%(obligation)s” for review: %(note)s"),
    ),
    Obligation.Status.RETURNED: (
        Notification.Kind.RETURNED,
        _("%(user)s returned “%(obligation)s” for rework. Reason: %(note)s"),
    ),
    Obligation.Status.DONE: (
        Notification.Kind.APPROVED,
        _("%(user)s approved “%(obligation)s”."),
    ),
}


def _announce_transition(
    obligation, *, user, to_status, note, rating="", rating_comment=""
):
    if to_status not in _TRANSITION_NOTICES:
        return
    kind, message = _TRANSITION_NOTICES[to_status]
    text = _record_text(
        message,
        user=display_name(user),
        obligation=_obligation_name(obligation),
        note=note,
    )
    if rating:
        # The department hears its rating with the approval, and why: a 一般 or
        # 较差 rating always has a comment, and the department should not have to
        # open the item to learn what to do better.
        text = f"{text} {rating_record(rating, rating_comment)}"
    _announce(kind, obligation, actor=user, text=text)


def _announce_supervision(obligation, *, user, level, note, notice):
    text = _record_text(
        _(
            "%(user)s raised the supervision of “%(obligation)s” to %(level)s. "
            "Reason: %(reason)s"
        ),
        user=display_name(user),
        obligation=_obligation_name(obligation),
        level=Obligation.SupervisionLevel(level).label,
        reason=note,
    )
    if notice is not None:
        text += "\n" + _record_text(
            _("Supervision notice %(code)s issued"), code=notice.code
        )
    _announce(Notification.Kind.SUPERVISION, obligation, actor=user, text=text)


def _announce_extension_decision(obligation, extension, *, user):
    """The department (members, owner, group chat) and the requester, who may be
    neither (an admin asking on the department's behalf)."""
    users, department = notifications.audience(
        Notification.Kind.EXTENSION_DECIDED, obligation, actor=user
    )
    requester = extension.requested_by
    if requester.pk != user.pk and requester.is_active:
        users.append(requester)
    if extension.status == ExtensionRequest.Status.APPROVED:
        message = _(
            "%(user)s approved the extension of “%(obligation)s”: the due date is "
            "now %(date)s."
        )
    else:
        message = _(
            "%(user)s refused the extension of “%(obligation)s” to %(date)s: %(reason)s"
        )
    text = _record_text(
        message,
        user=display_name(user),
        obligation=_obligation_name(obligation),
        date=extension.requested_due_date.isoformat(),
        reason=extension.decision_reason,
    )
    notify(
        recipients=users,
        obligation=obligation,
        kind=Notification.Kind.EXTENSION_DECIDED,
        text=text,
        department=department,
    )


def _announce_assignment(obligation, *, user, changed, changes):
    """A new department hears it with the owner (and its group chat); when only
    the owner changed, the new owner alone hears it."""
    if obligation.department_id is not None and "department" in changed:
        recipients = None
    elif obligation.owner_id is not None and "owner" in changed:
        recipients = [obligation.owner] if obligation.owner != user else []
    else:
        return
    text = _record_text(
        _("“%(obligation)s” was assigned by %(user)s.\n%(changes)s"),
        obligation=_obligation_name(obligation),
        user=display_name(user),
        changes="\n".join(_change_line(label, old, new) for label, old, new in changes),
    )
    _announce(
        Notification.Kind.ASSIGNED,
        obligation,
        actor=user,
        text=text,
        recipients=recipients,
    )


def notification_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's notifications read (opening it does)."""
    _refuse_unless(notification.recipient_id == user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_read_all(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return (
        Notification.objects.filter(recipient=user)
        .unread()
        .update(read_at=timezone.now())
    )


@transaction.atomic
def notification_preference_set(*, user, email: str) -> NotificationPreference:
    """How the user wants their notifications emailed."""
    if email not in NotificationPreference.Email.values:
        raise ServiceError(_("Choose how you want to be notified."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return preference


# --- Accounts -------------------------------------------------------------------


@transaction.atomic
def account_set_temporary_password(*, user, password: str) -> None:
    """Give ``user`` a password an administrator chose and told them. The user
    must replace it before anything else: the administrator knows it."""
    user.set_password(password)
    user.save(update_fields=["password"])
    AccountProfile.objects.update_or_create(
        user=user, defaults={"must_change_password": True}
    )


@transaction.atomic
def account_password_changed(*, user) -> None:
    """The user chose their own password: no change is asked of them any more.
    (The views that let them choose it save the password themselves.)"""
    AccountProfile.objects.filter(user=user, must_change_password=True).update(
        must_change_password=False
    )


def account_send_password_reset(*, user) -> None:
    """Email ``user`` a link to choose a new password (Django's reset token: valid
    PASSWORD_RESET_TIMEOUT, spent once the password changes). Raises
    ServiceError when no email can reach them; nothing is written."""
    if not settings.EMAIL_ENABLED:
        raise ServiceError(_("Email is not configured on this server."))
    if not user.email or not user.is_active or not user.has_usable_password():
        raise ServiceError(
            _("%(name)s has no email address or no active account.")
            % {"name": display_name(user)}
        )
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "registration/password_reset_email.txt",
            {
                "user_name": display_name(user),
                "organization": selectors.organization_name(),
                "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
                "reset_url": settings.SITE_URL + path,
            },
        )
        subject = gettext("Choose a new password for the rule-of-law checklist")
    EmailMessage(subject, body, to=[user.email]).send()
