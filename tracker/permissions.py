"""Who may do what: the one place views, templates and the admin ask.

Roles: ``staff`` (经办人员, members of departments), ``supervisor`` (督查人员) and
admins (superusers, or Django staff users with model permissions). Groups are created
by a data migration.
"""

from django.utils.translation import gettext_lazy as _

STAFF_GROUP = "staff"
SUPERVISOR_GROUP = "supervisor"


def _group_names(user):
    # Cached on the user object: templates ask several times per page.
    if not hasattr(user, "_tracker_groups"):
        user._tracker_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._tracker_groups


def is_admin(user):
    return user.is_authenticated and user.is_active and user.is_superuser


def is_supervisor(user):
    return user.is_authenticated and SUPERVISOR_GROUP in _group_names(user)


def is_staff_member(user):
    return user.is_authenticated and STAFF_GROUP in _group_names(user)


def role_label(user):
    if is_admin(user):
        return _("Administrator")
    if is_supervisor(user):
        return _("Supervisor")
    if is_staff_member(user):
        return _("Staff")
    return ""
