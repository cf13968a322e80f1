"""The window a date typed or imported for a report may fall in.

A due date in year 9999 (a slip of the keyboard, or a pasted value) took every page
showing it down; a date far in the past is as surely a mistake. Due dates, extension
requests and the dates given to commands are refused outside a window around the
report's year: one year before it (work begun before the report was published) to
ten years after it, or after this year for a report still worked on years later
(the longest programmes of 法治政府建设 run five years).
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

YEARS_BEFORE = 1
YEARS_AFTER = 10


def window(year: int) -> tuple[date, date]:
    """The first and last day a date belonging to ``year`` may be."""
    latest = max(year, timezone.localdate().year)
    return date(year - YEARS_BEFORE, 1, 1), date(latest + YEARS_AFTER, 12, 31)


def out_of_window(day: date, *, year: int) -> str | None:
    """The refusal for ``day`` when it lies outside ``year``'s window, else None."""
    first, last = window(year)
    if first <= day <= last:
        return None
    return _("The date %(date)s is outside %(first)s to %(last)s.") % {
        "date": day.isoformat(),
        "first": first.isoformat(),
        "last": last.isoformat(),
    }
