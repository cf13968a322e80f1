"""考核排名: the departments' ranking and its 通报."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_safe,
)

from .. import charts, documents, permissions
from ..exports import (
    EXPORT_FORMATS,
    RANKING_LAYOUT,
    docx_response,
    export_title,
    ranking_export_rows,
    rows_response,
)
from ..forms import (
    RankingPeriodForm,
)
from ..models import (
    AssessmentWeights,
)
from ..selectors.assessment import (
    RANKING_CACHE_SECONDS,
    cached_department_indicators,
    circular_flagged,
    ranking_cache_key,
)
from .dashboard import report_choice


@require_safe
def department_ranking(request):
    """考核排名: the departments of a report ordered by their composite score over a
    period, with every indicator (``selectors.assessment.department_indicators``), a
    chart, the CSV / XLSX export (``?_export=``), the 通报 in Word
    (``?_export=docx``) and a print layout for meetings. A period that ends before
    it starts is refused (400) with nothing computed."""
    if not permissions.can_view_ranking(request.user):
        raise PermissionDenied
    choice = report_choice(request, cached=True)
    report = choice.report
    form = RankingPeriodForm(request.GET)
    context = {
        "reports": choice.reports,
        "report": report,
        "choice": choice,
        "form": form,
    }
    if not choice.shown:
        return render(request, "tracker/department_ranking.html", context)
    if not form.is_valid():
        return render(request, "tracker/department_ranking.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    # The weights of the reports' organization (several shown: the same one).
    weights = AssessmentWeights.current(choice.shown[0].organization_unit_id)
    today = timezone.localdate()
    # Several reports with open work: ranked over all of them together.
    # Computed once per report revision, period, day and weights (the exports
    # too: they show the same rows).
    rows = cached_department_indicators(
        report=report or choice.shown,
        start=start,
        end=end,
        today=today,
        weights=weights,
    )
    export_format = request.GET.get("_export")
    if export_format == "docx":
        if not permissions.can_draft_documents(request.user):
            raise PermissionDenied
        # Several reports shown together: the 通报 speaks of the rows shown, so of
        # all of them (their titles and years), not of the newest alone.
        return _ranking_circular(report or list(choice.shown), start, end, rows, today)
    if export_format in EXPORT_FORMATS:
        name = gettext("%(organization)s %(year)s department ranking") % {
            "organization": choice.shown[0].organization,
            "year": "、".join(str(each.year) for each in choice.shown),
        }
        return rows_response(
            ranking_export_rows(rows),
            export_format,
            f"{name}-{today:%Y-%m-%d}.{export_format}",
            fallback=f"ranking-{today:%Y-%m-%d}.{export_format}",
            sheet_title=gettext("Department ranking"),
            layout=RANKING_LAYOUT,
            title=export_title(name, _period_filter(start, end)),
        )
    # The table and the chart, rendered once per rows, report chosen (its links)
    # and language; the forms and the reader's buttons are drawn around them.
    table_key = (
        "ranking-table:"
        + ranking_cache_key(
            list(choice.shown), start=start, end=end, today=today, weights=weights
        )
        + f":{report.pk if report else ''}:{translation.get_language()}"
    )
    ranking_table = cache.get(table_key)
    if ranking_table is None:
        ranking_table = render_to_string(
            "tracker/_department_ranking_table.html",
            {
                "rows": rows,
                "report": report,
                "chart": charts.ranking_scores(rows),
                "has_ranked": any(row.is_ranked for row in rows),
            },
        )
        cache.set(table_key, ranking_table, RANKING_CACHE_SECONDS)
    query = {"report": report.pk} if report else {}
    query.update({k: v.isoformat() for k, v in (("start", start), ("end", end)) if v})
    context.update(
        rows=rows,
        start=start,
        end=end,
        today=today,
        weights=weights,
        ranking_table=ranking_table,
        query=urlencode(query),
        can_draft=permissions.can_draft_documents(request.user),
        minimum_sample=settings.RANKING_MIN_SAMPLE,
    )
    return render(request, "tracker/department_ranking.html", context)


def _period_filter(start, end):
    # The ranking's period as the title row's filter ("期间：2026-01-01 至 …").
    if not (start or end):
        return []
    first = start.isoformat() if start else "…"
    last = end.isoformat() if end else "…"
    return [(gettext("Period"), f"{first} – {last}")]


def _ranking_circular(report, start, end, rows, today):
    """The 通报 of the ranking shown (``?_export=docx``): the same report (or the
    list of reports shown), period and rows, and the departments with overdue or
    red-supervised items."""
    flagged = circular_flagged(report=report, start=start, end=end, today=today)
    content = documents.circular_docx(
        report=report, start=start, end=end, rows=rows, flagged=flagged, today=today
    )
    filename, fallback = documents.circular_filename(report, start, end)
    return docx_response(content, filename, fallback=fallback)
