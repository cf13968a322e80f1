"""Where a group-chat robot may be: the rules for a department's webhook address.

The server itself makes the request, so an address is a way to make it talk to any
host it can reach: its own loopback services, the cloud's metadata address
(169.254.169.254), the intranet. A robot of 企业微信 or 钉钉 is a public https
address, so:

- the address is https; http only with ``WEBHOOK_ALLOW_HTTP=1`` (a relay on the
  intranet that does not speak TLS);
- its host may not be, or resolve to, a loopback, link-local, private or otherwise
  non-public address, unless the host is listed in ``WEBHOOK_ALLOWED_HOSTS`` (the
  name or address exactly as written in the URL: a robot relay on the intranet, and
  the tests' local robot).

Checked twice: when the address is saved (``validate_webhook_url``, the admin's
form; a name is not resolved then, the intranet may not know public names) and when
a message is sent (``check_webhook_destination``, every address the name resolves
to), since a name can point elsewhere after it was saved.
"""

import ipaddress
import socket
import urllib.parse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Names that are the machine itself whatever the resolver says.
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class RefusedDestination(Exception):
    """The robot's address is not one the server may post to."""


def _host(url: str) -> tuple[str, str]:
    """(scheme, host) of ``url``, lower case; host "" when there is none."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:  # an unbalanced "[" in the host
        return "", ""
    return parts.scheme.lower(), host.lower().rstrip(".")


def _allowed_host(host: str) -> bool:
    return host in {name.lower().rstrip(".") for name in settings.WEBHOOK_ALLOWED_HOSTS}


def _scheme_allowed(scheme: str) -> bool:
    return scheme == "https" or (scheme == "http" and settings.WEBHOOK_ALLOW_HTTP)


def _numeric_address(host: str):
    """The address a numeric host means, in every form the resolver accepts
    ("127.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]"), or None for a
    name."""
    try:
        found = socket.getaddrinfo(
            host, None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
        )
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(found[0][4][0].split("%")[0])


def _refused(address) -> bool:
    """Loopback, link-local, private, reserved, multicast, unspecified, shared
    (100.64/10), documentation…: everything that is not a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global


def validate_webhook_url(url: str) -> None:
    """Raise ``ValidationError`` (a translated message) when a department's robot
    address breaks the rules above; an empty address is no robot."""
    if not url:
        return
    scheme, host = _host(url)
    if not _scheme_allowed(scheme):
        raise ValidationError(
            _("Enter an https:// address (http:// only where WEBHOOK_ALLOW_HTTP=1)."),
            code="webhook_scheme",
        )
    if not host:
        raise ValidationError(_("The address names no host."), code="webhook_host")
    if _allowed_host(host):
        return
    address = _numeric_address(host)
    if (
        host in _LOCAL_NAMES
        or host.endswith(".localhost")
        or (address is not None and _refused(address))
    ):
        raise ValidationError(
            _(
                "%(host)s is this server, a link-local or a private address: a group "
                "robot is a public address. (An intranet relay must be listed in "
                "WEBHOOK_ALLOWED_HOSTS.)"
            ),
            code="webhook_private",
            params={"host": host},
        )


def check_webhook_destination(url: str) -> None:
    """Before a post: raise ``RefusedDestination`` when the address breaks the rules,
    or its host resolves to any refused address now. (The message names the host,
    never the whole URL: the robot's key is in its query string.)"""
    scheme, host = _host(url)
    if not _scheme_allowed(scheme):
        raise RefusedDestination(f"{scheme or 'no'} scheme refused")
    if not host:
        raise RefusedDestination("no host")
    if _allowed_host(host):
        return
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise RefusedDestination(f"{host} is this server")
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedDestination(f"{host} does not resolve ({error})") from None
    for *_rest, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if _refused(address):
            raise RefusedDestination(f"{host} resolves to {address}, not public")
