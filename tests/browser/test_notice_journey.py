"""Journey: a supervisor raises an overdue obligation to red supervision, follows the
new 督办单 from the obligation page to its printable page, prints it (the print
stylesheet hides the site around the A4 sheet) and the department replies."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, save_screenshot
from tests.factories import ObligationFactory, ReportFactory
from tracker.models import SupervisionNotice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_escalates_to_red_and_prints_the_notice(
    new_page, supervisor, staff_a, department_a
):
    report = ReportFactory(organization="巫溪县", year=2022)
    obligation = ObligationFactory(
        report=report,
        department=department_a,
        code="1.2.2",
        title="健全行政执法“三项制度”",
    )
    page = new_page()
    log_in(page, "supervisor")
    page.goto(obligation.get_absolute_url())
    page.locator("#supervision select").select_option("red")
    page.locator("#supervision textarea").fill("逾期二十天未启动，列入红色督办。")
    page.get_by_role("button", name="Set level").click()

    code = f"巫法督〔{timezone.localdate().year}〕1号"
    expect(page.locator(".message-success")).to_contain_text(
        f"Supervision notice {code} issued."
    )
    page.locator("#notices").get_by_role("link", name=code).click()
    sheet = page.locator("article.notice-sheet")
    expect(sheet.locator(".notice-code")).to_have_text(code)
    expect(sheet).to_contain_text("县司法局")
    expect(sheet).to_contain_text("1.2.2 健全行政执法“三项制度”")
    expect(sheet).to_contain_text("逾期二十天未启动")
    expect(sheet).to_contain_text("王督查")

    # Printed, only the sheet is left: no navigation bar, breadcrumbs or button.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(sheet).to_be_visible()
    page.emulate_media(media="screen")
    save_screenshot(page, "notice.png")

    staff = new_page()
    log_in(staff, "staff_a")
    staff.goto(obligation.get_absolute_url())
    # The unanswered notice's reply form is open, not folded (issue 25, item 2).
    staff.locator("#notices textarea").fill("已制定整改方案，12月10日前完成。")
    staff.get_by_role("button", name="Send reply").click()
    expect(staff.locator(".message-success")).to_contain_text(
        f"Reply to supervision notice {code} recorded."
    )
    notice = SupervisionNotice.objects.get()
    assert notice.replied_by == staff_a
    page.reload()
    expect(sheet.locator(".notice-reply")).to_contain_text("已制定整改方案")
