"""Journey 1: a staff member starts an obligation of their department, uploads a PDF
with a Chinese file name and submits it for review; staff of another department can
read the obligation but neither upload to it nor download its evidence."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory
from tracker.models import Obligation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

FILE_NAME = "2023年行政执法案卷评查报告.pdf"


@pytest.fixture
def work(department_a):
    return ObligationFactory(
        department=department_a,
        code="1.1",
        title="全面推行行政执法三项制度",
        body="落实行政执法公示、执法全过程记录、重大执法决定法制审核制度。",
    )


def test_staff_starts_uploads_and_submits_for_review(
    new_page, staff_a, staff_b, work, live_server
):
    page = new_page()
    log_in(page, "staff_a")

    page.get_by_role("link", name="My work").click()
    not_started = page.locator("#status-not_started")
    expect(not_started).to_contain_text(work.title)
    not_started.get_by_role("link", name=work.title).click()
    header = page.locator("article.obligation > header")
    expect(header.locator(".status-not_started")).to_have_text("Not started")

    page.get_by_role("button", name="Start work").click()
    expect(page.locator(".messages")).to_contain_text("In progress")
    expect(header.locator(".status-in_progress")).to_have_text("In progress")
    first_entry = page.locator("#timeline .timeline-entry").first
    expect(first_entry.locator(".status-in_progress")).to_be_visible()

    page.set_input_files(
        "#evidence input[type=file]",
        files=[
            {"name": FILE_NAME, "mimeType": "application/pdf", "buffer": minimal_pdf()}
        ],
    )
    page.locator("#evidence textarea").fill("案卷评查结果")
    page.get_by_role("button", name="Upload file").click()
    evidence_link = page.locator("#evidence .evidence-table").get_by_role(
        "link", name=FILE_NAME
    )
    expect(evidence_link).to_be_visible()
    expect(page.locator("#timeline .timeline-entry").first).to_contain_text(FILE_NAME)

    with page.expect_download() as download_info:
        evidence_link.click()
    download = download_info.value
    assert download.suggested_filename == FILE_NAME
    assert open(download.path(), "rb").read().startswith(b"%PDF-")

    page.locator("#status textarea").fill("已完成案卷评查，请审核。")
    page.get_by_role("button", name="Submit for review").click()
    expect(header.locator(".status-submitted")).to_have_text("Awaiting review")
    newest = page.locator("#timeline .timeline-entry").first
    expect(newest.locator(".status-submitted")).to_be_visible()
    expect(newest).to_contain_text("已完成案卷评查，请审核。")
    # Submitted work is the reviewers' now: no more status buttons for staff.
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)

    work.refresh_from_db()
    assert work.status == Obligation.Status.SUBMITTED
    evidence = work.evidence.get()

    other = new_page()
    log_in(other, "staff_b")
    other.goto(work.get_absolute_url())
    expect(other.locator("h1")).to_contain_text(work.title)
    expect(other.get_by_text(FILE_NAME).first).to_be_visible()
    expect(other.locator("#evidence input[type=file]")).to_have_count(0)
    expect(other.get_by_role("button", name="Upload file")).to_have_count(0)
    expect(other.get_by_role("link", name=FILE_NAME)).to_have_count(0)
    response = other.request.get(f"/evidence/{evidence.pk}/download/")
    assert response.status == 403
