"""The obligation list with its filters and exports."""

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from ..exports import (
    EXPORT_FORMATS,
    export_filename,
    export_report_name,
    export_response,
    export_title,
)
from ..filters import ObligationFilter
from ..models import (
    Obligation,
)
from ..selectors.obligations import obligation_list_cache_key, obligations_for_table
from ..selectors.reports import only_report
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

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get("_export")
        if export_format not in EXPORT_FORMATS:
            return self._page(request, *args, **kwargs)
        # Straight to the file: no page, count or filter-form choices to compute.
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_valid():
            rows = self.filterset.qs
        else:  # an invalid filter exports nothing rather than everything
            rows = self.filterset.queryset.none()
        table = self.get_table_class()(rows)
        RequestConfig(request, paginate=False).configure(table)  # ?sort=
        report, filters = (
            self._export_report(),
            self.filterset.active_filters(skip=("report",)),
        )
        filename, fallback = export_filename(
            report, timezone.localdate(), export_format, filters
        )
        return export_response(
            table,
            export_format,
            filename,
            fallback=fallback,
            title=export_title(export_report_name(report), filters),
        )

    def _page(self, request, *args, **kwargs):
        # The filters and the table are the same for every reader and change only
        # with a write (which bumps a report's revision, and so the key) or the
        # day: rendered once per query string and cached, like the dashboard's
        # figures. The page around them is drawn for each request.
        key = obligation_list_cache_key(
            query=request.META.get("QUERY_STRING", ""),
            today=timezone.localdate(),
            language=translation.get_language(),
        )
        body = cache.get(key)
        if body is None:
            self.template_name = "tracker/_obligation_list_body.html"
            body = without_indentation(
                super().get(request, *args, **kwargs).rendered_content
            )
            cache.set(key, body, DASHBOARD_CACHE_SECONDS)
        return render(
            request,
            "tracker/obligation_list.html",
            {"body": mark_safe(body)},  # noqa: S308 - our HTML
        )

    def _export_report(self):
        # The file is named after the report: the one filtered on, else the only
        # one there is; None when the rows may come from several.
        data = self.filterset.form.cleaned_data if self.filterset.is_valid() else {}
        if data.get("report"):
            return data["report"]
        return only_report()
