"""The texts people read: email subjects and bodies, group-chat posts, digests."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from ..recording import obligation_name
from .audience import Kind

# Messages are written in the organisation's language, like the timeline: they are
# composed once, when the event happens, for people whose browser language we do
# not know.


def labelled(kind, text):
    return gettext("%(kind)s: %(text)s") % {"kind": Kind(kind).label, "text": text}


def site_name():
    return gettext("Rule-of-law checklist")


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def email_subject(kind, obligation):
    with translation.override(settings.LANGUAGE_CODE):
        about = obligation_name(obligation) if obligation else ""
        subject = f"[{site_name()}] {labelled(kind, about)}"
    return subject[:200]


def email_body(text, obligation):
    """An event's email (templates/tracker/notifications/event_email.txt)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "tracker/notifications/event_email.txt",
            {
                "text": text,
                "url": (
                    absolute_url(obligation.get_absolute_url()) if obligation else ""
                ),
                "links": notification_links(),
            },
        )


def notification_links():
    """The inbox and the preferences, in every email's footer."""
    return {
        "inbox": absolute_url(reverse("tracker:notification_list")),
        "prefs": absolute_url(reverse("tracker:notification_preferences")),
    }


def webhook_text(kind, text, obligation):
    with translation.override(settings.LANGUAGE_CODE):
        content = f"【{site_name()}】{labelled(kind, text)}"
        if obligation is not None:
            content += "\n" + absolute_url(obligation.get_absolute_url())
    return content


def digest_subject(count, day):
    with translation.override(settings.LANGUAGE_CODE):
        return ngettext(
            "[%(site)s] Daily digest %(day)s: %(count)d item",
            "[%(site)s] Daily digest %(day)s: %(count)d items",
            count,
        ) % {"site": site_name(), "day": day, "count": count}
