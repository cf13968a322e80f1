"""The dashboard: the report's figures, cached per report revision and day."""

import hashlib
import re
from typing import NamedTuple
from urllib.parse import urlencode

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import (
    require_GET,
)

from .. import charts, permissions
from ..models import (
    DUE_SOON_DAYS,
    Obligation,
    Report,
    due_within_range,
)
from ..selectors.dashboard import (
    LIST_LIMIT,
    PROBLEM_LIMIT,
    awaiting_review_list,
    completion_by_week,
    completion_over_time,
    dashboard_cache_key,
    department_scorecards,
    due_soon_list,
    latest_updates,
    open_work_by_report,
    overall_scorecard,
    overdue_list,
    pending_extensions,
    problems_with_tasks,
    section_tree,
    supervision_queue_counts,
    unacknowledged_list,
    years_missing_holidays,
)
from ..selectors.followups import recurring_problems
from ..selectors.queue import worker_silence
from ..selectors.reminders import unreachable_departments
from ..selectors.reports import (
    open_work_reports_of_request,
    reports_for_selector,
    selected_report,
)


class ReportChoice(NamedTuple):
    """What a page with the report selector shows: ``reports`` (all, for the
    selector), ``chosen`` (the one chosen with ?report=, or None) and ``shown``:
    the chosen one, else every report with open work (oldest year first), else
    the latest. Never silently the newest while an older year has work open."""

    reports: list
    chosen: Report | None
    shown: list

    @property
    def report(self) -> Report | None:
        """The one report shown, or None when several are (or none exists)."""
        return self.shown[0] if len(self.shown) == 1 else None

    @property
    def several(self) -> bool:
        return len(self.shown) > 1


def report_choice(request, *, cached=False) -> ReportChoice:
    """``cached``: which reports have open work comes from the cache while no
    report changed (the dashboard, whose figures are cached too)."""
    reports = list(reports_for_selector(request.user))
    chosen = selected_report(reports, request.GET.get("report"))
    if chosen is not None:
        return ReportChoice(reports, chosen, [chosen])
    by_pk = {report.pk: report for report in reports}
    shown = [
        by_pk[pk]
        for pk in open_work_reports_of_request(
            request, reports=reports if cached else None
        )
        if pk in by_pk
    ]
    if not shown and reports:
        shown = [reports[0]]
    return ReportChoice(reports, None, shown)


def list_url(**params):
    """The obligation list filtered by ``params`` (a link to "all of them")."""
    return f"{reverse('tracker:obligation_list')}?{urlencode(params, doseq=True)}"


@require_GET
def dashboard(request):
    choice = report_choice(request, cached=True)
    report = choice.report
    context = {"reports": choice.reports, "report": report, "choice": choice}
    if permissions.is_admin(request.user):
        # Mail and group-chat posts wait in the queue while no worker runs: the
        # administrators are the ones who can start one (docs/deploy.md).
        context["worker_silence"] = worker_silence()
    today = timezone.localdate()
    if choice.several:
        # Several years with open work: what waits in each, side by side, and the
        # selector to open one year's full figures.
        context.update(
            today=today,
            open_years=open_work_by_report(
                Obligation.objects.visible_to(request.user),
                reports=choice.shown,
                today=today,
            ),
        )
        _add_unreachable(context, request.user, choice.reports)
        return render(request, "tracker/dashboard.html", context)
    if report is None:
        return render(request, "tracker/dashboard.html", context)
    # The report's figures are the same for every reader and change only with a
    # write (which bumps the report's revision in the key) or the day: rendered
    # once and cached. The page around them (the user's name, role and unread
    # count) is drawn for each request.
    key = dashboard_cache_key(report, today=today, language=translation.get_language())
    figures = rendered_once(
        key,
        "tracker/_dashboard_figures.html",
        lambda: _dashboard_figures(request.user, report, today=today),
    )
    context.update(today=today, figures=figures)
    # Outside the cached figures: only admins and supervisors see it.
    _add_unreachable(context, request.user, choice.reports)
    return render(request, "tracker/dashboard.html", context)


def _add_unreachable(context, user, reports):
    """ "Nobody to remind" for admins and supervisors, rendered once for the
    reader's reports at their revisions, their scope, the language and the admin
    link. What it shows changes with a write to those reports (the open items)
    or with a member, an address, a robot or a name, and every write of those
    bumps every report's revision too (the admin's saves and deactivations, and
    ``services.accounts``' account_create, accounts_import and directory sync):
    reading its departments' members on each request was the last query of a
    cached dashboard that no write needed."""
    if not permissions.can_view_reminder_gaps(user):
        return
    can_edit = permissions.can_edit_departments_in_admin(user)
    shown = ",".join(f"{report.pk}.{report.revision_number}" for report in reports)
    scope = reports[0].viewer_scope if reports else None
    digest = hashlib.sha256(f"{shown}:{scope}".encode()).hexdigest()[:32]
    key = (
        f"unreachable:{digest}:{user.is_superuser:d}:{can_edit:d}:"
        f"{translation.get_language()}"
    )
    context["unreachable"] = rendered_once(
        key,
        "tracker/_unreachable_departments.html",
        lambda: {
            "unreachable": unreachable_departments(user, reports=reports),
            "can_edit_departments": can_edit,
        },
    )


# A line's indentation before a tag. Escaped text has no "<", so only the templates'
# own indentation matches; the fragments below hold no <pre> or <textarea>, where it
# would show.
_INDENTATION = re.compile(r"\n[ \t]+(?=<)")


def without_indentation(html):
    """``html`` without the templates' indentation: what the browser collapses into
    one space anyway, 9 % of the dashboard's bytes, written and read on every
    request of a cached page."""
    return _INDENTATION.sub("\n", html)


# A cached rendering is replaced by the next write or day anyway; this only bounds
# how long an unused one takes room.
DASHBOARD_CACHE_SECONDS = 3600


def rendered_once(key, template_name, context, *, request=None):
    """``template_name`` rendered with ``context()`` (without its indentation) and
    kept under ``key``, or what is kept there already, as safe HTML: the pages'
    parts that are the same for every reader of a cache key. ``key`` None: rendered
    and not kept. The key is the caller's to make change with every write that
    changes what the part shows. A part with forms renders ``CSRF_SLOT`` as their
    token (``"csrf_token": CSRF_SLOT`` in the context) and is served through
    ``with_csrf_token``."""
    html = cache.get(key) if key else None
    if html is None:
        html = without_indentation(
            render_to_string(template_name, context(), request=request)
        )
        if key:
            cache.set(key, html, DASHBOARD_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our templates' HTML


# What ``{% csrf_token %}`` writes in a part cached for every reader, replaced by
# the reader's token (``with_csrf_token``). Quoted as only a template writes it:
# a name or a note in the part has its quotes escaped.
CSRF_SLOT = "csrf-token-slot"
_CSRF_INPUT = f'name="csrfmiddlewaretoken" value="{CSRF_SLOT}"'


def with_csrf_token(request, html):
    """``html`` with the reader's CSRF token in each of its forms: one masked
    token for all of them (each unmasks to the same secret), set in the cookie as
    ``{% csrf_token %}`` would."""
    if _CSRF_INPUT not in html:
        return html
    token = get_token(request)
    return mark_safe(  # noqa: S308 - our cached HTML, the token is alphanumeric
        html.replace(_CSRF_INPUT, f'name="csrfmiddlewaretoken" value="{token}"')
    )


def _dashboard_figures(user, report, *, today):
    """What tracker/_dashboard_figures.html shows of ``report``."""
    # An obligation no longer in the report's text is not counted (the list's
    # filter still finds it).
    visible = Obligation.objects.visible_to(user).in_report_text()
    obligations = visible.filter(report=report)
    overall = overall_scorecard(obligations, today=today)
    scorecards = department_scorecards(obligations, today=today)
    tree = section_tree(obligations, report=report)
    # The chart's days before today come from the snapshots the daily command
    # takes (snapshot_status, send_reminders); today's from the counts above. A GET
    # writes nothing.
    over_time = completion_over_time(
        report=report, today=today, done_today=overall.done
    )
    weeks = completion_by_week(
        over_time, since=timezone.localtime(report.imported_at).date(), today=today
    )
    # The link to "due soon" on the list page: the same dates as the count.
    due_soon_first, due_soon_last = due_within_range(today, DUE_SOON_DAYS)
    return {
        "report": report,
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
        "list_limit": LIST_LIMIT,
        "overall": overall,
        "scorecards": scorecards,
        "tree": tree,
        "kinds": overall.kinds,
        "problems": problems_with_tasks(visible, report=report),
        "problem_limit": PROBLEM_LIMIT,
        "recurring": recurring_problems(report),
        "overdue": overdue_list(obligations, today=today),
        "due_soon": due_soon_list(obligations, today=today),
        "awaiting_review": awaiting_review_list(obligations),
        "unacknowledged": unacknowledged_list(obligations),
        "pending_extensions": pending_extensions(obligations),
        "queue_counts": supervision_queue_counts(obligations),
        "unacknowledged_url": list_url(report=report.pk, acknowledged="no"),
        "extensions_url": list_url(report=report.pk, extension="pending"),
        "updates": latest_updates(visible, report=report),
        "over_time": over_time,
        "status_chart": charts.status_by_department(scorecards),
        "chapter_chart": charts.completion_by_chapter(tree),
        "over_time_chart": (
            charts.completion_over_time(weeks, overall.total) if weeks else None
        ),
        "overdue_url": list_url(report=report.pk, overdue="yes"),
        "due_soon_url": list_url(
            report=report.pk,
            due_after=due_soon_first.isoformat(),
            due_before=due_soon_last.isoformat(),
            status=[s for s in Obligation.Status if s != Obligation.Status.DONE],
        ),
        "review_url": list_url(report=report.pk, status=Obligation.Status.SUBMITTED),
        "missing_holiday_years": years_missing_holidays(obligations, today=today),
    }
