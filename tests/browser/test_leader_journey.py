"""Journey: a leader's morning (issue 23). The leader signs in and lands on the
cockpit, sees the red item, opens it, writes a 批示; the unit's staff see it at the
top of the item and reply; the leader approves the red 督办单 in their name."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, save_screenshot
from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tracker.models import Instruction, Notification, Obligation, SupervisionNotice
from tracker.services.supervision import obligation_set_supervision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leaders_morning_cockpit_red_item_instruction_reply(
    new_page, leader, supervisor, staff_a, department_a
):
    report = ReportFactory(organization="巫溪县", year=2022)
    obligation = ObligationFactory(
        report=report,
        department=department_a,
        code="1.1.2",
        title="严格落实重大行政决策程序",
    )
    ObligationFactory(report=report, department=department_a, code="1.1.3")
    notice = obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="逾期未完成，升级为红色督办。",
    ).new_notice

    page = new_page()
    log_in(page, "leader")
    expect(page).to_have_url(re.compile(r"/cockpit/$"))
    expect(page.locator("[data-figure=red]")).to_have_text("1")
    red_items = page.locator("#red-yellow")
    expect(red_items).to_contain_text("县司法局")
    expect(page.locator("#awaiting-signature")).to_contain_text("(for you to sign)")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    page.emulate_media(media="screen")
    save_screenshot(page, "cockpit.png")

    red_items.get_by_role("link", name=re.compile("1.1.2")).click()
    expect(page).to_have_url(re.compile(rf"/obligations/{obligation.pk}/$"))
    page.locator("#instructions textarea").fill("请县司法局本周内拿出整改方案。")
    page.get_by_role("button", name="Send instruction").click()
    expect(page.locator(".message-success")).to_contain_text(
        "Instruction sent to the unit and the supervisors."
    )
    page.get_by_role("button", name="Approve and issue in my name").click()
    expect(page.locator(".message-success")).to_contain_text(
        f"Supervision notice {notice.code} is issued in your name."
    )
    assert SupervisionNotice.objects.get().leader == leader
    assert Notification.objects.filter(
        recipient=staff_a, kind=Notification.Kind.INSTRUCTION
    ).exists()

    staff = new_page()
    log_in(staff, "staff_a")
    staff.goto(obligation.get_absolute_url())
    first_card = staff.locator("article.obligation > section.card").first
    expect(first_card).to_have_id("instructions")
    expect(first_card).to_contain_text("请县司法局本周内拿出整改方案。")
    expect(staff.locator("#notices")).to_contain_text("赵书记")
    first_card.locator("textarea").fill("已制定整改方案，月底前办结。")
    staff.get_by_role("button", name="Reply to the instruction").click()
    expect(staff.locator(".message-success")).to_contain_text("Reply sent.")
    expect(staff.locator("article.obligation > section.card").first).not_to_have_id(
        "instructions"
    )
    assert Instruction.objects.get().replied_by == staff_a


def test_the_cockpit_prints_on_one_a4_page_when_its_lists_are_full(
    new_page, leader, supervisor
):
    report = ReportFactory(organization="巫溪县", year=2022)
    # More than the page lists (25 items, 8 units), with long titles.
    for number in range(30):
        obligation = ObligationFactory(
            report=report,
            department=DepartmentFactory(name=f"县第{number}局"),
            code=f"1.{number}",
            title="严格落实重大行政决策程序，推进科学民主依法决策，健全行政执法三项制度",
        )
        obligation_set_supervision(
            obligation=obligation,
            user=supervisor,
            level="red" if number % 2 else "yellow",
            note="逾期",
        )
    page = new_page(locale="zh-CN")
    log_in(page, "leader")
    page.emulate_media(media="print")

    pdf = page.pdf(format="A4")

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
