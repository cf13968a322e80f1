"""django-tables2 tables of the progress pages, and their export."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tables2.export import TableExport
from tablib import Dataset

from .models import Obligation
from .templatetags.tracker_tags import status_badge, supervision_badge

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/DDE
# injection); an apostrophe makes Excel and LibreOffice show it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PER_PAGE = 50


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    """CSV and XLSX only, with formula-looking cells neutralised, and a UTF-8 byte
    order mark on CSV so that Excel opens Chinese text correctly."""

    FORMATS = {
        TableExport.CSV: TableExport.FORMATS[TableExport.CSV],
        TableExport.XLSX: TableExport.FORMATS[TableExport.XLSX],
    }

    @classmethod
    def is_valid_format(cls, export_format):
        return export_format in cls.FORMATS

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        kwargs = {"title": str(_("Obligations"))}
        kwargs.update(dataset_kwargs or {})
        dataset = Dataset(**kwargs)
        rows = table.as_values(exclude_columns=exclude_columns)
        dataset.headers = [neutralise(cell) for cell in next(rows)]
        for row in rows:
            dataset.append([neutralise(cell) for cell in row])
        return dataset

    def export(self):
        data = super().export()
        if self.format == self.CSV:
            return "\ufeff" + data
        return data


class FixedPaginator(Paginator):
    """Always PER_PAGE rows: ``?per_page=`` (which django-tables2 reads from the
    query string) can neither empty the page (0, negative) nor dump every row."""

    def __init__(self, object_list, per_page=PER_PAGE, *args, **kwargs):
        super().__init__(object_list, PER_PAGE, *args, **kwargs)


PAGINATION = {"per_page": PER_PAGE, "paginator_class": FixedPaginator}


def _overdue_class(record):
    return "overdue" if record.is_overdue(timezone.localdate()) else ""


class ObligationTable(tables.Table):
    PER_PAGE = PER_PAGE
    code = tables.Column(verbose_name=_("Code"))
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    department = tables.Column(
        verbose_name=_("Responsible department"), order_by=("department__name",)
    )
    owner = tables.Column(
        verbose_name=_("Responsible person"),
        order_by=("owner__first_name", "owner__username"),
    )
    status = tables.Column(verbose_name=_("Status"))
    due_date = tables.Column(verbose_name=_("Due date"))
    supervision_level = tables.Column(verbose_name=_("Supervision"))
    evidence_count = tables.Column(
        verbose_name=_("Evidence"), attrs={"td": {"class": "num"}}
    )
    last_update = tables.Column(verbose_name=_("Last update"))

    class Meta:
        model = Obligation
        fields = ()
        sequence = (
            "code",
            "title",
            "kind",
            "department",
            "owner",
            "status",
            "due_date",
            "supervision_level",
            "evidence_count",
            "last_update",
        )
        order_by = ("report", "position")
        row_attrs = {"class": _overdue_class}
        empty_text = _("No obligations match these filters.")
        per_page = PER_PAGE
        template_name = "tracker/obligation_table.html"

    def render_owner(self, value):
        return value.get_full_name() or value.get_username()

    def render_status(self, value, record):
        return status_badge(record.status)

    def value_status(self, value, record):
        return record.get_status_display()

    def render_supervision_level(self, value, record):
        return supervision_badge(record.supervision_level) or "—"

    def value_supervision_level(self, value, record):
        return record.get_supervision_level_display()

    def value_title(self, value, record):
        return record.title

    # Plain columns with render_ methods: DateColumn compiles a template per cell.
    def render_due_date(self, value):
        return value.isoformat()

    def render_last_update(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
