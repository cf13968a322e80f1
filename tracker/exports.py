"""The obligation list's export: ``?_export=csv`` and ``?_export=xlsx``."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors
from .models import Obligation

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
