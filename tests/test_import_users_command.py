"""manage.py import_users: accounts from a sheet, all rows checked first."""

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import accounts_sheet
from tracker.account_sheet import COLUMNS, template_xlsx
from tracker.models import AccountProfile

pytestmark = pytest.mark.django_db
User = get_user_model()


def _sheet(tmp_path, rows):
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(accounts_sheet(rows))
    return path


def _row(n, **changes):
    row = {
        "organization": "巫溪县",
        "department": "县司法局",
        "name": f"经办{n}",
        "username": f"staff{n:04d}",
        "mobile": f"1380000{n:04d}",
        "email": f"staff{n}@example.invalid",
        "role": "经办人员",
    }
    row.update(changes)
    return tuple(row.values())


def test_a_thousand_rows_make_a_thousand_accounts_that_must_change_password(
    tmp_path, county
):
    path = _sheet(tmp_path, [_row(n) for n in range(1000)])
    out = StringIO()

    call_command("import_users", str(path), stdout=out, stderr=StringIO())

    assert User.objects.filter(username__startswith="staff").count() == 1000
    assert len(out.getvalue().splitlines()) == 1000
    login, password = out.getvalue().splitlines()[0].split("\t")
    user = User.objects.get(username=login)
    assert user.check_password(password)
    assert user.departments.get().name == "县司法局"
    profile = AccountProfile.objects.get(user=user)
    assert profile.must_change_password and profile.organization == county


@pytest.mark.usefixtures("english")
def test_a_bad_row_lists_every_error_per_row_and_creates_nobody(tmp_path, county):
    rows = [_row(n) for n in range(1000)]
    rows[10] = _row(10, organization="巫山县")
    rows[500] = _row(500, role="队长", email="not-an-address")
    rows[999] = _row(999, username="staff0001")
    errors = StringIO()

    with pytest.raises(CommandError, match="3 rows have errors"):
        call_command(
            "import_users",
            str(_sheet(tmp_path, rows)),
            stdout=StringIO(),
            stderr=errors,
        )

    assert not User.objects.filter(username__startswith="staff").exists()
    lines = errors.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "row 12",
        "row 502",
        "row 502",
        "row 1001",
    ]


def test_dry_run_checks_and_writes_nothing(tmp_path, county):
    out = StringIO()

    call_command(
        "import_users", str(_sheet(tmp_path, [_row(1)])), "--dry-run", stdout=out
    )

    assert "1 rows checked" in out.getvalue()
    assert not User.objects.filter(username__startswith="staff").exists()


def test_template_has_the_columns(tmp_path):
    path = tmp_path / "template.xlsx"

    call_command("import_users", "--template", str(path), stdout=StringIO())

    header = next(load_workbook(path).active.iter_rows(values_only=True))
    assert header == COLUMNS
    assert load_workbook(io.BytesIO(template_xlsx())).active.max_row == 2
