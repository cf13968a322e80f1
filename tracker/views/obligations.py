"""The obligation list with its filters and exports."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ..exports import EXPORT_FORMATS, obligation_export
from ..filters import ObligationFilter
from ..models import Job, Obligation
from ..selectors.obligations import obligation_list_cache_key, obligations_for_table
from ..selectors.reports import labels_years
from ..services.jobs import job_start
from ..tables import PAGINATION, ObligationTable
from .dashboard import DASHBOARD_CACHE_SECONDS, without_indentation


class ObligationListView(SingleTableMixin, FilterView):
    """The filtered, sortable obligation list; ?_export=csv|xlsx downloads every
    row of the current filter (not only the page), in the table's order."""

    table_class = ObligationTable
    filterset_class = ObligationFilter
    template_name = "tracker/obligation_list.html"
    table_pagination = PAGINATION

    def get_queryset(self):
        return obligations_for_table(Obligation.objects.visible_to(self.request.user))

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.label_years = labels_years(self.request)
        return table

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("_export")
        if export_format not in EXPORT_FORMATS:
            return self._page(request, *args, **kwargs)
        # Straight to the file: no page or filter-form choices to compute; one
        # count decides whether this request or the worker makes it.
        export = obligation_export(request.user, request.GET, export_format)
        count = export.count()
        if count <= settings.EXPORT_SYNC_LIMIT:
            return export.response()
        # Too big to make inside a request: the worker makes it (a job), once
        # the reader asks with the button (a GET writes nothing).
        return render(
            request,
            "tracker/jobs/export_offer.html",
            {
                "count": count,
                "filename": export.filename,
                "query": request.GET.urlencode(),
                "export_format": export_format,
            },
        )

    def _page(self, request, *args, **kwargs):
        # The filters and the table are the same for every reader of the same
        # organization and change only with a write (which bumps a report's
        # revision, and so the key) or the day: rendered once per query string and
        # cached, like the dashboard's figures. The page around them is drawn for
        # each request.
        key = obligation_list_cache_key(
            user=request.user,
            query=request.META.get("QUERY_STRING", ""),
            today=timezone.localdate(),
            language=translation.get_language(),
        )
        body = cache.get(key) if key else None
        if body is None:
            self.template_name = "tracker/_obligation_list_body.html"
            body = without_indentation(
                super().get(request, *args, **kwargs).rendered_content
            )
            if key:
                cache.set(key, body, DASHBOARD_CACHE_SECONDS)
        return render(
            request,
            "tracker/obligation_list.html",
            {"body": mark_safe(body)},  # noqa: S308 - our HTML
        )


@require_POST
def obligation_export_job(request):
    """Start a big export of the obligation list as a job for the worker, with
    the filters and order of the list's query string (``query``)."""
    export_format = request.POST.get("format")
    if export_format not in EXPORT_FORMATS:
        return HttpResponseBadRequest(gettext("Choose CSV or XLSX."))
    query = QueryDict(request.POST.get("query", ""), mutable=True)
    query["_export"] = export_format
    job = job_start(
        kind=Job.Kind.EXPORT,
        user=request.user,
        params={"query": query.urlencode(), "format": export_format},
    )
    return redirect(job)
