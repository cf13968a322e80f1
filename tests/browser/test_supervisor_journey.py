"""Journey 2: a supervisor works through the review queue from the filtered list,
returns one obligation and approves another, raises a third to red supervision, and
exports the filtered list; the dashboard's counts and chart follow every step."""

import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory
from tracker.models import Obligation
from tracker.services.evidence import evidence_upload
from tracker.services.workflow import obligation_transition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

Status = Obligation.Status


def submit_for_review(obligation, user):
    obligation_transition(
        obligation=obligation, user=user, to_status=Status.IN_PROGRESS
    )
    evidence_upload(
        obligation=obligation,
        user=user,
        file=SimpleUploadedFile("台账.pdf", minimal_pdf(), "application/pdf"),
    )
    obligation_transition(
        obligation=obligation, user=user, to_status=Status.SUBMITTED, note="请审核"
    )


@pytest.fixture
def queue(department_a, staff_a):
    """Three obligations awaiting review and one still in progress."""
    submitted = [
        ObligationFactory(department=department_a, code=f"2.{n}", title=title)
        for n, title in enumerate(
            ["建立合法性审核机制", "推进政务公开", "规范行政复议"], 1
        )
    ]
    for obligation in submitted:
        submit_for_review(obligation, staff_a)
    in_progress = ObligationFactory(
        department=department_a, code="2.9", title="清理行政规范性文件"
    )
    obligation_transition(
        obligation=in_progress, user=staff_a, to_status=Status.IN_PROGRESS
    )
    return submitted, in_progress


def overall(page, key):
    selector = "[data-level=red]" if key == "red" else f"[data-status={key}]"
    return page.locator(f"section.overall {selector}")


def department_count(page, department, key):
    return page.locator(
        f"table.scorecards tr[data-department='{department.pk}'] td[data-count={key}]"
    )


def test_supervisor_reviews_escalates_and_exports(
    page, supervisor, department_a, queue, tmp_path
):
    (to_return, to_approve, left_waiting), in_progress = queue
    log_in(page, "supervisor")
    # A supervisor lands on their queue, the three items awaiting review first.
    expect(page).to_have_url(re.compile(r"/my/$"))
    page.goto("/")
    expect(overall(page, "submitted")).to_have_text("3")
    expect(overall(page, "done")).to_have_text("0")
    expect(overall(page, "returned")).to_have_text("0")
    expect(overall(page, "red")).to_have_text("0")

    page.get_by_role("link", name="Obligations", exact=True).click()
    page.locator("details.filter-disclosure > summary").click()  # folded until used
    page.locator(".field-status").get_by_label("Awaiting review").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[data-figure=count]")).to_have_text("3 obligations")
    table = page.locator("table").last
    for obligation in (to_return, to_approve, left_waiting):
        expect(table.get_by_role("link", name=obligation.title)).to_be_visible()
    expect(table.get_by_role("link", name=in_progress.title)).to_have_count(0)
    filtered_list = page.url
    assert "status=submitted" in filtered_list

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    title, *rows = list(sheet.iter_rows(values_only=True))
    assert "Filter: Status: Awaiting review" in title[0]
    header, body = rows[0], rows[1:]
    titles = {row[header.index("Title")] for row in body}
    assert titles == {to_return.title, to_approve.title, left_waiting.title}
    assert {row[header.index("Status")] for row in body} == {"Awaiting review"}

    table.get_by_role("link", name=to_return.title).click()
    page.get_by_label("Note or reason").fill("佐证材料不完整，请补充执法案卷。")
    page.get_by_role("button", name="Return for rework").click()
    header_badges = page.locator("article.obligation > header")
    expect(header_badges.locator(".status-returned")).to_have_text("Returned")
    expect(page.locator("#timeline .timeline-entry").first).to_contain_text(
        "佐证材料不完整"
    )

    page.goto(filtered_list)
    expect(page.locator("[data-figure=count]")).to_have_text("2 obligations")
    page.get_by_role("link", name=to_approve.title).click()
    # The rating is a group of radio buttons named by its legend; "Fair" without
    # the comment it needs is refused, and the page says why.
    rating = page.get_by_role("group", name="Rating of the result (when approving)")
    rating.get_by_role("radio", name="Fair", exact=True).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#status-errors")).to_contain_text("why the result is “Fair”")
    expect(header_badges.locator(".status-submitted")).to_be_visible()
    page.get_by_label("Rating comment").fill("案卷评查覆盖面不足。")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_contain_text("rated “Fair”")
    expect(header_badges.locator(".status-done")).to_have_text("Done")
    expect(page.locator(".facts .rating-fair")).to_have_text("Fair")
    expect(page.locator(".facts .rating-comment")).to_have_text("案卷评查覆盖面不足。")

    page.goto(in_progress.get_absolute_url())
    page.locator("#supervision select").select_option("red")
    page.locator("#supervision textarea").fill("逾期未启动清理，列入红色督办。")
    page.get_by_role("button", name="Set level").click()
    expect(header_badges.locator(".supervision-red")).to_have_text("Red supervision")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(overall(page, "submitted")).to_have_text("1")
    expect(overall(page, "done")).to_have_text("1")
    expect(overall(page, "returned")).to_have_text("1")
    expect(overall(page, "red")).to_have_text("1")
    expect(department_count(page, department_a, "done")).to_have_text("1")
    expect(department_count(page, department_a, "red")).to_have_text("1")
    # The stacked bar of the department now has a "done" segment.
    done_bar = page.locator(
        "svg[aria-labelledby~='chart-status-title'] rect > title",
        has_text=f"{department_a.short_name}: Done 1",
    )
    expect(done_bar).to_have_count(1)
