"""The accounts sheet (XLSX) of ``import_users`` and the admin's account import:
one row per person, read into plain rows (no ORM; ``services.accounts.
accounts_import`` validates and writes them), and the empty template."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from .text import clean_text

# The header row, in the order the template has them.
COLUMNS = ("组织", "部门", "姓名", "登录名", "手机", "邮箱", "角色")
FIELDS = ("organization", "department", "name", "username", "mobile", "email", "role")
# A sheet bigger than a province's staff is not an accounts sheet.
MAX_ROWS = 20_000


class AccountSheetError(Exception):
    """The file is not an accounts sheet: nothing is read from it."""


@dataclass
class AccountRow:
    number: int  # the row's number in the sheet (the header is row 1)
    organization: str
    department: str
    name: str
    username: str
    mobile: str
    email: str
    role: str


def template_xlsx() -> bytes:
    """The empty sheet with its header and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "accounts"
    sheet.append(COLUMNS)
    sheet.append(
        ("巫溪县", "县司法局", "张三", "zhangsan", "13800000000", "", "经办人员")
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile number typed as a number
    return clean_text(str(value)).strip()


def read_account_rows(content: bytes) -> list[AccountRow]:
    """The rows of the sheet's first worksheet below its header (empty rows
    skipped). AccountSheetError when it is no XLSX or its header differs."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a non-XLSX file
        raise AccountSheetError(_("The file is not an Excel (.xlsx) workbook.")) from (
            error
        )
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(_cell(value) for value in next(rows, ()))[: len(COLUMNS)]
    if header != COLUMNS:
        raise AccountSheetError(
            _("The first row must be the columns %(columns)s.")
            % {"columns": "、".join(COLUMNS)}
        )
    result = []
    for number, values in enumerate(rows, start=2):
        cells = [_cell(value) for value in (values or ())][: len(COLUMNS)]
        cells += [""] * (len(COLUMNS) - len(cells))
        if not any(cells):
            continue
        if len(result) >= MAX_ROWS:
            raise AccountSheetError(
                _("The sheet has more than %(max)d rows.") % {"max": MAX_ROWS}
            )
        result.append(AccountRow(number, *cells))
    workbook.close()
    return result
