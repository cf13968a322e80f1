"""Who hears of an event: the department's people or the supervisors, and how
each of them wants email.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from .. import permissions
from ..models import Notification, NotificationPreference

Kind = Notification.Kind
Mode = NotificationPreference.Email


# The people working on the obligation (its department's members and its owner),
# or the supervisors. Kinds addressed to the workers also go to the department's
# group chat, if it has one.
_TO_WORKERS = frozenset(
    {
        Kind.ASSIGNED,
        Kind.RETURNED,
        Kind.APPROVED,
        Kind.SUPERVISION,
        Kind.EXTENSION_DECIDED,
        Kind.REMINDER,
    }
)
_TO_SUPERVISORS = frozenset({Kind.SUBMITTED, Kind.EXTENSION_REQUESTED})


def unit_people(department, *, owner=None):
    """The members and heads of a unit (and a responsible person from elsewhere):
    who hears of a chase (催办) or of a part given to the unit."""
    User = get_user_model()
    people = Q(departments=department.pk) | Q(headed_departments=department.pk)
    if owner is not None:
        people |= Q(pk=owner.pk)
    return User.objects.filter(people, is_active=True).distinct().order_by("pk")


def audience(kind, obligation, *, actor=None):
    """(users, department) to notify of an event of ``kind`` on ``obligation``.

    Assigned, returned, approved, supervision raised, extension decided, reminders:
    the members of the obligation's department and its owner, and the department's
    group chat. Submitted for review, extension requested: the supervisors. Nobody
    is told about their own action; inactive accounts are left out.
    """
    User = get_user_model()
    if kind in _TO_WORKERS:
        # Built from what is set: a None here would match every user without one.
        working = Q(pk__in=[])
        if obligation.department_id is not None:
            working |= Q(departments=obligation.department_id)
        if obligation.owner_id is not None:
            working |= Q(pk=obligation.owner_id)
        users = User.objects.filter(working)
        department = obligation.department
    elif kind in _TO_SUPERVISORS:
        users = permissions.supervisors_of(obligation.report_id)
        department = None
    elif kind == Kind.SIGNOFF:
        # 单位审核: the heads of the obligation's department.
        users = User.objects.filter(headed_departments=obligation.department_id)
        department = None
    else:
        raise ValueError(f"no audience for {kind!r}")
    users = users.filter(is_active=True).distinct().order_by("pk")
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    return list(users), department


def email_enabled():
    return settings.EMAIL_ENABLED


def email_modes(users):
    """{user pk: NotificationPreference.Email} for each user, in one query: what
    they chose, or inbox only when there is no mail server or no address."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users).values_list(
            "user_id", "email"
        )
    )
    return {
        user.pk: (
            Mode(chosen.get(user.pk, NotificationPreference.DEFAULT))
            if email_enabled() and user.email
            else Mode.INBOX_ONLY
        )
        for user in users
    }
