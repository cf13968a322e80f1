"""The administrators' and the city's rules: deleting accounts and units, the
organizations' pages, rankings, weights, the thesaurus, imports."""

from django.db.models import Q

from ..models import (
    Evidence,
    Obligation,
    Part,
    ProgressUpdate,
    Report,
    ReportEvent,
)
from .roles import (
    _organization,
    can_read_all,
    is_admin,
    is_leader,
    is_supervisor,
    user_organization,
)

# What the package re-exports: the rest of the package calls these as
# permissions.NAME (tracker/permissions/__init__.py).
__all__ = [
    "SUPERVISING_KINDS",
    "can_delete_department",
    "can_delete_user",
    "can_edit_departments_in_admin",
    "can_edit_thesaurus",
    "can_import_accounts",
    "can_import_report",
    "can_set_assessment_weights",
    "can_view_organizations",
    "can_view_ranking",
    "can_supervise_organization",
    "can_answer_organization_supervision",
    "can_view_organization_supervision",
]


def can_delete_user(account):
    """Only an account the record never names: no history row, timeline entry or
    evidence by them, and no obligation they are or were responsible for. Anyone
    else is deactivated instead, so the record keeps saying who did what."""
    return not (
        Obligation.history.filter(Q(history_user=account) | Q(owner=account)).exists()
        or Evidence.history.filter(history_user=account).exists()
        or ProgressUpdate.objects.filter(author=account).exists()
        or Evidence.objects.filter(
            Q(uploaded_by=account) | Q(withdrawn_by=account)
        ).exists()
        or Obligation.objects.filter(owner=account).exists()
        or Report.objects.filter(closed_by=account).exists()
        or ReportEvent.objects.filter(user=account).exists()
    )


def can_delete_department(department):
    """Only a department no obligation is or was assigned to (history included)."""
    return not (
        Obligation.objects.filter(department=department).exists()
        or Obligation.history.filter(department=department).exists()
        or Part.objects.filter(department=department).exists()
    )


# The kinds of organization that supervise others below them (the city's 依法治市办).
SUPERVISING_KINDS = ("province", "city")


def can_view_organizations(user, organization):
    """The city's pages (/organizations/, their ranking and 通报): the
    supervisors and admins of a city or a province (``organization``, the user's),
    or of the whole platform (no organization). A county's own supervisors have
    their department ranking instead. A city's leaders read them as its
    supervisors do (``can_read_all``)."""
    if not can_read_all(user):
        return False
    if organization is None:
        return _organization(user)[0] is None
    return organization.kind in SUPERVISING_KINDS


def can_supervise_organization(user, organization):
    """催办 and 督办单 to ``organization`` as a whole: the supervisors and leaders
    of a city or a province above it (``can_view_organizations``), or the
    platform's administrator. Nobody chases their own organization this way: a
    county's supervisors chase its units item by item, and nobody an
    organization outside their own subtree (which ``get_organization_or_404``
    answers with 404 before this is asked)."""
    own = user_organization(user)
    if own is not None and (
        own.pk == organization.pk or not organization.path.startswith(own.path)
    ):
        return False
    return user.is_active and can_view_organizations(user, own)


def can_answer_organization_supervision(user, supervision):
    """The county addressed answers: its own supervisors and leaders, not its
    staff, not the city, not an administrator on its behalf."""
    return (
        user.is_authenticated
        and user.is_active
        and (is_supervisor(user) or is_leader(user))
        and _organization(user)[0] == supervision.organization_id
    )


def can_view_organization_supervision(user, supervision):
    """The county's supervisors and leaders, and whoever may send one to it."""
    return can_answer_organization_supervision(
        user, supervision
    ) or can_supervise_organization(user, supervision.organization)


def can_view_ranking(user):
    """The department ranking (考核排名) and its exports: the reviewers' tool, like
    the notice register."""
    return can_read_all(user)


def can_set_assessment_weights(user):
    """The weights of the ranking's score are set by an administrator."""
    return is_admin(user)


def can_edit_thesaurus(user):
    """The thesaurus the suggestions use is extended by an administrator."""
    return is_admin(user)


def can_edit_departments_in_admin(user):
    """The dashboard's "Edit in the admin" link beside a department nobody is
    reminded in. Only staff reach the admin, so the others are answered without
    reading their permissions (two queries on every supervisor's dashboard)."""
    return (
        user.is_active and user.is_staff and user.has_perm("tracker.change_department")
    )


def can_import_accounts(user):
    """The admin's account import (the accounts sheet): whoever may add users."""
    return user.is_active and user.has_perm("auth.add_user")


def can_import_report(user):
    """The admin's "Import a report" page: whoever may add reports (superusers)."""
    return user.is_active and user.has_perm("tracker.add_report")
