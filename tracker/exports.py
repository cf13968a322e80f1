"""Spreadsheet downloads (``?_export=csv`` and ``?_export=xlsx``): the obligation
list and the register of supervision notices.

The obligation list's columns are ``tables.OBLIGATION_COLUMNS``: the page's, in the
same order, then those only the exports have (the full text, the latest progress
note, the return reason). Every text cell of every export goes through
``spreadsheet_text``. Dates stay dates: real date cells in XLSX (a supervisor can
sort and filter them), yyyy-mm-dd in CSV. The XLSX is meant to be handed on: a
bold, frozen header with an autofilter, and column widths with long text wrapped;
and to be printed: a title row above the header (what the report is, its filters,
when it was exported), landscape pages as wide as the paper, the header repeated on
every page. A filtered list's file name carries its filter, so that two downloads
are told apart.
The Word documents (``tracker.documents``) go out through ``docx_response``, with
the same Chinese file name handling.
"""

import csv
import io
import itertools
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import workdays
from .filters import ObligationFilter
from .models import Obligation, display_name, open_work_years
from .selectors.obligations import obligations_for_export, obligations_for_table
from .selectors.reports import only_report
from .tables import COLUMNS_BY_NAME, EXPORT_ONLY_COLUMNS, ObligationTable

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/DDE
# injection); an apostrophe makes Excel and LibreOffice show it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Skipped when looking for a formula prefix: a spreadsheet may trim them on import,
# so " =cmd" is treated like "=cmd"; and so are the invisible characters (format
# characters such as U+FEFF and U+200B, every kind of space and line separator).
_LEADING_IGNORED = string.whitespace + "\x7f"
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
# Rows fetched per round trip and written per streamed chunk.
EXPORT_BATCH = 2000
# How often a job's export reports its progress (rows).
PROGRESS_EVERY = 500


def spreadsheet_text(value):
    """A cell that no spreadsheet runs as a formula; non-text values unchanged.

    Control characters XML cannot hold are removed first (openpyxl would refuse the
    whole workbook; the CSV drops them too so both files say the same), and only
    then is the cell neutralised: removing "\\x01" from "\\x01=HYPERLINK(…)" brings
    the "=" to the front, so neutralising before the removal let a live formula
    through. Nothing may change the text after this function."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES) or _starts_like_a_formula(value):
        return "'" + value
    return value


def _starts_like_a_formula(value: str) -> bool:
    """The first visible character is a formula sign, or one a spreadsheet may fold
    into one (the fullwidth ＝＋－＠ of a Chinese input method, the small ﹦:
    compared after NFKC)."""
    for character in value:
        if (
            character in _LEADING_IGNORED
            or unicodedata.category(character) in _INVISIBLE_CATEGORIES
        ):
            continue
        return unicodedata.normalize("NFKC", character).startswith(FORMULA_PREFIXES)
    return False


@dataclass(frozen=True)
class SheetColumn:
    """How an XLSX column looks: its width in characters, whether text wraps."""

    width: int = 12
    wrap: bool = False


def export_columns(table):
    """The columns of ``table``'s export: those the page shows, then the exports'
    own (``tables.EXPORT_ONLY_COLUMNS``)."""
    return [COLUMNS_BY_NAME[bound.name] for bound in table.columns] + list(
        EXPORT_ONLY_COLUMNS
    )


def export_rows(table):
    """The header and every row of ``table``'s filtered, ordered data (all pages),
    as the cells of ``export_columns``, each text made safe by ``spreadsheet_text``.

    The rows come from ``values_list`` (one query, read in batches; what is not a
    field is annotated by ``selectors.obligations.obligations_for_export``) and each
    column turns its values into a cell: rendering each cell through the table took 12 s
    for 10,000 rows."""
    columns = export_columns(table)
    yield [spreadsheet_text(str(column.header)) for column in columns]
    fields, slices = [], []
    for column in columns:
        slices.append(slice(len(fields), len(fields) + len(column.fields)))
        fields.extend(column.fields)
    # While several reports have open work, the code names its year ("2022 · 4.1"),
    # as on every page (models.open_work_years, the one rule): the year is read
    # with the row, after the columns' own fields.
    code_index = next(
        (i for i, column in enumerate(columns) if column.name == "code"), None
    )
    label_years = code_index is not None and len(open_work_years()) > 1
    if label_years:
        fields.append("report__year")
    values = (
        obligations_for_export(table.data.data)
        .values_list(*fields)
        .iterator(chunk_size=EXPORT_BATCH)
    )
    # The countdown column counts working days: the holidays are read once for the
    # whole export. A streamed CSV outlives the request's calendar scope, so each
    # batch is computed inside one of its own, with no yield inside it.
    calendar = workdays.Calendar.load()
    while batch := list(itertools.islice(values, EXPORT_BATCH)):
        with workdays.calendar_scope(calendar):
            rows = [
                [
                    spreadsheet_text(column.export(*row[part]))
                    for column, part in zip(columns, slices, strict=True)
                ]
                for row in batch
            ]
        if label_years:
            for cells, row in zip(rows, batch, strict=True):
                cells[code_index] = f"{row[-1]} · {cells[code_index]}"
        yield from rows


def _csv_text(value):
    # Dates as the county writes them. Digits and dashes only: nothing a
    # spreadsheet could run, so no neutralising is needed after this.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_chunks(rows):
    """CSV text in chunks of EXPORT_BATCH rows, a UTF-8 byte order mark first so
    that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(value) for value in row])
        if count % EXPORT_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=13)
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _xlsx_cell(sheet, value, column):
    # Only the cell's look is set here: its value is appended as it came, already
    # safe (spreadsheet_text), since any change could bring a formula prefix back.
    # A plain value where nothing is to be set: a styled cell object per value
    # costs time on 10,000 rows.
    if isinstance(value, datetime):
        number_format = _DATETIME_FORMAT
    elif isinstance(value, date):
        number_format = _DATE_FORMAT
    elif column.wrap and isinstance(value, str):
        number_format = None
    else:
        return value
    cell = WriteOnlyCell(sheet, value)
    if number_format:
        cell.number_format = number_format
    if column.wrap:
        cell.alignment = _WRAP
    return cell


def print_setup(sheet, *, header_row):
    """Set ``sheet`` (write-only or not) to print as the county hands a list on:
    landscape, every column on the paper's width (as many pages down as needed),
    rows 1 to ``header_row`` repeated at the top of each page. Without it the list
    printed to 7 portrait pages with 3 columns on the first."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_row}"
    sheet.print_options.gridLines = True


def export_title(name, filters=(), *, when=None):
    """The title row's text: ``name`` of the report, then the filters as
    "label: value" pairs (``ObligationFilter.active_filters``), then the time of the
    export, e.g. "巫溪县2022年法治清单　筛选：状态：已完成；单位：县司法局　导出时间：
    2026-12-07 11:50"."""
    when = timezone.localtime(when)
    parts = [str(name)]
    if filters:
        parts.append(
            gettext("Filter: %(filters)s")
            % {
                "filters": gettext("; ").join(
                    gettext("%(label)s: %(value)s") % {"label": label, "value": value}
                    for label, value in filters
                )
            }
        )
    parts.append(gettext("Exported at %(time)s") % {"time": f"{when:%Y-%m-%d %H:%M}"})
    return "\u3000".join(parts)


def _xlsx_bytes(rows, sheet_title, layout, title=None):
    # Write-only mode streams rows into the file instead of keeping a cell object
    # per value; widths, the frozen header and the print setup must be set before
    # the first row.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(sheet_title)[:31])
    header_row = 2 if title else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    print_setup(sheet, header_row=header_row)
    for index, column in enumerate(layout, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if title:
        # Our own words (report, filter labels and values, time), neutralised like
        # every other cell since filter values can be typed text.
        cell = WriteOnlyCell(sheet, spreadsheet_text(str(title)))
        cell.font = _TITLE_FONT
        sheet.append([cell])
    rows = iter(rows)
    header = next(rows)
    header_cells = [WriteOnlyCell(sheet, label) for label in header]
    for cell in header_cells:
        cell.font = _BOLD
    sheet.append(header_cells)
    last_row = header_row
    for row in rows:
        sheet.append(
            [
                _xlsx_cell(sheet, value, column)
                for value, column in zip(row, layout, strict=True)
            ]
        )
        last_row += 1
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(header))}{last_row}"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def attachment_header(filename, fallback):
    """Content-Disposition naming the file ``filename`` (Chinese is fine) per
    RFC 6266/5987, with the plain ASCII ``fallback`` for clients that read only
    ``filename=``."""
    return (
        f'attachment; filename="{fallback}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def docx_response(content: bytes, filename, *, fallback):
    """A Word document as a download named ``filename``."""
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


def rows_response(
    rows, export_format, filename, *, fallback, sheet_title, layout, title=None
):
    """A download of ``rows`` (header first, cells already neutralised): "csv"
    streams CSV with a byte order mark, "xlsx" answers an XLSX workbook whose
    columns look as ``layout`` (one SheetColumn per column) says, with ``title``
    (``export_title``) in a row above the header. The CSV has no title row: its
    first line stays the header, for the programs that read it."""
    if export_format == "csv":
        response = StreamingHttpResponse(
            csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            _xlsx_bytes(rows, sheet_title, layout, title),
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = attachment_header(filename, fallback)
    return response


@dataclass
class ObligationExport:
    """The obligation list's export for one reader and one query string: the
    table (every row of the filter, in the list's order), the download names and
    the title row. The list answers a small one at once (``response``); the
    worker writes a big one to a file (``write``, ``services.jobs``)."""

    table: ObligationTable
    export_format: str
    filename: str
    fallback: str
    title: str

    def count(self) -> int:
        return self.table.data.data.count()

    def _layout(self):
        return [
            SheetColumn(width=column.xlsx_width, wrap=column.xlsx_wrap)
            for column in export_columns(self.table)
        ]

    def response(self):
        return rows_response(
            export_rows(self.table),
            self.export_format,
            self.filename,
            fallback=self.fallback,
            sheet_title=_("Obligations"),
            layout=self._layout(),
            title=self.title,
        )

    def write(self, output, *, progress=None):
        """Write the file to ``output`` (binary); ``progress(done, total)`` hears
        of each batch of rows read."""
        total = self.count() if progress else 0

        def counted(rows):
            for done, row in enumerate(rows):  # the header is row 0
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, total)
                yield row

        rows = counted(export_rows(self.table))
        if self.export_format == "csv":
            for chunk in csv_chunks(rows):
                output.write(chunk.encode("utf-8"))
        else:
            output.write(
                _xlsx_bytes(rows, _("Obligations"), self._layout(), self.title)
            )


def obligation_export(user, query, export_format, *, today=None) -> ObligationExport:
    """The export of the obligation list ``user`` sees with the filters and sort of
    ``query`` (the list's QueryDict). An invalid filter exports nothing rather
    than everything."""
    filterset = ObligationFilter(
        query or None,
        queryset=obligations_for_table(Obligation.objects.visible_to(user)),
        # The filters' choices are the reader's organization's (filters.py reads
        # them from the request's user); a job has its user, not a request.
        request=SimpleNamespace(user=user),
    )
    valid = filterset.is_valid()
    table = ObligationTable(filterset.qs if valid else filterset.queryset.none())
    # What RequestConfig does with ?sort= (the list's order).
    if query.get(table.prefixed_order_by_field):
        table.order_by = query.get(table.prefixed_order_by_field)
    # The file is named after the report: the one filtered on, else the only one
    # there is; None when the rows may come from several.
    report = (filterset.form.cleaned_data.get("report") if valid else None) or (
        only_report()
    )
    filters = filterset.active_filters(skip=("report",))
    filename, fallback = export_filename(
        report, today or timezone.localdate(), export_format, filters
    )
    return ObligationExport(
        table=table,
        export_format=export_format,
        filename=filename,
        fallback=fallback,
        title=export_title(export_report_name(report), filters),
    )


# Characters no file name may hold on Windows (where the county opens the files),
# and how much of a name the filter may take.
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
FILTER_IN_NAME_MAX = 60


def export_report_name(report):
    """What the list is, in words: "巫溪县2022年法治清单", or "法治清单" when the rows
    may come from several reports (``report`` None)."""
    if report is None:
        return gettext("Rule-of-law checklist")
    return gettext("%(organization)s %(year)s rule-of-law checklist") % {
        "organization": report.organization,
        "year": report.year,
    }


def export_filename(report, today, export_format, filters=()):
    """The list's download name, ``巫溪县2022年法治清单-2026-11-28.xlsx`` (``report``
    None: several reports, ``法治清单-2026-11-28.xlsx``), and its ASCII fallback.
    Filtered (``filters``: ``ObligationFilter.active_filters``), the filter's values
    join the name, ``巫溪县2022年法治清单-已完成、县司法局-2026-11-28.xlsx``, and the
    fallback says ``obligations-filtered-…``."""
    name = export_report_name(report)
    if filters:
        values = _UNSAFE_IN_FILE_NAMES.sub(
            " ", "、".join(str(value) for _label, value in filters)
        ).strip(" .")
        if len(values) > FILTER_IN_NAME_MAX:
            values = values[: FILTER_IN_NAME_MAX - 1].rstrip() + "…"
        if values:
            name = f"{name}-{values}"
    plain = "obligations-filtered" if filters else "obligations"
    return (
        f"{name}-{today:%Y-%m-%d}.{export_format}",
        f"{plain}-{today:%Y-%m-%d}.{export_format}",
    )


# The register's columns as notice_export_rows writes them.
NOTICE_LAYOUT = (
    SheetColumn(width=18),
    SheetColumn(width=10),
    SheetColumn(width=10),
    SheetColumn(width=40, wrap=True),
    SheetColumn(width=20, wrap=True),
    SheetColumn(width=40, wrap=True),
    SheetColumn(width=12),
    SheetColumn(width=12),
    SheetColumn(width=12),
    SheetColumn(width=17),
    SheetColumn(width=40, wrap=True),
    SheetColumn(width=20, wrap=True),
    SheetColumn(width=12),
)


def notice_export_rows(notices):
    """The register of supervision notices as spreadsheet rows, header first."""
    header = (
        _("Notice number"),
        _("Supervision level"),
        _("Code"),
        _("Title"),
        _("Responsible department"),
        _("Reason"),
        _("Issuing date"),
        _("Issued by"),
        _("Reply due"),
        _("Replied at"),
        _("Reply"),
        # Last, so the columns before keep their places in existing spreadsheets.
        _("Issuing leader (交办领导)"),
        _("Signed on"),
    )
    yield [spreadsheet_text(str(label)) for label in header]
    unsigned = str(_("Awaiting the leader's signature (待领导签发)"))
    levels = {value: str(label) for value, label in Obligation.SupervisionLevel.choices}
    for notice in notices.iterator(chunk_size=EXPORT_BATCH):
        issuer = notice.issued_by
        row = (
            notice.code,
            levels.get(notice.level, notice.level),
            notice.obligation.code,
            notice.obligation.title,
            notice.department.name if notice.department else None,
            notice.reason,
            notice.issued_on,
            display_name(issuer),
            notice.reply_due,
            notice.replied_at.astimezone(timezone.get_default_timezone()).replace(
                tzinfo=None, second=0, microsecond=0
            )
            if notice.replied_at
            else None,
            notice.reply or None,
            notice.leader_display if notice.is_signed else unsigned,
            notice.signed_on,
        )
        yield [spreadsheet_text(cell) for cell in row]


# The department ranking's columns as ranking_export_rows writes them.
RANKING_LAYOUT = (
    SheetColumn(width=8),
    SheetColumn(width=28, wrap=True),
    SheetColumn(width=9),
    *(SheetColumn(width=10) for _column in range(16)),
    SheetColumn(width=22, wrap=True),
)


def ranking_export_rows(rows):
    """The department ranking (``selectors.assessment.department_indicators``) as
    spreadsheet rows, header first: the page's figures, percentages as numbers."""
    ratings = [label for _value, label in Obligation.Rating.choices]
    header = (
        _("Rank"),
        _("Responsible department"),
        _("Score"),
        _("Assigned items"),
        _("Finished"),
        _("Finished on time"),
        _("On-time rate (%)"),
        _("Overdue now"),
        _("Submissions for review"),
        _("Returns for rework"),
        _("Return rate (%)"),
        _("Average working days to approval"),
        _("Yellow notices"),
        _("Red notices"),
        _("Chases (催办)"),
        *ratings,
        _("Note"),
    )
    yield [spreadsheet_text(str(label)) for label in header]
    for row in rows:
        yield [
            spreadsheet_text(cell)
            for cell in (
                row.rank,
                row.department.name,
                row.score,
                row.assigned,
                row.finished,
                row.on_time,
                row.on_time_rate,
                row.overdue,
                row.submissions,
                row.returns,
                row.return_rate,
                row.average_workdays,
                row.yellow_notices,
                row.red_notices,
                row.chases,
                *(count for _value, _label, count in row.rating_counts()),
                str(row.note),
            )
        ]


# 调度表 cells, in the words of the page (selectors.schedules' states).
SCHEDULE_STATES = {
    "on_time": _("Filed on time"),
    "late": _("Filed late"),
    "missing": _("Not filed on time"),
    "pending": _("Not yet due"),
}


def schedule_layout(table):
    return (
        SheetColumn(width=10),
        SheetColumn(width=40, wrap=True),
        SheetColumn(width=20),
        SheetColumn(width=12),
        *(SheetColumn(width=14) for _period in table.periods),
    )


def schedule_export_rows(table):
    """The 调度表 (``selectors.schedules.schedule_table``) as rows: an item or a
    part per row, a period per column, each cell's state in words."""
    yield [
        spreadsheet_text(str(label))
        for label in (
            _("Code"),
            _("Title"),
            _("Unit"),
            _("Role"),
            *(period.label for period in table.periods),
        )
    ]
    for row in table.rows:
        yield [
            spreadsheet_text(value)
            for value in (
                row.obligation.code,
                row.obligation.title,
                row.unit.name,
                str(_("Co-operating unit") if row.part else _("Lead unit")),
                *(str(SCHEDULE_STATES[state]) for state in row.cells),
            )
        ]
