"""The email a person receives, as the outbox hands it to the mail server.

- No line breaks in the subject or the sender's name: Django refuses a header with
  one (``BadHeaderError``), and a message refused for it stayed in the outbox, retried
  and refused again until it was given up.
- ``Date`` in Asia/Shanghai (+0800), as the reader's clock says, rather than -0000.
- ``Message-ID`` on the domain of ``SITE_URL``, not on the server's host name (which
  is often ``localhost``: some mail servers mark such mail as spam).
- ``Auto-Submitted: auto-generated`` (RFC 3834): out-of-office replies and mail loops
  leave these messages alone.
"""

import re
import urllib.parse
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

# CR, LF and every other character that ends a line somewhere (VT, FF, NEL, the
# Unicode line and paragraph separators), with the spaces around them.
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """``text`` with every line break turned into one space."""
    return _LINE_BREAKS.sub(" ", text or "").strip()


def build_email(*, subject: str, body: str, to: str, now=None) -> EmailMessage:
    """The ``EmailMessage`` for one outbox row (``to``: one address)."""
    domain = urllib.parse.urlsplit(settings.SITE_URL).hostname or "localhost"
    sent_at = timezone.localtime(now or timezone.now())
    return EmailMessage(
        one_line(subject),
        body,
        one_line(settings.DEFAULT_FROM_EMAIL),
        [to],
        headers={
            "Date": format_datetime(sent_at),
            "Message-ID": make_msgid(domain=domain),
            "Auto-Submitted": "auto-generated",
        },
    )
