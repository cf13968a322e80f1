"""The exports a supervisor hands on: an XLSX that opens ready to read (bold frozen
header, autofilter, widths, real dates, wrapped text), the columns only the exports
have, and a Chinese file name with an ASCII fallback."""

import csv
import io
from datetime import date, datetime
from urllib.parse import quote

import openpyxl
import pytest
from django.utils import timezone

from tests.factories import ObligationFactory, ReportFactory
from tests.workflow_helpers import approve, set_status
from tracker.models import Obligation, ProgressUpdate
from tracker.tables import OBLIGATION_COLUMNS

S = Obligation.Status


def _sheet(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _table(sheet):
    # The header and the rows: row 1 is the print title.
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def _csv(response):
    text = response.getvalue().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _note(obligation, user, text, **kwargs):
    return ProgressUpdate.objects.create(
        obligation=obligation, author=user, text=text, **kwargs
    )


@pytest.fixture
def one_row(db, department_a):
    return ObligationFactory(
        code="1.1",
        title="推进严格规范公正文明执法",
        body="全面推行行政执法三项制度，" * 20,
        department=department_a,
        due_date=date(2023, 6, 30),
    )


def test_xlsx_header_is_bold_frozen_and_filterable(sv_client, one_row):
    sheet = _sheet(sv_client.get("/obligations/?_export=xlsx"))
    assert sheet.freeze_panes == "A3"
    assert all(cell.font.b for cell in sheet[2])
    last = openpyxl.utils.get_column_letter(len(OBLIGATION_COLUMNS))
    assert sheet.auto_filter.ref == f"A2:{last}3"


def test_xlsx_due_date_is_a_date_cell(sv_client, one_row):
    sheet = _sheet(sv_client.get("/obligations/?_export=xlsx"))
    header = [cell.value for cell in sheet[2]]
    due = sheet.cell(row=3, column=header.index("Due date") + 1)
    assert due.is_date
    assert due.value == datetime(2023, 6, 30)
    assert due.number_format == "yyyy-mm-dd"


def test_xlsx_columns_have_widths_and_long_text_wraps(sv_client, one_row):
    sheet = _sheet(sv_client.get("/obligations/?_export=xlsx"))
    header = [cell.value for cell in sheet[2]]
    body = header.index("Full text") + 1
    letter = openpyxl.utils.get_column_letter(body)
    assert sheet.column_dimensions[letter].width >= 40
    assert sheet.cell(row=3, column=body).alignment.wrap_text
    code = openpyxl.utils.get_column_letter(header.index("Code") + 1)
    assert sheet.column_dimensions[code].width < sheet.column_dimensions[letter].width


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_carry_full_text_latest_note_and_return_reason(
    sv_client, one_row, staff_a, supervisor, export_format
):
    _note(one_row, staff_a, "已起草方案", action=ProgressUpdate.Action.COMMENT)
    _note(one_row, staff_a, "已召开专题会议", action=ProgressUpdate.Action.COMMENT)
    returned = set_status(one_row, S.RETURNED)
    _note(
        returned,
        supervisor,
        "佐证材料不全",
        to_status=S.RETURNED,
        from_status=S.SUBMITTED,
        action=ProgressUpdate.Action.STATUS,
    )
    ObligationFactory(code="2.1", title="无进展")  # empty cells for the rest

    response = sv_client.get(f"/obligations/?_export={export_format}&sort=code")
    rows = _csv(response) if export_format == "csv" else _table(_sheet(response))
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["Full text"] == one_row.body
    assert row["Latest progress note"] == "已召开专题会议"
    assert row["Reason for return"] == "佐证材料不全"
    empty = dict(zip(header, rows[2], strict=True))
    assert empty["Latest progress note"] in ("", None)
    assert empty["Reason for return"] in ("", None)


def _export_rows(client, export_format, query=""):
    response = client.get(f"/obligations/?_export={export_format}&sort=code{query}")
    rows = _csv(response) if export_format == "csv" else _table(_sheet(response))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_carry_the_rating_and_its_comment(
    sv_client, one_row, supervisor, export_format
):
    set_status(one_row, S.SUBMITTED)
    approve(one_row, supervisor, Obligation.Rating.POOR, "=佐证材料与任务不符")
    ObligationFactory(code="2.1", title="未办结")

    rated, unrated = _export_rows(sv_client, export_format)

    assert rated["Rating"] == "Poor"
    # A comment is the supervisor's text: neutralised like every other cell.
    assert rated["Rating comment"] == "'=佐证材料与任务不符"
    assert unrated["Rating"] in ("", None)
    assert unrated["Rating comment"] in ("", None)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_follow_the_rating_filter(sv_client, one_row, export_format):
    Obligation.objects.filter(pk=one_row.pk).update(
        status=S.DONE, rating=Obligation.Rating.GOOD
    )
    ObligationFactory(code="2.1", status=S.DONE, rating=Obligation.Rating.FAIR)

    rows = _export_rows(sv_client, export_format, "&rating=good")

    assert [(row["Code"], row["Rating"]) for row in rows] == [("1.1", "Good")]


def test_return_reason_is_gone_once_the_item_is_restarted(
    sv_client, one_row, supervisor
):
    _note(
        one_row,
        supervisor,
        "佐证材料不全",
        to_status=S.RETURNED,
        action=ProgressUpdate.Action.STATUS,
    )
    set_status(one_row, S.IN_PROGRESS)
    rows = _csv(sv_client.get("/obligations/?_export=csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Reason for return"] == ""


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_file_name_is_the_reports_in_chinese_with_an_ascii_fallback(
    client, staff_a, export_format
):
    report = ReportFactory(organization="巫溪县", year=2022)
    ObligationFactory(report=report)
    client.force_login(staff_a)  # the Chinese interface

    response = client.get(f"/obligations/?_export={export_format}")

    today = timezone.localdate().isoformat()
    name = f"巫溪县2022年法治清单-{today}.{export_format}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="obligations-{today}.{export_format}"; '
        f"filename*=UTF-8''{quote(name)}"
    )


def test_file_name_without_one_report_names_the_checklist(client, staff_a):
    ObligationFactory(report=ReportFactory(organization="巫溪县", year=2022))
    ObligationFactory(report=ReportFactory(organization="巫山县", year=2023))
    client.force_login(staff_a)
    response = client.get("/obligations/?_export=csv")
    today = timezone.localdate().isoformat()
    assert quote(f"法治清单-{today}.csv") in response["Content-Disposition"]
