"""The departments' pages: their list and each department's work."""

from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import (
    require_GET,
)
from django_tables2 import RequestConfig

from .. import permissions
from ..models import (
    Obligation,
)
from ..selectors.dashboard import (
    by_risk,
    department_list_cache_key,
    department_scorecard,
    department_scorecards,
)
from ..selectors.obligations import obligations_for_table
from ..selectors.reports import labels_years
from ..tables import PAGINATION, ObligationTable
from .dashboard import rendered_once, report_choice


@require_GET
def department_list(request):
    """Every department's scorecard, those most at risk first
    (``selectors.dashboard.by_risk``)."""
    choice = report_choice(request, cached=True)
    # Every unit of the shown reports' organization, when they share one (a
    # county's reports); a city's several counties list only units with items.
    organizations = {report.organization_unit_id for report in choice.shown}
    one_organization = len(organizations) <= 1
    organization_id = organizations.pop() if organizations else None
    today = timezone.localdate()
    # The scorecards are the same for every reader of the shown reports and change
    # only with a write (which bumps a report's revision, and so the key) or the
    # day: rendered once and cached, like the dashboard's figures. The page around
    # them (the selector, the ranking's link, the user's name) is drawn per request.
    key = department_list_cache_key(
        choice.shown,
        organization_id=organization_id,
        all_departments=one_organization,
        today=today,
        language=translation.get_language(),
    )

    def scorecards():
        obligations = Obligation.objects.visible_to(request.user).filter(
            report__in=[report.pk for report in choice.shown]
        )
        rows = by_risk(
            department_scorecards(
                obligations,
                today=today,
                all_departments=one_organization,
                organization_id=organization_id,
            )
        )
        return {"scorecards": rows, "report": choice.report}

    table = rendered_once(key, "tracker/_scorecards.html", scorecards)
    return render(
        request,
        "tracker/department_list.html",
        {
            "reports": choice.reports,
            "report": choice.report,
            "choice": choice,
            "scorecards_table": table,
            "can_view_ranking": permissions.can_view_ranking(request.user),
        },
    )


@require_GET
def department_detail(request, pk):
    department = permissions.get_department_or_404(request, pk)
    choice = report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(
        report__in=[report.pk for report in choice.shown]
    )
    scorecard = department_scorecard(
        obligations, department=department, today=timezone.localdate()
    )
    table = ObligationTable(
        obligations_for_table(obligations.filter(department=department))
    )
    table.label_years = labels_years(request)
    RequestConfig(request, paginate=PAGINATION).configure(table)
    return render(
        request,
        "tracker/department_detail.html",
        {
            "department": department,
            "reports": choice.reports,
            "report": choice.report,
            "choice": choice,
            "scorecard": scorecard,
            "table": table,
        },
    )
