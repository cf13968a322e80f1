"""Journeys of a year handing over to the next (issue 23): a supervisor closes a
year that still has open work (sees what is open, must give a reason, and the
year's items leave the queue), and carries an unfinished item over (结转) into the
next year's report."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tracker.models import Obligation, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Obligation.Status


def _year(year, department, **items):
    report = ReportFactory(organization="巫溪县", year=year)
    section = SectionFactory(report=report, code="一", number=1, title="工作开展情况")
    made = {
        code: ObligationFactory(
            report=report,
            section=section,
            department=department,
            code=code,
            title=title,
            status=status,
        )
        for code, (title, status) in items.items()
    }
    return report, made


def test_supervisor_closes_a_year_with_open_work(page, supervisor, department_a):
    report, items = _year(
        2022,
        department_a,
        **{
            "1.1": ("完善决策程序", S.SUBMITTED),
            "1.2": ("规范执法行为", S.NOT_STARTED),
            "1.3": ("加强法治宣传", S.DONE),
        },
    )
    _year(2023, department_a, **{"1.1": ("深化依法行政", S.NOT_STARTED)})

    log_in(page, "supervisor")
    page.goto("/my/")
    expect(page.locator(f"#queue-awaiting-review tr[data-pk='{items['1.1'].pk}']"))
    expect(
        page.locator(
            f"#queue-awaiting-review tr[data-pk='{items['1.1'].pk}'] .cell-code"
        )
    ).to_have_text("2022 · 1.1")

    page.goto(report.get_absolute_url())
    summary = page.locator("#open-summary")
    expect(summary).to_contain_text("Still open in this report")
    expect(summary.locator("[data-status='submitted'] strong")).to_have_text("1")
    expect(summary.locator("[data-status='not_started'] strong")).to_have_text("1")

    # A reason of blanks is no reason: refused, the report stays open.
    page.get_by_label("Reason for closing").fill("   ")
    page.get_by_role("button", name="Close the report").click()
    expect(page.locator("#archive")).to_contain_text("A reason is required")
    assert not Report.objects.get(pk=report.pk).is_closed

    page.get_by_label("Reason for closing").fill("2022年度工作归档，未完成事项另行督办")
    page.get_by_role("button", name="Close the report").click()
    expect(page.locator(".messages")).to_contain_text("The report is closed")
    expect(page.locator(".report-log")).to_contain_text("未完成事项另行督办")

    page.goto("/my/")
    expect(page.locator(f"tr[data-pk='{items['1.1'].pk}']")).to_have_count(0)


def test_supervisor_carries_an_unfinished_item_over(page, supervisor, department_a):
    _report, items = _year(
        2022, department_a, **{"4.1": ("加强执法队伍建设", S.IN_PROGRESS)}
    )
    later, _ = _year(2023, department_a, **{"1.1": ("深化依法行政", S.NOT_STARTED)})
    item = items["4.1"]

    log_in(page, "supervisor")
    page.goto(item.get_absolute_url())
    page.get_by_role("button", name="Carry over (结转)").click()
    expect(page.locator(".messages")).to_contain_text(
        "Carried over (结转) into the 2023 report as 2022·4.1"
    )
    expect(page.locator("#carried")).to_contain_text("read-only")
    expect(page.get_by_role("button", name="Carry over (结转)")).to_have_count(0)

    page.locator("[data-link='carried-into']").click()
    expect(page.locator("h1")).to_contain_text("加强执法队伍建设")
    expect(page.locator("#carried-from")).to_contain_text("2022 · 4.1")
    successor = Obligation.objects.get(report=later, code="2022·4.1")
    assert successor.carried_from == item
    expect(page.locator("#timeline")).to_contain_text("2022")
