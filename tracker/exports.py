"""Spreadsheet downloads (``?_export=csv`` and ``?_export=xlsx``): the obligation
list and the register of supervision notices."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors
from .models import Obligation, display_name

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/DDE
# injection); an apostrophe makes Excel and LibreOffice show it as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
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


def _xlsx_bytes(rows, sheet_title):
    # Write-only mode streams rows into the file instead of keeping a cell object
    # per value. Control characters XML cannot hold would make openpyxl refuse the
    # whole file, so they are dropped.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(sheet_title)[:31])
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
    yield [neutralise(str(label)) for label in header]
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
        yield [neutralise(cell) for cell in row]
