"""Badges shared by every page, so a status looks the same everywhere."""

from functools import lru_cache

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext

from tracker import evidence_files, models, permissions
from tracker.models import Obligation

register = template.Library()


@register.filter
def display_name(user):
    """``{{ user|display_name }}``: the full name, else the login
    (``tracker.models.display_name``)."""
    return models.display_name(user)


@register.filter
def preview_kind(evidence):
    """``{{ evidence|preview_kind }}``: "image", "pdf" or None
    (``tracker.evidence_files.preview_kind``)."""
    return evidence_files.preview_kind(evidence.content_type)


@register.simple_tag
def status_badge(status):
    """<span class="badge status-done">已办结</span> for a status value."""
    return _status_badge(status, translation.get_language())


@lru_cache(maxsize=64)
def _status_badge(status, language):
    # Per status and language: a list page shows the same few badges 50 times.
    label = Obligation.Status(status).label if status else ""
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def supervision_badge(level):
    """A 三色督办 badge; nothing for "none"."""
    if not level or level == Obligation.SupervisionLevel.NONE:
        return ""
    return _supervision_badge(level, translation.get_language())


@lru_cache(maxsize=64)
def _supervision_badge(level, language):
    label = Obligation.SupervisionLevel(level).label
    return format_html('<span class="badge supervision-{}">{}</span>', level, label)


@register.simple_tag
def rating_badge(rating):
    """The result's rating (优秀 … 较差) as a badge; nothing when not rated."""
    if not rating:
        return ""
    label = Obligation.Rating(rating).label
    return format_html('<span class="badge rating-{}">{}</span>', rating, label)


@register.simple_tag
def overdue_badge(obligation, today):
    if obligation.is_overdue(today):
        return format_html(
            '<span class="badge overdue-badge">{}</span>', gettext("Overdue")
        )
    return ""


@register.filter
def acknowledgeable_by(obligation, user):
    """Whether ``user`` may acknowledge (签收) ``obligation`` now: for the one-click
    buttons of /my/. No query: the user's departments are cached and /my/ reads
    the obligations with their report."""
    return (
        obligation.acknowledged_at is None
        and obligation.status != Obligation.Status.DONE
        and permissions.is_writable(obligation.report)
        and permissions.can_acknowledge(user, obligation)
    )


@register.filter
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
