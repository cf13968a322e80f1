"""The app's template tags: badges (``tracker.badges``), names and what a user may do
now (``tracker.permissions``)."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from tracker import badges, evidence_files, models, permissions
from tracker.selectors.reports import labels_years

register = template.Library()


# The header's links, by (language, script prefix, page, the two role links):
# a few dozen strings at most.
_NAV_LINKS = {}


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The header's links to the daily pages (tracker/_nav_links.html), drawn once
    per language, page and role links, then reused: their URLs and labels were a
    fifth of the time every page spent around its content (issue 27). What is the
    reader's own (the unread badge, the name, the forms' CSRF tokens) is drawn
    around them on each request."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    flags = {
        name: bool(_called(context.get(name)))
        for name in ("can_view_cockpit", "can_view_notice_register")
    }
    url_name = match.url_name if match else None
    key = (get_language(), get_script_prefix(), url_name, *flags.values())
    html = _NAV_LINKS.get(key)
    if html is None:
        html = _NAV_LINKS[key] = render_to_string(
            "tracker/_nav_links.html", {"url_name": url_name, **flags}
        )
    return mark_safe(html)  # noqa: S308 - our template's HTML


def _called(value):
    # The context processor's role checks are read when first called.
    return value() if callable(value) else value


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
    return permissions.can_acknowledge_now(user, obligation)


register.simple_tag(badges.status_badge)
register.simple_tag(badges.supervision_badge)
register.simple_tag(badges.rating_badge)
register.filter(badges.countdown)


@register.simple_tag(takes_context=True)
def item_code(context, obligation):
    """``{% item_code obligation %}``: "2022 · 4.1" while more than one report has
    open work (two items may then share a code), else "4.1". The one decision is
    ``selectors.reports.labels_years``, read once per request; the obligation
    needs its report's year (``select_related("report")``)."""
    request = context.get("request")
    if request is not None and labels_years(request):
        return f"{obligation.report.year} · {obligation.code}"
    return obligation.code


@register.filter
def days_since(moment, today):
    """Whole days from ``moment`` (a datetime) to ``today``: an item's age."""
    if moment is None:
        return None
    return (today - timezone.localtime(moment).date()).days
