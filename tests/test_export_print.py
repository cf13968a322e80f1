"""Exports fit to print: a title row naming the report, its filter and the time of
export, landscape pages as wide as the paper with the header repeated, a file name
that says the filter; the archive's index.html and the records linking back."""

import io
import re
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tracker.models import Obligation


def _sheet(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _disposition_name(response):
    encoded = response["Content-Disposition"].split("filename*=UTF-8''")[1]
    return unquote(encoded)


@pytest.fixture
def two_rows(db, department_a):
    report = ReportFactory(organization="巫溪县", year=2022)
    ObligationFactory(report=report, code="1.1", department=department_a)
    ObligationFactory(
        report=report, code="1.2", status=Obligation.Status.DONE, department=None
    )
    return report


def test_xlsx_prints_landscape_one_page_wide_with_title_and_header_repeated(
    sv_client, two_rows
):
    sheet = _sheet(sv_client.get("/obligations/?_export=xlsx"))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$2"


def test_xlsx_title_row_names_the_report_and_the_time_of_export(sv_client, two_rows):
    sheet = _sheet(sv_client.get("/obligations/?_export=xlsx"))
    title = sheet["A1"].value
    assert title.startswith("巫溪县 2022 rule-of-law checklist")
    assert f"Exported at {timezone.localtime():%Y-%m-%d}" in title
    assert "Filter" not in title
    assert sheet["A1"].font.b
    assert sheet["A2"].value == "Code"


def test_xlsx_title_row_names_the_filter(sv_client, two_rows, department_a):
    response = sv_client.get(
        f"/obligations/?status=not_started&status=done&department={department_a.pk}"
        "&_export=xlsx"
    )
    title = _sheet(response)["A1"].value
    assert (
        "Filter: Status: Not started、Done; Responsible department: 县司法局" in title
    )


def test_filtered_export_file_name_carries_the_filter(sv_client, two_rows):
    response = sv_client.get("/obligations/?status=done&_export=xlsx")
    today = timezone.localdate()
    assert _disposition_name(response) == (
        f"巫溪县 2022 rule-of-law checklist-Done-{today:%Y-%m-%d}.xlsx"
    )
    assert (
        f'filename="obligations-filtered-{today:%Y-%m-%d}.xlsx"'
        in (response["Content-Disposition"])
    )


def test_unfiltered_and_filtered_exports_have_different_names(sv_client, two_rows):
    full = sv_client.get("/obligations/?_export=csv")
    filtered = sv_client.get("/obligations/?kind=task&_export=csv")
    assert _disposition_name(full) != _disposition_name(filtered)
    assert "Next-year task" in _disposition_name(filtered)


def test_a_filter_value_cannot_put_a_folder_or_forbidden_character_in_the_name(
    sv_client, db
):
    department = DepartmentFactory(name='县/局:"督查"?')
    ObligationFactory(department=department)
    response = sv_client.get(f"/obligations/?department={department.pk}&_export=csv")
    name = _disposition_name(response)
    assert not re.search(r'[\\/:*?"<>|]', name), name
    assert "县 局 督查" in name


def test_a_long_search_is_cut_short_in_the_file_name(sv_client, two_rows):
    response = sv_client.get("/obligations/?q=" + "执法" * 80 + "&_export=csv")
    name = _disposition_name(response)
    assert "…" in name
    assert len(name) < 120


def test_a_typed_search_in_the_title_row_cannot_be_a_formula(sv_client, two_rows):
    response = sv_client.get("/obligations/?q==HYPERLINK(1)&_export=xlsx")
    cell = _sheet(response)["A1"]
    assert cell.data_type == "s"
    assert "Search: =HYPERLINK(1)" in cell.value


def test_csv_export_keeps_the_header_on_its_first_line(sv_client, two_rows):
    response = sv_client.get("/obligations/?status=done&_export=csv")
    first_line = response.getvalue().decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Code,Title")


def test_ranking_xlsx_has_a_title_row_with_the_period_and_prints_landscape(
    sv_client, two_rows
):
    response = sv_client.get(
        reverse("tracker:department_ranking"),
        {"report": two_rows.pk, "start": "2026-01-01", "_export": "xlsx"},
    )
    sheet = _sheet(response)
    assert sheet["A1"].value.startswith("巫溪县 2022 department ranking")
    assert "Period: 2026-01-01 – …" in sheet["A1"].value
    assert sheet["A2"].value == "Rank"
    assert sheet.page_setup.orientation == "landscape"


def test_notice_register_xlsx_has_a_title_row(sv_client, db):
    response = sv_client.get(reverse("tracker:notice_register") + "?_export=xlsx")
    sheet = _sheet(response)
    assert sheet["A1"].value.startswith("Register of supervision notices")
    assert sheet["A2"].value == "Notice number"


def test_title_row_reads_in_chinese_by_default(client, supervisor, two_rows):
    client.force_login(supervisor)
    title = _sheet(client.get("/obligations/?status=done&_export=xlsx"))["A1"].value
    assert "筛选：状态：已办结" in title
    assert "导出时间：" in title
