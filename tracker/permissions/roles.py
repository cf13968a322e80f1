"""The roles (groups), the user's organization and departments, what each role
may read, and who reviews."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import (
    AccountProfile,
    Department,
    Notification,
    Organization,
    several_organizations,
)

# What the package re-exports: the rest of the package calls these as
# permissions.NAME (tracker/permissions/__init__.py).
__all__ = [
    "ADMIN_PERMISSION",
    "ADMIN_ROLE",
    "HEAD_ROLE",
    "LEADER_GROUP",
    "ROLE_GROUPS",
    "STAFF_GROUP",
    "SUPERVISOR_GROUP",
    "acting_supervisors",
    "acts_in",
    "acts_in_obligation",
    "can_assign",
    "can_read_all",
    "can_review",
    "group_label",
    "is_admin",
    "is_department_staff",
    "is_leader",
    "is_supervisor",
    "lands_on_my_work",
    "organization_supervisors_and_leaders",
    "role_choices",
    "role_label",
    "supervisors",
    "supervisors_of",
    "unread_count_read_with_roles",
    "user_cache_signature",
    "user_organization",
]

STAFF_GROUP = "staff"
SUPERVISOR_GROUP = "supervisor"
LEADER_GROUP = "leader"  # 领导
# The model permission that makes a Django staff user an admin of the tracker.
ADMIN_PERMISSION = "tracker.change_obligation"


def supervisors():
    """The active supervisors (督查人员), in a stable order: who hears of a
    submission or an extension request, and who gets the daily lists."""
    return (
        get_user_model()
        .objects.filter(groups__name=SUPERVISOR_GROUP, is_active=True)
        .distinct()
        .order_by("pk")
    )


def acting_supervisors():
    """The active supervisors who act on some organization's items: those of an
    organization, and those without one while the deployment has at most one
    organization (a single county's accounts from before organizations). Once it
    has several, a supervisor without an organization sees no county's items
    (``organization_scope_q``) and so hears of none: neither the daily lists nor
    the notifications of submissions and extension requests."""
    return supervisors().filter(
        Q(account_profile__organization__isnull=False) | Q(~several_organizations())
    )


def supervisors_of(report_id):
    """The supervisors who act on ``report_id``'s items: its organization's (and,
    in a single-organization deployment, those without one:
    ``acting_supervisors``), not another county's nor the city's, who read but
    do not review (``acts_in``)."""
    return acting_supervisors().filter(
        Q(account_profile__organization__isnull=True)
        | Q(account_profile__organization__reports=report_id)
    )


def organization_supervisors_and_leaders(organization_id):
    """The active supervisors and leaders of one organization: who hears of, and
    answers, the city's 催办 and 督办单 to it as a whole."""
    return (
        get_user_model()
        .objects.filter(
            groups__name__in=(SUPERVISOR_GROUP, LEADER_GROUP),
            is_active=True,
            account_profile__organization=organization_id,
        )
        .distinct()
        .order_by("pk")
    )


@dataclass(frozen=True)
class ReaderFacts:
    """What nearly every page needs of the person reading it: their group names
    (the roles), their organization (id and materialized path, None without
    one), the departments they belong to and head (whether they work on an item,
    sign it off) and the header's unread count."""

    group_names: frozenset[str]
    organization_id: int | None
    organization_path: str | None
    department_ids: frozenset[int]
    headed_department_ids: frozenset[int]
    unread: int


def _reader_facts(user) -> ReaderFacts:
    """``ReaderFacts`` in one statement, which every page with the header runs
    (the roles, the organization scope, the departments and the badge each used
    to read on their own: up to five queries). One row per group, organization,
    department and headed department, kept apart by a tag (a join of them would
    multiply them). Written in SQL: building and compiling the same reads with
    the ORM cost more than running them."""
    user_model = get_user_model()
    q = connection.ops.quote_name

    def table(model):
        return q(model._meta.db_table)

    def column(model, name):
        return q(model._meta.get_field(name).column)

    membership = user_model.groups.through
    group = user_model.groups.field.related_model
    members, heads = Department.members.through, Department.heads.through
    sql = (
        # The first row's types are the union's: a typed NULL, which PostgreSQL
        # would otherwise read as text.
        f"SELECT 'g', CAST(NULL AS BIGINT), g.{column(group, 'name')}"
        f" FROM {table(membership)} m JOIN {table(group)} g"
        f" ON g.{q(group._meta.pk.column)} = m.{column(membership, 'group')}"
        f" WHERE m.{column(membership, 'user')} = %s"
        f" UNION ALL SELECT 'o', p.{column(AccountProfile, 'organization')},"
        f" o.{column(Organization, 'path')}"
        f" FROM {table(AccountProfile)} p LEFT JOIN {table(Organization)} o"
        f" ON o.{q(Organization._meta.pk.column)}"
        f" = p.{column(AccountProfile, 'organization')}"
        f" WHERE p.{column(AccountProfile, 'user')} = %s"
        f" UNION ALL SELECT 'm', {column(members, 'department')}, NULL"
        f" FROM {table(members)} WHERE {column(members, 'user')} = %s"
        f" UNION ALL SELECT 'h', {column(heads, 'department')}, NULL"
        f" FROM {table(heads)} WHERE {column(heads, 'user')} = %s"
        f" UNION ALL SELECT 'n', COUNT(*), NULL FROM {table(Notification)}"
        f" WHERE {column(Notification, 'recipient')} = %s"
        f" AND {column(Notification, 'read_at')} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * 5)
        rows = cursor.fetchall()
    by_kind = {"g": [], "o": [], "m": [], "h": [], "n": []}
    for kind, number, text in rows:
        by_kind[kind].append((number, text))
    organization_id, path = by_kind["o"][0] if by_kind["o"] else (None, None)
    return ReaderFacts(
        group_names=frozenset(name for _number, name in by_kind["g"]),
        organization_id=organization_id,
        organization_path=path,
        department_ids=frozenset(number for number, _text in by_kind["m"]),
        headed_department_ids=frozenset(number for number, _text in by_kind["h"]),
        unread=by_kind["n"][0][0],
    )


def _group_names(user):
    # Cached on the user object: templates ask several times per page. The same
    # statement reads the user's organization (``_organization``), departments
    # (``_department_ids``, ``_headed_department_ids``) and the header's unread
    # count (``unread_count_read_with_roles``): no second one.
    if not hasattr(user, "_tracker_groups"):
        facts = _reader_facts(user)
        user._tracker_groups = facts.group_names
        user._tracker_organization = (facts.organization_id, facts.organization_path)
        user._tracker_department_ids = facts.department_ids
        user._tracker_headed_department_ids = facts.headed_department_ids
        user._tracker_unread = facts.unread
    return user._tracker_groups


def unread_count_read_with_roles(user):
    """The unread count read with the user's roles in this request (reading the
    roles first if nothing did), for the header's badge."""
    _group_names(user)
    return user._tracker_unread


def _organization(user):
    """(id, path) of the user's organization, (None, None) without one."""
    if not user.is_authenticated:
        return (None, None)
    if not hasattr(user, "_tracker_groups"):
        # The groups' query reads the organization too; nearly every page asks
        # for both (the obligation page asked for the organization first: two
        # queries).
        _group_names(user)
    if not hasattr(user, "_tracker_organization"):
        row = (
            AccountProfile.objects.filter(user_id=user.pk)
            .values_list("organization_id", "organization__path")
            .first()
        )
        user._tracker_organization = row or (None, None)
    return user._tracker_organization


def user_organization(user):
    """The user's ``Organization`` (a query), or ``None``."""
    organization_id, _path = _organization(user)
    if organization_id is None:
        return None
    return Organization.objects.get(pk=organization_id)


def acts_in(user, report):
    """Whether ``user`` may act inside ``report``'s workflow: its own
    organization's people only. A city's supervisors read a county's items,
    rank and chase the county as a whole, but do not approve, assign or work on
    its items: the county's own supervisors do (``post_obligation_form`` and the
    status buttons ask). An account without an organization is a single-county
    deployment's, which sees only what it may act on."""
    organization_id, _path = _organization(user)
    return organization_id is None or organization_id == report.organization_unit_id


def acts_in_obligation(user, obligation):
    """``acts_in`` for an obligation read with its report."""
    return acts_in(user, obligation.report)


def _department_ids(user):
    # Read with the roles (``_reader_facts``): a detail page asks once per form
    # and per evidence row.
    _group_names(user)
    return user._tracker_department_ids


def _headed_department_ids(user):
    _group_names(user)
    return user._tracker_headed_department_ids


def user_cache_signature(user) -> str:
    """Everything of ``user`` the helpers here read (their role, their
    organization, the departments they belong to and head), as text: the part of
    a cache key for what is drawn per user (/my/), so a change of any of them is
    a new key. No query once the roles were read (``_reader_facts``)."""
    organization_id, path = _organization(user)
    return ":".join(
        (
            str(user.pk),
            f"{user.is_active:d}{user.is_superuser:d}{is_admin(user):d}",
            ",".join(sorted(_group_names(user))),
            f"{organization_id}@{path}",
            ",".join(map(str, sorted(_department_ids(user)))),
            ",".join(map(str, sorted(_headed_department_ids(user)))),
        )
    )


def is_admin(user):
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (user.is_staff and user.has_perm(ADMIN_PERMISSION))


def is_supervisor(user):
    return user.is_authenticated and SUPERVISOR_GROUP in _group_names(user)


def is_department_staff(user):
    return user.is_authenticated and STAFF_GROUP in _group_names(user)


def is_leader(user):
    """A county leader (县领导): reads everything, writes 批示, signs 督办单."""
    return (
        user.is_authenticated and user.is_active and LEADER_GROUP in _group_names(user)
    )


def can_read_all(user):
    """Read everything of the organization: every department's evidence, the
    register, the ranking, the 调度表, the draft and the archive. The reviewers and
    the leaders; the one place to scope leaders to their organization."""
    return can_review(user) or is_leader(user)


# The roles an administrator gives a new user (the add-user form), with the group
# each one means: a head (单位负责人) is staff who also heads the departments
# chosen; "admin" is a Django superuser, given only by a superuser.
ADMIN_ROLE, HEAD_ROLE = "admin", "head"
ROLE_GROUPS = {
    "staff": STAFF_GROUP,
    HEAD_ROLE: STAFF_GROUP,
    "supervisor": SUPERVISOR_GROUP,
    "leader": LEADER_GROUP,
    ADMIN_ROLE: None,
}
_ROLE_LABELS = {  # the roles' keys are their groups' names, where they have one
    "staff": _("Staff"),
    HEAD_ROLE: _("Department head"),
    "supervisor": _("Supervisor"),
    "leader": _("Leader"),
    ADMIN_ROLE: _("Administrator"),
}


def role_choices(user):
    """(role, label) an administrator ``user`` may give: a superuser may also make
    administrators; nobody else may hand out more than they have."""
    every = list(_ROLE_LABELS.items())  # the administrator last
    return every if user.is_superuser else every[:-1]


def group_label(name):
    """A role group's name in the reader's language (the groups keep their
    English names: the code looks them up by it)."""
    return _ROLE_LABELS.get(name, name)


def lands_on_my_work(user):
    """Supervisors and heads (单位负责人) start from their queue, /my/."""
    return is_supervisor(user) or bool(_headed_department_ids(user))


def role_label(user):
    if is_admin(user):
        return _("Administrator")
    if is_supervisor(user):
        return _("Supervisor")
    if is_leader(user):
        return _("Leader")
    if is_department_staff(user):
        return _("Staff")
    return ""


# --- Object permissions ---------------------------------------------------------


def can_review(user):
    """Approve, return, reopen and set the supervision level."""
    return is_admin(user) or (user.is_active and is_supervisor(user))


def can_assign(user):
    """Assign a department, an owner or a due date: the reviewers' job."""
    return can_review(user)
