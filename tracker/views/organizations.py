"""The city's pages: the counties below it, side by side, and their ranking."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import documents, permissions
from ..exports import docx_response
from ..selectors.organizations import (
    items_side_by_side,
    organization_figures,
    organizations_below,
    report_years,
)


def _city_context(request):
    """The user's organization, those below it and the chosen year (?year=, else
    the latest with a report); 403 for anyone the city's pages are not for."""
    organization = permissions.user_organization(request.user)
    if not permissions.can_view_organizations(request.user, organization):
        raise PermissionDenied
    organizations = organizations_below(organization)
    years = report_years(organizations)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else None
    if year is None and years:
        year = years[0]
    figures, ranked = ([], [])
    if year is not None:
        figures, ranked = organization_figures(
            organizations, year=year, today=timezone.localdate()
        )
    return {
        "organization": organization,
        "years": years,
        "year": year,
        "figures": figures,
        "ranked": ranked,
    }


@require_safe
def organization_list(request):
    """Each organization below the user's with its report of the year: completion,
    overdue, red and yellow, recurring problems; a link to its dashboard."""
    return render(request, "tracker/organization_list.html", _city_context(request))


@require_safe
def organization_ranking(request):
    """The organizations with a report of the year, ranked by completion, then
    fewest overdue, then fewest red notices; ``?_export=docx`` is the city's 通报
    of the same rows, in the department 通报's official layout."""
    context = _city_context(request)
    if request.GET.get("_export") == "docx" and context["year"] is not None:
        content = documents.city_circular_docx(
            organization=context["organization"],
            year=context["year"],
            ranked=context["ranked"],
            today=timezone.localdate(),
        )
        filename, fallback = documents.city_circular_filename(context["year"])
        return docx_response(content, filename, fallback=fallback)
    return render(request, "tracker/organization_ranking.html", context)


@require_safe
def organization_reports(request):
    """The organizations' reports of one year side by side: which tasks each set,
    how far each is, and which are unfinished everywhere."""
    context = _city_context(request)
    organizations = [row.organization for row in context["figures"] if row.report_id]
    items = []
    if context["year"] is not None:
        items = items_side_by_side(organizations, year=context["year"])
    context.update(
        columns=organizations,
        items=items,
        unfinished_everywhere=[item for item in items if item.unfinished_everywhere],
    )
    return render(request, "tracker/organization_reports.html", context)
