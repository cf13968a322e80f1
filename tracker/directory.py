"""Login through the government directory over LDAP (django-auth-ldap).

``DirectoryBackend`` comes after the local accounts' backend when LDAP_SERVER_URI
is set (config/settings.py ``env_ldap``). django-auth-ldap finds the person and
checks their password against the directory; what it would write itself (the user
and its fields) is left to ``services.accounts.account_sync_from_directory``,
which maps organization, department and role at every login or refuses with a
reason the login form shows (``auth.refuse_login``).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import LDAPGroupQuery

from .auth import refuse_login
from .services.accounts import DirectoryPerson, account_sync_from_directory
from .services.common import ServiceError


class _Refused(Exception):
    pass


def _first(attrs, name):
    values = (attrs or {}).get(name) if name else None
    return values[0].strip() if values else ""


def directory_person(username, ldap_user) -> DirectoryPerson:
    """What the directory says of ``ldap_user``: their attributes through the
    attribute map (LDAP_ATTR_*), the organization by name or code, and their
    role, the first of LDAP_ROLE_GROUPS (strongest first) whose group they belong
    to."""
    attributes = settings.LDAP_ATTRIBUTES
    attrs = ldap_user.attrs
    # The attribute holds the organization's name, or a code LDAP_ORGANIZATION_CODES
    # names.
    organization = _first(attrs, attributes["organization"])
    role = next(
        (
            role
            for role, group_dn in settings.LDAP_ROLE_GROUPS.items()
            if LDAPGroupQuery(group_dn).resolve(ldap_user)
        ),
        None,
    )
    return DirectoryPerson(
        username=username,
        name=_first(attrs, attributes["name"]),
        email=_first(attrs, attributes["email"]),
        mobile=_first(attrs, attributes["mobile"]),
        organization=settings.LDAP_ORGANIZATION_CODES.get(organization, organization),
        department=_first(attrs, attributes["department"]),
        role=role,
    )


class DirectoryBackend(LDAPBackend):
    # Nothing written by django-auth-ldap itself: no attribute copied onto the user
    # and saved behind the service's back, no group mirrored.
    default_settings = {
        "ALWAYS_UPDATE_USER": False,
        "USER_ATTR_MAP": {},
        "MIRROR_GROUPS": False,
    }

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username, password, **kwargs)
        except _Refused as refused:
            refuse_login(request, str(refused))
            return None

    def get_or_build_user(self, username, ldap_user):
        """The account, made or brought in line with the directory by the
        service at every login (never "built" here: nothing left to save)."""
        try:
            user = account_sync_from_directory(
                person=directory_person(username, ldap_user)
            )
        except ServiceError as error:
            raise _Refused(str(error)) from error
        return user, False


def _directory_unreachable(sender, context, user, request, exception, **kwargs):
    # django-auth-ldap logs a directory that is down or refuses the search account
    # and answers "no such user"; the person would take it for a wrong password.
    if context in ("authenticate", "search_for_user_dn"):
        refuse_login(
            request,
            _(
                "The government directory could not be reached or refused the "
                "search: try again later, or sign in with an account of this "
                "system."
            ),
        )


ldap_error.connect(
    _directory_unreachable,
    sender=DirectoryBackend,
    dispatch_uid="tracker.directory.unreachable",
)
