"""What an import would write is checked before anything is written.

On PostgreSQL a value longer than its column (an organization of 121 characters
named in the title line) or out of its range (year 99999) raised DataError in the
middle of an import: a traceback on the command line, a 500 in the admin. Now the
dry run, Preview and Import refuse it alike with one line naming the value. Run this
file on PostgreSQL too (DATABASE_URL)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tracker import importing
from tracker.models import Obligation, ProgressUpdate, Report, Section
from tracker.services.common import ServiceError
from tracker.services.importing import report_import

pytestmark = pytest.mark.usefixtures("english")

LONG_ORGANIZATION = "重庆市" + "某某" * 59  # 121 characters
BODY = (
    "一、2024年主要工作\n（一）依法决策\n一是健全机制。二是强化审查。\n"
    "二、存在的问题\n一是执法不规范；二是队伍不稳定。\n"
)
REPORT = f"{LONG_ORGANIZATION}2024年法治政府建设情况报告\n{BODY}"
GOOD = f"石柱县2024年法治政府建设情况报告\n{BODY}"


def nothing_written():
    return not (
        Report.objects.exists()
        or Section.objects.exists()
        or Obligation.objects.exists()
        or ProgressUpdate.objects.exists()
    )


@pytest.fixture
def report_file(tmp_path):
    def write(text):
        path = tmp_path / "report.txt"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def refusal(*args):
    with pytest.raises(CommandError) as error:
        call_command(
            "import_report", *map(str, args), stdout=io.StringIO(), stderr=io.StringIO()
        )
    message = str(error.value)
    assert "\n" not in message
    return message


def test_the_long_organization_is_longer_than_its_column():
    assert len(LONG_ORGANIZATION) == 121
    assert importing.parse_report(REPORT).organization == LONG_ORGANIZATION


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry run"])
def test_a_title_naming_an_organization_too_long_is_refused_with_one_line(
    db, report_file, dry_run
):
    message = refusal(report_file(REPORT), *dry_run)

    assert "is 121 characters long, more than the 100 allowed" in message
    assert nothing_written()


@pytest.mark.parametrize("year", ["99999", "-5", "1899", "2101"])
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry run"])
def test_a_year_out_of_range_is_refused_with_one_line(db, report_file, year, dry_run):
    message = refusal(report_file(GOOD), "--year", year, *dry_run)

    assert message == f"The year {year} is not between 1900 and 2100."
    assert nothing_written()


def test_an_organization_option_of_150_characters_is_refused(db, report_file):
    message = refusal(report_file(GOOD), "--organization", "县" * 150)

    assert "is 150 characters long, more than the 100 allowed" in message
    assert nothing_written()


def test_a_good_organization_option_overrides_the_long_one_in_the_title(
    db, report_file
):
    call_command(
        "import_report",
        str(report_file(REPORT)),
        "--organization",
        "某某县",
        stdout=io.StringIO(),
    )

    assert Report.objects.get().organization == "某某县"


def test_the_service_refuses_before_writing_when_called_directly(db):
    tree = importing.parse_report(GOOD)
    tree.chapters[0].children[0].obligations[0].kind = "wish"

    with pytest.raises(ServiceError) as error:
        report_import(tree=tree)

    assert str(error.value).startswith("obligation 1.1.1, kind: Value 'wish'")
    assert nothing_written()


def test_the_refusal_is_in_chinese_for_a_chinese_operator(db, report_file):
    from django.utils import translation

    with translation.override("zh-hans"):
        message = refusal(report_file(GOOD), "--year", "99999")

    assert message == "年度 99999 不在 1900 至 2100 之间。"


# --- The admin's import page ------------------------------------------------------

URL = reverse("admin:tracker_report_import")


@pytest.mark.parametrize("button", ["preview", "import"])
def test_admin_refuses_a_title_naming_an_organization_too_long(
    tracker_admin_client, button
):
    upload = SimpleUploadedFile("report.txt", REPORT.encode())

    response = tracker_admin_client.post(URL, {"file": upload, button: "1"})

    assert response.status_code == 400
    assert "is 121 characters long, more than the 100 allowed" in (
        response.content.decode()
    )
    assert nothing_written()


@pytest.mark.parametrize("year", ["99999", "-5"])
def test_admin_refuses_a_year_out_of_range(tracker_admin_client, year):
    upload = SimpleUploadedFile("report.txt", GOOD.encode())

    response = tracker_admin_client.post(
        URL, {"file": upload, "year": year, "import": "1"}
    )

    assert response.status_code == 400
    assert "Ensure this value is" in response.content.decode()
    assert nothing_written()
