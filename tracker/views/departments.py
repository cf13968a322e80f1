"""The departments' pages: their list and each department's work."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
)
from django_tables2 import RequestConfig

from .. import permissions
from ..models import (
    Obligation,
)
from ..selectors.dashboard import by_risk, department_scorecard, department_scorecards
from ..selectors.obligations import obligations_for_table
from ..selectors.reports import labels_years
from ..tables import PAGINATION, ObligationTable
from .dashboard import report_choice


@require_GET
def department_list(request):
    """Every department's scorecard, those most at risk first
    (``selectors.dashboard.by_risk``)."""
    choice = report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(
        report__in=[report.pk for report in choice.shown]
    )
    # Every unit of the shown reports' organization, when they share one (a
    # county's reports); a city's several counties list only units with items.
    organizations = {report.organization_unit_id for report in choice.shown}
    one_organization = len(organizations) <= 1
    scorecards = by_risk(
        department_scorecards(
            obligations,
            today=timezone.localdate(),
            all_departments=one_organization,
            organization_id=organizations.pop() if organizations else None,
        )
    )
    return render(
        request,
        "tracker/department_list.html",
        {
            "reports": choice.reports,
            "report": choice.report,
            "choice": choice,
            "scorecards": scorecards,
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
