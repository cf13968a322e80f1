"""Issue 25: the review panel and the phone's action bar, at 390×844 and 1280×800.

A staff member's item page opens with what they may do now (the first action
within the first screen, a header of one row), keeps the action bar on screen
while the long texts scroll by, and uploads several files with a progress bar
and no reload; a supervisor reads the submission note above the approve button
and goes on to the next item of the queue."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory
from tests.workflow_helpers import set_status, upload
from tracker.models import Obligation
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_add_note, obligation_transition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SIZES = {"390": PHONE, "1280": LAPTOP}
# About six phone screens of report text, as the issue measured.
LONG_BODY = "\n\n".join(
    "坚持依法行政，全面推进法治政府建设，落实行政执法三项制度，" * 8 for _ in range(25)
)


def box(locator):
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, height: r.height}; }"
    )


def scrolls_sideways(page):
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.fixture
def long_item(department_a, supervisor):
    obligation = ObligationFactory(
        department=department_a,
        code="2.1",
        title="推进严格规范公正文明执法",
        body=LONG_BODY,
    )
    # A red 督办单 waiting for the department's reply.
    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="逾期未办，列入红色督办。",
    )
    return Obligation.objects.get(pk=obligation.pk)


@pytest.mark.parametrize("label", list(SIZES))
def test_item_page_opens_with_the_actions_and_a_one_row_header(
    new_page, staff_a, long_item, label
):
    page = new_page()
    page.set_viewport_size(SIZES[label])
    log_in(page, "staff_a")
    page.goto(long_item.get_absolute_url())
    height = SIZES[label]["height"]

    if label == "390":
        assert box(page.locator("header.topbar"))["height"] <= 64
    else:  # the whole header as before, no menu button
        assert box(page.locator("header.topbar"))["height"] <= 100
    bar = page.locator("#actions")
    expect(bar.get_by_role("link", name="Acknowledge (签收)")).to_be_visible()
    expect(bar.get_by_role("link", name="Upload evidence")).to_be_visible()
    expect(bar.get_by_role("link", name="Reply to notice")).to_have_count(1)
    first_button = page.locator("article.obligation form button[type=submit]").first
    expect(first_button).to_have_text("Acknowledge (签收)")
    assert box(first_button)["bottom"] <= height
    # The long texts are folded; the 督办单's reply form is not.
    expect(page.locator("#full-text .report-text")).to_be_hidden()
    expect(page.locator("#notices textarea")).to_be_visible()
    assert not scrolls_sideways(page)

    if label == "390":
        # The menu holds the rest of the header, one tap away.
        expect(page.locator(".nav-links")).to_be_hidden()
        page.locator(".nav-menu-button").click()
        expect(page.get_by_role("link", name="My work")).to_be_visible()
        page.locator(".nav-menu-button").click()
        # Unfold the text and scroll to the end: the action bar stays on screen.
        page.locator("#full-text summary").click()
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert 0 <= box(bar)["top"] and box(bar)["bottom"] <= height
    else:
        expect(page.get_by_role("link", name="My work")).to_be_visible()
        expect(page.locator(".nav-menu-button")).to_be_hidden()


@pytest.mark.parametrize("label", list(SIZES))
def test_several_files_upload_with_progress_and_no_reload(
    new_page, staff_a, long_item, label
):
    set_status(long_item, Obligation.Status.IN_PROGRESS)
    page = new_page()
    page.set_viewport_size(SIZES[label])
    log_in(page, "staff_a")
    page.goto(long_item.get_absolute_url())
    page.evaluate("window.notReloaded = true")
    page.set_input_files(
        "#evidence input[name=file]",
        files=[
            {"name": name, "mimeType": "application/pdf", "buffer": minimal_pdf(name)}
            for name in ("会议纪要.pdf", "整改方案.pdf")
        ],
    )
    page.locator("#evidence").get_by_role("button", name="Upload file").click()
    table = page.locator("#evidence .evidence-table")
    expect(table.get_by_role("link", name="会议纪要.pdf")).to_be_visible()
    expect(table.get_by_role("link", name="整改方案.pdf")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("2 evidence files uploaded")
    assert page.evaluate("window.notReloaded") is True
    # The status card was redrawn too: submitting no longer waits for evidence.
    expect(
        page.locator("#status").get_by_role("button", name="Submit for review")
    ).to_be_enabled()
    # The camera input is there for phones, apart from the file chooser.
    expect(page.locator("#evidence input[name=photo]")).to_have_attribute(
        "capture", "environment"
    )


def _submitted(obligation, staff, note, days_ago):
    upload(obligation, staff, name=f"{obligation.code}佐证.pdf")
    set_status(obligation, Obligation.Status.IN_PROGRESS)
    obligation_add_note(obligation=obligation, user=staff, text="已召开专题会议部署")
    obligation_transition(
        obligation=obligation,
        user=staff,
        to_status=Obligation.Status.SUBMITTED,
        note=note,
    )
    Obligation.objects.filter(pk=obligation.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


@pytest.mark.parametrize("label", list(SIZES))
def test_reviewer_reads_the_submission_then_goes_to_the_next_item(
    new_page, staff_a, supervisor, department_a, label
):
    first, second = (
        ObligationFactory(department=department_a, code=code, title=title)
        for code, title in (("3.1", "规范行政复议"), ("3.2", "加强普法宣传"))
    )
    _submitted(first, staff_a, "整改已完成，附验收报告。", days_ago=5)
    _submitted(second, staff_a, "宣传活动已开展12场。", days_ago=2)
    page = new_page()
    page.set_viewport_size(SIZES[label])
    log_in(page, "supervisor")
    page.goto(first.get_absolute_url() + "#status")

    panel = page.locator("#status.review-panel")
    note = panel.locator(".submission-note")
    expect(note).to_have_text("整改已完成，附验收报告。")
    expect(panel.locator(".review-notes")).to_contain_text("已召开专题会议部署")
    expect(panel.locator(".review-evidence")).to_contain_text("3.1佐证.pdf")
    approve = panel.get_by_role("button", name="Approve")
    assert box(note)["bottom"] <= box(approve)["top"]
    assert not scrolls_sideways(page)

    panel.get_by_label("Good").check()
    approve.click()
    expect(page.locator(".messages")).to_contain_text("Done")
    page.get_by_role("link", name="Review the next item").click()
    expect(page.locator("h1")).to_contain_text("加强普法宣传")
    expect(page.locator("#status .submission-note")).to_have_text(
        "宣传活动已开展12场。"
    )

    page.locator("#status").get_by_label("Good").check()
    page.locator("#status").get_by_role("button", name="Approve").click()
    expect(page.locator("#review-queue-empty")).to_have_text(
        "Nothing else waits for review."
    )


def test_a_refused_file_stores_nothing_and_is_named_without_a_reload(
    new_page, staff_a, long_item
):
    page = new_page()
    log_in(page, "staff_a")
    page.goto(long_item.get_absolute_url())
    page.evaluate("window.notReloaded = true")
    page.set_input_files(
        "#evidence input[name=file]",
        files=[
            {
                "name": "方案.pdf",
                "mimeType": "application/pdf",
                "buffer": minimal_pdf(),
            },
            {
                "name": "工具.exe",
                "mimeType": "application/octet-stream",
                "buffer": b"MZ",
            },
        ],
    )
    page.locator("#evidence").get_by_role("button", name="Upload file").click()
    errors = page.locator("#evidence-errors")
    expect(errors).to_contain_text("Nothing was uploaded.")
    expect(errors).to_contain_text("“工具.exe”")
    expect(page.locator("#evidence .evidence-table")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
