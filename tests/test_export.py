"""CSV and XLSX export of the filtered obligation list."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    EvidenceFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tracker.exports import spreadsheet_text
from tracker.models import Obligation, ProgressUpdate, display_name
from tracker.tables import OBLIGATION_COLUMNS, PAGE_COLUMNS


def csv_rows(response):
    assert response.status_code == 200
    content = response.getvalue()  # the CSV is streamed
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response):
    """The header and the rows, below the print title row."""
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(min_row=2, values_only=True)]


def test_csv_has_a_bom_and_chinese_intact(sv_client, department_a):
    ObligationFactory(
        department=department_a, code="1.1", title="推进严格规范公正文明执法"
    )
    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))
    assert rows[0][:2] == ["Code", "Title"]
    assert rows[1][1] == "推进严格规范公正文明执法"
    assert rows[1][3] == "县司法局"


def test_csv_filename_carries_todays_date(sv_client, db):
    ObligationFactory()
    response = sv_client.get("/obligations/?_export=csv")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"].startswith(
        f"attachment; filename=\"obligations-{today}.csv\"; filename*=UTF-8''"
    )
    assert response["Content-Disposition"].endswith(f"-{today}.csv")
    assert response["Content-Type"].startswith("text/csv")


def test_export_contains_exactly_the_filtered_rows_across_pages(sv_client, db):
    report = ReportFactory()
    for i in range(130):
        ObligationFactory(
            report=report,
            code=f"T{i:03d}",
            position=i,
            kind=Obligation.Kind.TASK if i % 2 else Obligation.Kind.PROBLEM,
        )
    expected = {f"T{i:03d}" for i in range(130) if i % 2}
    rows = csv_rows(sv_client.get("/obligations/?kind=task&page=2&_export=csv"))
    assert {row[0] for row in rows[1:]} == expected
    assert len(rows) - 1 == len(expected) == 65


def test_xlsx_export_opens_with_the_filtered_rows(sv_client, department_a):
    today = timezone.localdate()
    ObligationFactory(code="X1", title="行政复议", due_date=today - timedelta(days=1))
    ObligationFactory(code="X2", title="法治督察", status=Obligation.Status.DONE)
    response = sv_client.get("/obligations/?overdue=yes&_export=xlsx")
    assert response["Content-Disposition"].endswith(".xlsx")
    rows = xlsx_rows(response)
    assert rows[0][0] == "Code"
    assert [row[:2] for row in rows[1:]] == [["X1", "行政复议"]]


@pytest.mark.parametrize(
    "dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]
)
def test_formula_cells_are_neutralised_in_csv(sv_client, db, dangerous):
    ObligationFactory(code="F1", title=dangerous)
    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))
    assert rows[1][1] == "'" + dangerous


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("x")', "+1", "-1", "@SUM(1)"])
def test_formula_cells_are_neutralised_in_xlsx(sv_client, db, dangerous):
    ObligationFactory(code="F1", title=dangerous)
    response = sv_client.get("/obligations/?_export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = book.active["B3"]
    assert cell.value == "'" + dangerous
    assert cell.data_type == "s"


def test_invalid_filter_exports_nothing_rather_than_everything(sv_client, db):
    ObligationFactory()
    rows = csv_rows(sv_client.get("/obligations/?due_after=xx&_export=csv"))
    assert rows[1:] == []


def test_unknown_export_format_shows_the_page(sv_client, db):
    response = sv_client.get("/obligations/?_export=pdf")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_anonymous_users_cannot_export(client, db):
    ObligationFactory()
    response = client.get("/obligations/?_export=csv")
    assert response.status_code == 302


def test_export_row_shows_labels_names_counts_and_shanghai_time(
    sv_client, department_a, staff_a, today_is
):
    today_is(date(2023, 7, 3))  # the Monday after the due date
    obligation = ObligationFactory(
        code="E1",
        title="法治督察",
        kind=Obligation.Kind.PROBLEM,
        department=department_a,
        owner=UserFactory(username="wang", first_name="王", last_name="五"),
        status=Obligation.Status.IN_PROGRESS,
        due_date=date(2023, 6, 30),
        supervision_level=Obligation.SupervisionLevel.RED,
    )
    EvidenceFactory(obligation=obligation, uploaded_by=staff_a)
    EvidenceFactory(obligation=obligation, uploaded_by=staff_a)
    EvidenceFactory(obligation=obligation, uploaded_by=staff_a, withdrawn=True)
    # 16:30 UTC is half past midnight the next day in Shanghai.
    ProgressUpdate.objects.create(
        obligation=obligation,
        author=staff_a,
        action=ProgressUpdate.Action.COMMENT,
        text="x",
        created_at=datetime(2023, 3, 1, 16, 30, tzinfo=UTC),
    )
    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))
    # The page's columns; the exports' own follow (tests/test_export_handover.py).
    assert rows[1][: len(PAGE_COLUMNS)] == [
        "E1",
        "法治督察",
        str(Obligation.Kind.PROBLEM.label),
        "县司法局",
        "王 五",
        "In progress",
        "2023-06-30",
        "1 working day overdue",
        "Red supervision",
        "",  # not rated: only approved work is
        "2",
        "2023-03-02 00:30",
    ]


def test_export_follows_the_tables_sort_order(sv_client, db):
    report = ReportFactory()
    ObligationFactory(report=report, code="S1", position=1, title="乙")
    ObligationFactory(report=report, code="S2", position=2, title="甲")
    ObligationFactory(report=report, code="S3", position=3, title="丙")
    rows = csv_rows(sv_client.get("/obligations/?sort=-code&_export=csv"))
    assert [row[0] for row in rows[1:]] == ["S3", "S2", "S1"]


def export_query_count(client, export_format):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/obligations/?_export={export_format}")
        response.getvalue()  # the CSV's rows are read while it streams
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_query_count_does_not_grow_with_the_rows(
    sv_client, department_a, staff_a, export_format
):
    def add(count):
        for _ in range(count):
            obligation = ObligationFactory(department=department_a, owner=staff_a)
            EvidenceFactory(obligation=obligation, uploaded_by=staff_a)
            ProgressUpdate.objects.create(
                obligation=obligation,
                author=staff_a,
                action=ProgressUpdate.Action.COMMENT,
                text="x",
            )

    add(2)
    small = export_query_count(sv_client, export_format)
    add(60)
    assert len(xlsx_rows(sv_client.get("/obligations/?_export=xlsx"))) == 63
    assert export_query_count(sv_client, export_format) == small


@pytest.mark.parametrize(
    ("first_name", "last_name", "name"),
    [("王", "五", "王 五"), ("王", "", "王"), ("", "五", "五"), ("", "", "wang")],
)
def test_export_names_the_owner_as_every_page_does(
    sv_client, department_a, first_name, last_name, name
):
    owner = UserFactory(username="wang", first_name=first_name, last_name=last_name)
    ObligationFactory(code="A1", department=department_a, owner=owner)
    ObligationFactory(code="B1")  # nobody responsible: an empty cell
    rows = csv_rows(sv_client.get("/obligations/?_export=csv&sort=code"))
    owner_cells = [row[4] for row in rows[1:]]
    assert owner_cells == [display_name(owner), ""]
    assert display_name(owner) == name


# --- Column spec: the header and every row have the same width ----------------------


def _one_full_row(staff_a, department_a):
    obligation = ObligationFactory(
        department=department_a,
        owner=UserFactory(first_name="王", last_name="五"),
        due_date=date(2023, 6, 30),
        supervision_level=Obligation.SupervisionLevel.RED,
    )
    EvidenceFactory(obligation=obligation, uploaded_by=staff_a)
    ObligationFactory()  # nothing assigned: empty cells still count


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_every_exported_row_is_as_wide_as_the_header(
    sv_client, staff_a, department_a, export_format
):
    _one_full_row(staff_a, department_a)
    response = sv_client.get(f"/obligations/?_export={export_format}")
    rows = csv_rows(response) if export_format == "csv" else xlsx_rows(response)
    assert len(rows) == 3
    assert rows[0] == [str(column.header) for column in OBLIGATION_COLUMNS]
    assert {len(row) for row in rows} == {len(OBLIGATION_COLUMNS)}


def test_list_page_rows_are_as_wide_as_the_header(sv_client, staff_a, department_a):
    _one_full_row(staff_a, department_a)
    page = sv_client.get("/obligations/").content.decode()
    table = page[page.index("<table") : page.index("</table>")]
    head, body = table.split("</thead>")
    assert head.count("</th>") == len(PAGE_COLUMNS)
    rows = body.split("<tr")[1:]
    assert len(rows) == 2
    assert {row.count("</td>") for row in rows} == {len(PAGE_COLUMNS)}


# --- Formula injection: nothing a cell starts with makes it a formula ----------------

_PREFIXES = ("=", "+", "-", "@")
_CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f"]


def _smuggled_rows():
    """One obligation per control character and formula sign, the same text in
    the title, the department's name and the owner's name."""
    controls = _CONTROLS
    if connection.vendor == "postgresql":
        controls = controls[1:]  # PostgreSQL text cannot hold NUL at all
    for index, (control, sign) in enumerate(
        (control, sign) for control in controls for sign in _PREFIXES
    ):
        text = f'{control}{sign}HYPERLINK("http://127.0.0.1/x","click{index}")'
        ObligationFactory(
            title=text,
            department=DepartmentFactory(name=text),
            owner=UserFactory(first_name=text, last_name=""),
        )
    return len(controls) * len(_PREFIXES)


def _is_live_formula(value):
    if not isinstance(value, str) or value.startswith("'"):
        return False
    bare = value.lstrip("".join(_CONTROLS) + " ")
    return bare.startswith(_PREFIXES)


def test_control_characters_cannot_smuggle_a_formula_into_xlsx(sv_client, db):
    count = _smuggled_rows()
    response = sv_client.get("/obligations/?_export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(min_row=2))
    assert len(rows) == count + 1
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            assert not _is_live_formula(cell.value), (cell.coordinate, cell.value)
    # The text is kept, made inert: title, department and owner of the first row.
    assert rows[1][1].value.startswith("'")
    assert "HYPERLINK" in rows[1][1].value


def test_control_characters_cannot_smuggle_a_formula_into_csv(sv_client, db):
    count = _smuggled_rows()
    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))
    assert len(rows) == count + 1
    for row in rows:
        for cell in row:
            assert not _is_live_formula(cell), cell
    titles = [row[1] for row in rows[1:]]
    assert all(title.startswith("'") for title in titles)


def test_every_export_cell_passes_through_one_neutraliser_that_leaves_no_formula():
    # The obligation list and the notice register both write their cells through
    # spreadsheet_text; this is the whole matrix of control character x sign.
    for control in _CONTROLS:
        for sign in _PREFIXES:
            cell = spreadsheet_text(f"{control}{sign}cmd|' /C calc'!A0")
            assert cell.startswith("'"), repr(cell)
            assert not _is_live_formula(cell)
    assert spreadsheet_text("整改报告") == "整改报告"
    assert spreadsheet_text(3) == 3


@pytest.mark.parametrize(
    "dangerous",
    [
        "\ufeff=1+1",
        "\u200b=1+1",
        "\u200b\ufeff +SUM(A1)",
        "\u3000@cmd",
        "\u00a0-2+3",
        "\u2060\u200e=1",
        '＝HYPERLINK("http://127.0.0.1/x")',
        "＋1",
        "－1",
        "＠SUM(1)",
        "\ufeff＝1",
        "﹦1",
    ],
)
def test_invisible_and_fullwidth_prefixes_are_neutralised_in_csv_and_xlsx(
    sv_client, db, dangerous
):
    ObligationFactory(code="F1", title=dangerous)
    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))
    assert rows[1][1] == "'" + dangerous
    response = sv_client.get("/obligations/?_export=xlsx")
    # Row 1 is the print title, row 2 the header, row 3 the first item.
    cell = openpyxl.load_workbook(io.BytesIO(response.content)).active["B3"]
    assert (cell.value, cell.data_type) == ("'" + dangerous, "s")


@pytest.mark.parametrize("harmless", ["整改报告", "\ufeff整改报告", "（一）＝号说明"])
def test_text_that_only_contains_a_sign_later_is_left_alone(harmless):
    assert spreadsheet_text(harmless) == harmless
