"""Views: thin functions that fetch through tracker.permissions and write through
tracker.services. Each section below belongs to one area of the product."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin

from . import charts, selectors
from .filters import ObligationFilter
from .models import Department, Obligation, Report
from .tables import PAGINATION, ObligationTable, SafeTableExport


def _todo(request, *args, **kwargs):
    return HttpResponseNotFound("Not built yet")


# --- Progress pages: dashboard, obligation list, departments -----------------



def _report_choice(request):
    """All reports (for the selector) and the one chosen with ?report=, else the
    latest."""
    reports = list(selectors.reports_for_selector())
    return reports, selectors.selected_report(reports, request.GET.get("report"))


def _list_url(**params):
    """The obligation list filtered by ``params`` (a link to "all of them")."""
    return f"{reverse('tracker:obligation_list')}?{urlencode(params, doseq=True)}"


@require_GET
def dashboard(request):
    reports, report = _report_choice(request)
    context = {"reports": reports, "report": report}
    if report is None:
        return render(request, "tracker/dashboard.html", context)
    today = timezone.localdate()
    obligations = Obligation.objects.visible_to(request.user).filter(report=report)
    overall = selectors.overall_scorecard(obligations, today=today)
    scorecards = selectors.department_scorecards(obligations, today=today)
    tree = selectors.section_tree(obligations, report=report)
    over_time = selectors.completion_over_time(obligations)
    context.update(
        today=today,
        due_soon_days=selectors.DUE_SOON_DAYS,
        list_limit=selectors.LIST_LIMIT,
        overall=overall,
        scorecards=scorecards,
        tree=tree,
        kinds=selectors.kind_counts(obligations),
        problems=selectors.problems_with_tasks(obligations),
        problem_limit=selectors.PROBLEM_LIMIT,
        overdue=selectors.overdue_list(obligations, today=today),
        due_soon=selectors.due_soon_list(obligations, today=today),
        awaiting_review=selectors.awaiting_review_list(obligations),
        updates=selectors.latest_updates(obligations),
        over_time=over_time,
        status_chart=charts.status_by_department(scorecards),
        chapter_chart=charts.completion_by_chapter(tree),
        over_time_chart=charts.completion_over_time(over_time, overall.total),
        overdue_url=_list_url(report=report.pk, overdue="yes"),
        due_soon_url=_list_url(
            report=report.pk,
            due_after=today.isoformat(),
            due_before=(today + timedelta(days=selectors.DUE_SOON_DAYS)).isoformat(),
            status=[s for s in Obligation.Status if s != Obligation.Status.DONE],
        ),
        review_url=_list_url(report=report.pk, status=Obligation.Status.SUBMITTED),
    )
    return render(request, "tracker/dashboard.html", context)


@require_GET
def department_list(request):
    reports, report = _report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(report=report)
    scorecards = selectors.department_scorecards(
        obligations, today=timezone.localdate(), all_departments=True
    )
    return render(
        request,
        "tracker/department_list.html",
        {"reports": reports, "report": report, "scorecards": scorecards},
    )


@require_GET
def department_detail(request, pk):
    department = get_object_or_404(Department, pk=pk)
    reports, report = _report_choice(request)
    obligations = Obligation.objects.visible_to(request.user).filter(report=report)
    scorecard = selectors.department_scorecard(
        obligations, department=department, today=timezone.localdate()
    )
    table = ObligationTable(
        selectors.obligations_for_table(obligations.filter(department=department))
    )
    RequestConfig(request, paginate=PAGINATION).configure(table)
    return render(
        request,
        "tracker/department_detail.html",
        {
            "department": department,
            "reports": reports,
            "report": report,
            "scorecard": scorecard,
            "table": table,
        },
    )


class ObligationListView(ExportMixin, SingleTableMixin, FilterView):
    """The filtered, sortable obligation list; ?_export=csv|xlsx downloads every
    row of the current filter (not only the page)."""

    table_class = ObligationTable
    filterset_class = ObligationFilter
    template_name = "tracker/obligation_list.html"
    table_pagination = PAGINATION
    export_class = SafeTableExport
    export_formats = (SafeTableExport.CSV, SafeTableExport.XLSX)

    def get_queryset(self):
        return selectors.obligations_for_table(
            Obligation.objects.visible_to(self.request.user)
        )

    def get_export_filename(self, export_format):
        return f"obligations-{timezone.localdate():%Y-%m-%d}.{export_format}"


# --- Reports ------------------------------------------------------------------

@require_safe
def report_detail(request, pk):
    """The whole report as imported, every obligation's passage linked to its page.

    One query for the obligations (only the columns the links need); the text is cut
    into segments in Python and the template escapes every one of them."""
    report = get_object_or_404(Report, pk=pk)
    obligations = list(
        Obligation.objects.visible_to(request.user)
        .filter(report=report)
        .only("pk", "code", "kind", "title", "source_start", "source_end")
        .order_by("position")
    )
    context = {
        "report": report,
        "obligations": obligations,
        "paragraphs": selectors.report_paragraphs(report.source_text, obligations),
    }
    return render(request, "tracker/report_detail.html", context)


# --- Staff workflow -------------------------------------------------------------

my_work = _todo
obligation_detail = _todo
obligation_status = _todo
evidence_upload = _todo
obligation_supervision = _todo
obligation_assign = _todo
obligation_comment = _todo
evidence_withdraw = _todo
evidence_download = _todo


# --- Operations -----------------------------------------------------------------


@login_not_required
@never_cache
def health(request):
    """Liveness for the reverse proxy and the load test's reference: no DB query."""
    return HttpResponse("ok", content_type="text/plain")
