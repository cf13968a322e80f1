"""Journey: an administrator imports Wuxi's 2023 report and the Preview shows the
follow-ups it suggests for the 2022 report; a supervisor then confirms follow-up
matches on the 2022 tasks' and problems' pages, rejects a wrong one, and reads on
the 2022 report's page "Reported in 2023 as …", the recurring problem flagged there
and on the dashboard."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.followup_helpers import WUXI_2023, import_2022
from tracker.models import FollowUp, FollowUpRejection, Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def suggestion(page, title):
    return page.locator("#follow-up li[data-suggestion]", has_text=title)


def test_supervisor_confirms_follow_ups_after_an_import(
    new_page, tracker_admin, supervisor
):
    earlier = import_2022()
    admin = new_page()
    log_in(admin, "admin")

    admin.goto("/admin/tracker/report/import/")
    admin.locator("input[type=file][name=file]").set_input_files(str(WUXI_2023))
    admin.get_by_role("button", name="Preview").click()
    followups = admin.locator("#suggested-followups + p + table")
    expect(admin.locator("#suggested-followups")).to_have_text(
        "Follow-up of 巫溪县2022年法治政府建设情况报告"
    )
    expect(followups).to_contain_text("发挥政府法律顾问作用")
    admin.get_by_role("button", name="Import").click()
    expect(admin.locator(".messagelist")).to_contain_text(
        "15 follow-up suggestions for 巫溪县2022年法治政府建设情况报告"
    )
    assert Report.objects.filter(year=2023).exists()

    page = new_page()
    log_in(page, "supervisor")
    page.goto(earlier["4.1"].report.get_absolute_url())
    row = page.locator("#follow-up li[data-code='4.1']")
    expect(row).to_contain_text(
        "3 suggestions to confirm: 1.2.2 发挥政府法律顾问作用; 1.2.1 健全决策程序; "
        "1.2.3 推动德法共治"
    )
    row.get_by_role("link", name="3 suggestions to confirm").click()

    # 4.1: the suggested item, with what it shares, confirmed.
    expect(suggestion(page, "发挥政府法律顾问作用")).to_contain_text(
        "Shared wording: 法律顾问制度 ≈ 政府法律顾问"
    )
    suggestion(page, "发挥政府法律顾问作用").get_by_role(
        "button", name="Confirm follow-up"
    ).click()
    expect(page.locator(".messages")).to_contain_text(
        "Confirmed: 1.2.2 of next year's report reports on 4.1."
    )
    expect(page.locator("#follow-up")).to_contain_text(
        "Reported in 2023 as 1.2.2 发挥政府法律顾问作用"
    )

    # 3.1 (too few enforcement staff trained): the training of them all.
    page.goto(earlier["3.1"].get_absolute_url())
    suggestion(page, "开展执法人员全员轮训").get_by_role(
        "button", name="Confirm follow-up"
    ).click()

    # 3.3 appears again as 2023's 3.1: recurring.
    page.goto(earlier["3.3"].get_absolute_url())
    recurring = suggestion(page, "基层法治建设仍有短板")
    expect(recurring).to_contain_text("Recurring")
    recurring.get_by_role("button", name="Confirm follow-up").click()

    # 4.3 (法治宣传教育): 2023's 精准普法 is its follow-up; 2023's problem of
    # publicity not reaching new kinds of work is not.
    page.goto(earlier["4.3"].get_absolute_url())
    suggestion(page, "法治宣传覆盖面还不够广").get_by_role(
        "button", name="Not a follow-up"
    ).click()
    expect(page.locator(".messages")).to_contain_text("Rejected: 3.3")
    suggestion(page, "开展精准普法").get_by_role(
        "button", name="Confirm follow-up"
    ).click()
    expect(page.locator("#follow-up")).to_contain_text(
        "Reported in 2023 as 1.5.2 开展精准普法"
    )

    # 4.4 (法治队伍): 2023's leaders studying the law, which the suggestions
    # miss: chosen from the list.
    page.goto(earlier["4.4"].get_absolute_url())
    page.locator("#follow-up-choice summary").click()
    page.locator("#follow-up-choice select[name=later]").select_option(
        label="2.2 带头学法述法"
    )
    page.locator("#follow-up-choice textarea[name=reason]").fill(
        "领导干部带头学法述法即4.4所说的法治队伍建设"
    )
    page.locator("#follow-up-choice").get_by_role(
        "button", name="Confirm follow-up"
    ).click()
    expect(page.locator("#follow-up")).to_contain_text(
        "Reported in 2023 as 2.2 带头学法述法"
    )

    page.goto(earlier["4.1"].report.get_absolute_url())
    follow_up = page.locator("#follow-up")
    expect(follow_up.locator("li[data-code='4.1']")).to_contain_text(
        "Reported in 2023 as 1.2.2 发挥政府法律顾问作用"
    )
    expect(follow_up.locator("li[data-code='4.3']")).to_contain_text(
        "Reported in 2023 as 1.5.2 开展精准普法"
    )
    expect(follow_up.locator("li[data-code='4.4']")).to_contain_text(
        "Reported in 2023 as 2.2 带头学法述法"
    )
    expect(follow_up.locator("li[data-code='3.3']")).to_contain_text("Recurring")
    follow_up.locator("li[data-code='4.1']").get_by_role(
        "link", name="1.2.2 发挥政府法律顾问作用"
    ).click()
    expect(page.locator("#follow-up")).to_contain_text(
        "Follows up, from the 2022 report: 4.1 进一步加强制度建设"
    )

    page.goto(f"/?report={earlier['3.3'].report_id}")
    expect(page.locator("#recurring h2")).to_have_text("Recurring problems 1")
    expect(page.locator("#recurring")).to_contain_text("2022 3.3")
    assert FollowUp.objects.confirmed().count() == 5
    assert FollowUpRejection.objects.count() == 1
