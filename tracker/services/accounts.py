"""Accounts: temporary passwords, forced changes and the password-reset mail."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    AccountProfile,
    Department,
    Organization,
    display_name,
    only_organization,
)
from ..notifications.events import email
from ..selectors.reports import organization_name
from .common import ServiceError
from .dashboard import reports_invalidate_dashboards


@transaction.atomic
def account_set_temporary_password(*, user, password: str) -> None:
    """Give ``user`` a password an administrator chose and told them. The user
    must replace it before anything else: the administrator knows it."""
    user.set_password(password)
    user.save(update_fields=["password"])
    AccountProfile.objects.update_or_create(
        user=user, defaults={"must_change_password": True}
    )


def account_create_check(*, role: str, departments=()) -> None:
    """Why ``account_create`` would refuse ``role`` with ``departments``
    (ServiceError), for the add-user form to say it beside the fields."""
    if role not in permissions.ROLE_GROUPS:
        raise ServiceError(_("Choose a role."))
    if role == permissions.HEAD_ROLE and not departments:
        raise ServiceError(_("Choose the departments this head is responsible for."))


@transaction.atomic
def account_create(
    *,
    user,
    role: str,
    departments=(),
    temporary_password: bool = True,
    organization=None,
):
    """Save the new ``user`` (built by the admin's add-user form, its password
    already set) with ``role`` (a key of ``permissions.ROLE_GROUPS``) and member of
    ``departments``, in one transaction; a head (单位负责人) heads them too, and
    needs at least one. A password the administrator typed is temporary: the
    user must replace it at the first login. The account belongs to
    ``organization``, by default the only one when the deployment has one (what it
    sees: ``Organization``)."""
    account_create_check(role=role, departments=departments)
    if role == permissions.ADMIN_ROLE:
        user.is_staff = user.is_superuser = True
    user.save()
    group = permissions.ROLE_GROUPS[role]
    if group:
        # The leaders' group comes with its own migration (the leaders' cockpit);
        # until a database has it, the first leader made creates it.
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    for department in departments:
        department.members.add(user)
        if role == permissions.HEAD_ROLE:
            department.heads.add(user)
    if organization is None:
        organization = only_organization()
    if organization is not None:
        AccountProfile.objects.update_or_create(
            user=user, defaults={"organization": organization}
        )
    if temporary_password and user.has_usable_password():
        AccountProfile.objects.update_or_create(
            user=user, defaults={"must_change_password": True}
        )
    # A new member changes what the pages say of their departments (the
    # dashboard's "Nobody to remind" among them), cached per report revision.
    reports_invalidate_dashboards()
    return user


@transaction.atomic
def account_password_changed(*, user) -> None:
    """The user chose their own password: no change is asked of them any more.
    (The views that let them choose it save the password themselves.)"""
    AccountProfile.objects.filter(user=user, must_change_password=True).update(
        must_change_password=False
    )


@transaction.atomic
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
                "organization": organization_name(),
                "days": settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60),
                "reset_url": settings.SITE_URL + path,
            },
        )
        subject = gettext("Choose a new password for the rule-of-law checklist")
    email(recipient=user, subject=subject, body=body)


# The sheet's 角色 column: its Chinese words or the roles' English keys.
SHEET_ROLES = {
    "经办人员": "staff",
    "staff": "staff",
    "督查人员": "supervisor",
    "supervisor": "supervisor",
    "单位负责人": "head",
    "head": "head",
}


class AccountImportError(ServiceError):
    """The sheet has errors: ``errors`` is [(row number, message)]; nothing was
    written."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(
            ngettext(
                "%(count)d row has errors; no account was created.",
                "%(count)d rows have errors; no account was created.",
                len({number for number, _message in errors}),
            )
            % {"count": len({number for number, _message in errors})}
        )


def _account_row_errors(row, *, organizations, departments, taken):
    errors = []
    organization = organizations.get(row.organization)
    if organization is None:
        errors.append(
            _("No organization is named “%(name)s”.") % {"name": row.organization}
        )
    if row.department and organization is not None:
        if (organization.pk, row.department) not in departments:
            errors.append(
                _("%(organization)s has no department “%(name)s”.")
                % {"organization": row.organization, "name": row.department}
            )
    role = SHEET_ROLES.get(row.role)
    if role is None:
        errors.append(
            _("Unknown role “%(role)s”: write 经办人员, 督查人员 or 单位负责人.")
            % {"role": row.role}
        )
    elif role in ("staff", "head") and not row.department:
        errors.append(_("Staff and heads need their department."))
    if not row.name:
        errors.append(_("The name is empty."))
    try:
        UnicodeUsernameValidator()(row.username)
    except ValidationError:
        errors.append(_("“%(login)s” is not a valid login.") % {"login": row.username})
    if row.username in taken:
        errors.append(_("The login “%(login)s” is taken.") % {"login": row.username})
    taken.add(row.username)
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            errors.append(
                _("“%(email)s” is not an email address.") % {"email": row.email}
            )
    if row.mobile and not (row.mobile.isdigit() and 5 <= len(row.mobile) <= 20):
        errors.append(
            _("“%(mobile)s” is not a mobile number.") % {"mobile": row.mobile}
        )
    return [(row.number, message) for message in errors]


@transaction.atomic
def accounts_import(*, rows, dry_run: bool = False) -> list[tuple[str, str]]:
    """Create one account per sheet row (``account_sheet.AccountRow``), each with a
    temporary password to change at the first login. Every row is checked first
    (organization and department exist, login free and unique in the sheet,
    role, email, mobile); any error raises ``AccountImportError`` listing them
    all and nothing is written. Returns [(login, temporary password)] (with
    ``dry_run``, the checks only: an empty list). A fixed number of queries for
    the checks, whatever the number of rows."""
    User = get_user_model()
    organizations = {o.name: o for o in Organization.objects.all()}
    departments = {
        (organization_id, name): pk
        for pk, organization_id, name in Department.objects.values_list(
            "pk", "organization_id", "name"
        )
    }
    usernames = [row.username for row in rows]
    taken = set(
        User.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    errors = []
    for row in rows:
        errors += _account_row_errors(
            row, organizations=organizations, departments=departments, taken=taken
        )
    if errors:
        raise AccountImportError(errors)
    if dry_run:
        return []
    groups = {g.name: g for g in Group.objects.all()}
    created = []
    for row in rows:
        password = secrets.token_urlsafe(9)
        user = User(username=row.username, first_name=row.name, email=row.email)
        user.set_password(password)
        user.save()
        role = SHEET_ROLES[row.role]
        user.groups.add(
            groups[permissions.ROLE_GROUPS.get(role) or permissions.STAFF_GROUP]
        )
        organization = organizations[row.organization]
        if row.department:
            department_id = departments[(organization.pk, row.department)]
            user.departments.add(department_id)
            if role == "head":
                user.headed_departments.add(department_id)
        AccountProfile.objects.create(
            user=user,
            organization=organization,
            mobile=row.mobile,
            must_change_password=True,
        )
        created.append((row.username, password))
    reports_invalidate_dashboards()  # new members: as account_create
    return created


@dataclass(frozen=True)
class DirectoryPerson:
    """What the government directory says of a person who signs in through it
    (``tracker.directory`` reads it): their login, name, email and mobile, the
    names of their organization and department ("" where the directory has
    none), and their role (a key of ``permissions.ROLE_GROUPS``, from their
    groups; ``None`` when they are in none of the tracker's)."""

    username: str
    name: str = ""
    email: str = ""
    mobile: str = ""
    organization: str = ""
    department: str = ""
    role: str | None = None


def _directory_organization(person):
    if not person.organization:
        organization = only_organization()
        if organization is None:
            raise ServiceError(
                _(
                    "The directory does not say which organization you work for: "
                    "ask its administrator to fill it in."
                )
            )
        return organization
    organization = Organization.objects.filter(name=person.organization).first()
    if organization is None:
        raise ServiceError(
            _(
                "The directory puts you in “%(name)s”, an organization this "
                "system does not know: ask its administrator."
            )
            % {"name": person.organization}
        )
    return organization


def _directory_department(person, organization):
    if not person.department:
        if person.role in ("staff", permissions.HEAD_ROLE):
            raise ServiceError(
                _(
                    "The directory does not say which department you work in: "
                    "ask its administrator to fill it in."
                )
            )
        return None
    department = Department.objects.filter(
        organization=organization, name=person.department, is_active=True
    ).first()
    if department is None:
        raise ServiceError(
            _(
                "The directory puts you in the department “%(department)s” of "
                "%(organization)s, which this system does not know: ask its "
                "administrator."
            )
            % {"department": person.department, "organization": organization.name}
        )
    return department


@transaction.atomic
def account_sync_from_directory(*, person: DirectoryPerson):
    """The account of ``person``, who has just proved their password to the
    government directory: created at their first login, brought in line with the
    directory at every login after (name, email, mobile, organization,
    department, role), so a move in the directory moves the account. The role's
    group replaces the other roles' groups; the department replaces the others;
    a head heads it. Administrators only through the directory's administrators'
    group (``person.role == "admin"``), and no longer once out of it.

    Raises ServiceError, writing nothing, when the person is in none of the
    tracker's groups, when their organization or department is unknown here, or
    when the login belongs to a local account (one with a password of its own:
    the directory never takes it over)."""
    if person.role not in permissions.ROLE_GROUPS:
        raise ServiceError(
            _(
                "Your directory account is in none of the groups that give a role "
                "here: ask the administrator."
            )
        )
    organization = _directory_organization(person)
    department = _directory_department(person, organization)
    User = get_user_model()
    user = User.objects.filter(username__iexact=person.username).first()
    if user is None:
        user = User(username=person.username.lower())
        user.set_unusable_password()
    elif user.has_usable_password():
        raise ServiceError(
            _(
                "“%(login)s” is an account of this system with its own password: "
                "sign in with that password."
            )
            % {"login": user.get_username()}
        )
    before = _directory_facts(user) if user.pk else None
    user.first_name = person.name[:150]
    user.last_name = ""
    user.email = person.email
    user.is_staff = user.is_superuser = person.role == permissions.ADMIN_ROLE
    user.save()
    role_groups = {name for name in permissions.ROLE_GROUPS.values() if name}
    user.groups.remove(*Group.objects.filter(name__in=role_groups))
    group = permissions.ROLE_GROUPS[person.role]
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    user.departments.set([department] if department else [])
    heads = department and person.role == permissions.HEAD_ROLE
    user.headed_departments.set([department] if heads else [])
    AccountProfile.objects.update_or_create(
        user=user,
        defaults={"organization": organization, "mobile": person.mobile[:20]},
    )
    if _directory_facts(user) != before:
        # A new account, or a move the pages show (a name, a department, a role):
        # as account_create. Not at every login, which would empty every cache.
        reports_invalidate_dashboards()
    return user


def _directory_facts(user):
    """What of an account the pages show and the directory may change."""
    return (
        user.get_full_name(),
        user.email,
        user.is_active,
        user.is_superuser,
        frozenset(user.groups.values_list("pk", flat=True)),
        frozenset(user.departments.values_list("pk", flat=True)),
        frozenset(user.headed_departments.values_list("pk", flat=True)),
    )
