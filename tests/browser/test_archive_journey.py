"""Journey: the year's end. A supervisor closes the report on its page, starts
the archive (一事一档), follows its progress until the worker has written it,
downloads it, finds the obligations read-only, and reopens the report with
a reason."""

import shutil
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tests.test_jobs_worker import worker  # noqa: F401 - the fixture
from tests.worker_helpers import DB_TASKS
from tracker.services.evidence import evidence_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_closes_archives_and_reopens_the_report(
    page, supervisor, department_a, staff_a, tmp_path, settings, request
):
    report = ReportFactory(organization="巫溪县", year=2022)
    section = SectionFactory(report=report, code="一", number=1, title="工作开展情况")
    obligation = ObligationFactory(
        report=report,
        section=section,
        department=department_a,
        code="1.1",
        title="完善决策程序",
    )
    evidence_upload(
        obligation=obligation,
        user=staff_a,
        file=SimpleUploadedFile("实施方案.pdf", minimal_pdf(), "application/pdf"),
    )

    log_in(page, "supervisor")
    page.goto(report.get_absolute_url())
    page.get_by_label("Reason for closing").fill("2022年度工作已归档")
    page.get_by_role("button", name="Close the report").click()
    expect(page.locator(".messages")).to_contain_text("The report is closed")
    expect(page.locator("#closed")).to_contain_text("王督查")

    # The archive is a job: its page shows the progress while the worker (a
    # real one, started only now) writes it, looks again by itself, then offers
    # the file.
    settings.TASKS = DB_TASKS
    page.get_by_role("button", name="Download the archive").click()
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("#job-status")).to_contain_text("Waiting for the worker")
    request.getfixturevalue("worker")()
    expect(page.locator("#job-download")).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        page.locator("#job-download").click()
    download = download_info.value
    today = timezone.localdate()
    assert download.suggested_filename == f"巫溪县2022年一事一档-{today:%Y-%m-%d}.zip"
    archive = tmp_path / "archive.zip"
    shutil.copy(download.path(), archive)
    with zipfile.ZipFile(archive) as written:
        assert "1.1 完善决策程序/佐证材料/实施方案.pdf" in written.namelist()
    call_command("verify_archive", str(archive))

    # The obligation is read-only: the banner, its evidence, no form.
    page.goto(obligation.get_absolute_url())
    expect(page.locator("#closed")).to_contain_text("read")
    expect(page.get_by_role("link", name="实施方案.pdf").first).to_be_visible()
    expect(page.locator("article form")).to_have_count(0)

    page.goto(report.get_absolute_url())
    page.get_by_label("Reason for reopening").fill("补录一份佐证材料")
    page.get_by_role("button", name="Reopen the report").click()
    expect(page.locator(".messages")).to_contain_text("The report is reopened")
    expect(page.locator(".report-log")).to_contain_text("补录一份佐证材料")
    expect(page.locator("#closed")).to_have_count(0)
