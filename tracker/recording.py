"""The texts written into the record (timeline entries, history reasons,
notifications) in the organisation's language, whatever the writer's interface
language: services and notifications both write them."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import translation

# ``_`` is the lazy gettext, as in every tracker module: labels and messages
# become text when used, in the reader's language or the record's
# (``in_record_language``).
from django.utils.translation import gettext_lazy as _

from .models import (
    Obligation,
    display_name,
    open_work_years,
)


def display_value(value):
    if value in (None, ""):
        return "—"
    if isinstance(value, AbstractBaseUser):
        # People are known by name in the timeline, not by login.
        return display_name(value)
    return str(value)


def in_record_language(message):
    """``message`` in the organisation's language (settings.LANGUAGE_CODE).

    Timeline and history texts are an official record that other people read later,
    so they are written in the report's language, not in the language of whoever's
    browser made the change.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


def change_line(label, old, new):
    """ "Label: old → new" for the timeline, in the organisation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{label}: {display_value(old)} → {display_value(new)}"


def rating_record(rating, comment=""):
    """The lines an approval adds to its timeline entry, in the record language."""
    lines = [
        record_text(_("Rating: %(rating)s"), rating=Obligation.Rating(rating).label)
    ]
    if comment:
        lines.append(record_text(_("Rating comment: %(comment)s"), comment=comment))
    return "\n".join(lines)


def wording_record(wording):
    """The timeline's line for an item's 报告用语, in the record language."""
    return record_text(_("Report wording: %(wording)s"), wording=wording)


def record_text(message, **params):
    """``message % params`` in the organisation's language (see ``_recorded``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % params


def obligation_name(obligation):
    """ "4.1 title" in the record and notifications; "2022 · 4.1 title" while more
    than one report has open work (``selectors.reports.labels_years``' rule), when
    two items may share a code."""
    years = open_work_years()
    if len(years) > 1:
        year = years.get(obligation.report_id) or obligation.report.year
        return f"{year} · {obligation.code} {obligation.title}"
    return f"{obligation.code} {obligation.title}"
