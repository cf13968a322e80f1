"""Spreadsheet downloads (``?_export=csv`` and ``?_export=xlsx``): the obligation
list and the register of supervision notices.

The obligation list's columns are ``tables.OBLIGATION_COLUMNS`` (the page's, in the
same order); every text cell of every export goes through ``spreadsheet_text``.
"""

import csv
import io
import itertools
import string

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors, workdays
from .models import Obligation, display_name
from .tables import COLUMNS_BY_NAME

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/DDE
# injection); an apostrophe makes Excel and LibreOffice show it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Skipped when looking for a formula prefix: a spreadsheet may trim them on import,
# so " =cmd" is treated like "=cmd".
_LEADING_IGNORED = string.whitespace + "\x7f"
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows fetched per round trip and written per streamed chunk.
EXPORT_BATCH = 2000


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
    if value.startswith(FORMULA_PREFIXES) or value.lstrip(_LEADING_IGNORED).startswith(
        FORMULA_PREFIXES
    ):
        return "'" + value
    return value


def export_rows(table):
    """The header and every row of ``table``'s filtered, ordered data (all pages),
    as the cells the table shows, each made safe by ``spreadsheet_text``.

    The rows come from ``values_list`` (one query, read in batches) and each column
    turns its values into a cell: rendering each cell through the table took 12 s
    for 10,000 rows."""
    columns = [COLUMNS_BY_NAME[bound.name] for bound in table.columns]
    yield [spreadsheet_text(str(column.header)) for column in columns]
    fields, slices = [], []
    for column in columns:
        slices.append(slice(len(fields), len(fields) + len(column.fields)))
        fields.extend(column.fields)
    values = table.data.data.values_list(*fields).iterator(chunk_size=EXPORT_BATCH)
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
        yield from rows


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


def _xlsx_bytes(rows, sheet_title):
    # Write-only mode streams rows into the file instead of keeping a cell object
    # per value. The cells are already safe (spreadsheet_text): append them as they
    # are, since any change here could bring a formula prefix back to the front.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(sheet_title)[:31])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def rows_response(rows, export_format, filename, *, sheet_title):
    """A download of ``rows`` (header first, cells already neutralised): "csv"
    streams CSV with a byte order mark, "xlsx" answers an XLSX workbook."""
    if export_format == "csv":
        response = StreamingHttpResponse(
            _csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            _xlsx_bytes(rows, sheet_title), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(table, export_format, filename):
    """``?_export=csv`` streams CSV; ``?_export=xlsx`` answers an XLSX workbook."""
    return rows_response(
        export_rows(table), export_format, filename, sheet_title=_("Obligations")
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
    )
    yield [spreadsheet_text(str(label)) for label in header]
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
            notice.issued_on.isoformat(),
            display_name(issuer),
            notice.reply_due.isoformat(),
            notice.replied_at.astimezone(selectors.REPORT_TZ).strftime("%Y-%m-%d %H:%M")
            if notice.replied_at
            else None,
            notice.reply or None,
        )
        yield [spreadsheet_text(cell) for cell in row]
