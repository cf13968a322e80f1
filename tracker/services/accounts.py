"""Accounts: temporary passwords, forced changes and the password-reset mail."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import (
    AccountProfile,
    display_name,
    only_organization,
)
from ..notifications.events import email
from ..selectors.reports import organization_name
from .common import ServiceError


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
