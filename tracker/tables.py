"""django-tables2 tables of the progress pages, and their export."""

import csv
import io

import django_tables2 as tables
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors
from .models import Obligation
from .templatetags.tracker_tags import status_badge, supervision_badge

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/DDE
# injection); an apostrophe makes Excel and LibreOffice show it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched per round trip and written per streamed chunk.
EXPORT_BATCH = 2000


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(table):
    """The header and every row of ``table``'s filtered, ordered data (all pages),
    as the cells the table shows, neutralised.

    The rows come from ``values_list`` (one query, read in batches) and are turned
    into labels with dictionary look-ups: rendering each cell through the table
    took 12 s for 10,000 rows."""
    yield [neutralise(str(column.header)) for column in table.columns]
    kinds = {value: str(label) for value, label in Obligation.Kind.choices}
    statuses = {value: str(label) for value, label in Obligation.Status.choices}
    levels = {value: str(label) for value, label in Obligation.SupervisionLevel.choices}
    values = selectors.obligation_export_values(table.data.data)
    for (
        code,
        title,
        kind,
        department,
        first_name,
        last_name,
        username,
        status,
        due_date,
        level,
        evidence_count,
        last_update,
    ) in values.iterator(chunk_size=EXPORT_BATCH):
        owner = (f"{first_name} {last_name}".strip() or username) if username else None
        row = (
            code,
            title,
            kinds.get(kind, kind),
            department,
            owner,
            statuses.get(status, status),
            due_date.isoformat() if due_date else None,
            levels.get(level, level),
            evidence_count,
            # Dates as the county reads them, whatever the database's time zone.
            last_update.astimezone(selectors.REPORT_TZ).strftime("%Y-%m-%d %H:%M")
            if last_update
            else None,
        )
        yield [neutralise(cell) for cell in row]


def _csv_chunks(rows):
    """CSV text in chunks of EXPORT_BATCH rows, a UTF-8 byte order mark first so
    that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % EXPORT_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_bytes(rows):
    # Write-only mode streams rows into the file instead of keeping a cell object
    # per value. Control characters XML cannot hold would make openpyxl refuse the
    # whole file, so they are dropped.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Obligations"))[:31])
    for row in rows:
        sheet.append(
            [
                ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell
                for cell in row
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def export_response(table, export_format, filename):
    """``?_export=csv`` streams CSV; ``?_export=xlsx`` answers an XLSX workbook."""
    disposition = f'attachment; filename="{filename}"'
    rows = export_rows(table)
    if export_format == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(_xlsx_bytes(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = disposition
    return response


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
