"""Badges shared by every page and the obligation table, so a status looks the
same everywhere (registered as template tags in ``templatetags.tracker_tags``)."""

from functools import lru_cache

from django.utils import timezone, translation
from django.utils.html import format_html

from .models import Obligation


def status_badge(status):
    """<span class="badge status-done">已办结</span> for a status value."""
    return _status_badge(status, translation.get_language())


@lru_cache(maxsize=64)
def _status_badge(status, language):
    # Per status and language: a list page shows the same few badges 50 times.
    label = Obligation.Status(status).label if status else ""
    return format_html('<span class="badge status-{}">{}</span>', status, label)


def supervision_badge(level):
    """A 三色督办 badge; nothing for "none"."""
    if not level or level == Obligation.SupervisionLevel.NONE:
        return ""
    return _supervision_badge(level, translation.get_language())


@lru_cache(maxsize=64)
def _supervision_badge(level, language):
    label = Obligation.SupervisionLevel(level).label
    return format_html('<span class="badge supervision-{}">{}</span>', level, label)


def rating_badge(rating):
    """The result's rating (优秀 … 较差) as a badge; nothing when not rated."""
    if not rating:
        return ""
    label = Obligation.Rating(rating).label
    return format_html('<span class="badge rating-{}">{}</span>', rating, label)


def countdown(obligation):
    """剩余 N 个工作日 / 今日到期 / 超期 N 个工作日 next to a due date
    (``models.countdown``); nothing without a due date or once done."""
    state = obligation.countdown(timezone.localdate())
    if state is None:
        return ""
    return format_html(
        '<span class="countdown countdown-{}" data-countdown="{}" data-workdays="{}">'
        "{}</span>",
        state.state,
        state.state,
        state.workdays,
        state.label,
    )
