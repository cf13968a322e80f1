"""Journey 3: an administrator bulk-assigns obligations in the Django admin, then a
second county's report is imported and becomes selectable on the dashboard."""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ObligationFactory
from tracker.models import Obligation, ProgressUpdate, Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

SECOND_REPORT = """示例县2023年法治政府建设情况报告
2023年,示例县深入贯彻习近平法治思想,法治政府建设取得新成效。现将有关情况报告如下。
一、工作开展情况
(一)深化“放管服”改革。一是推行政务服务“全程网办”。二是公布“最多跑一次”事项清单300项。
(二)严格规范公正文明执法。一是全面推行行政执法三项制度。二是开展行政执法案卷评查。
二、存在的主要问题
2023年,全县法治政府建设仍存在一些不足。一是执法人员法治素养有待提升。二是基层法治力量较为薄弱。
三、下一步工作思路
2024年,示例县将持续推进法治政府建设。一是加强执法人员培训。二是充实基层法治工作力量。
"""


def test_admin_bulk_assigns_department_owner_and_due_date(
    page, tracker_admin, department_b, staff_b
):
    chosen = [
        ObligationFactory(code=f"3.{n}", title=f"待分派事项{n}") for n in (1, 2, 3)
    ]
    left_alone = ObligationFactory(code="3.9", title="暂不分派事项")
    log_in(page, "admin")

    page.goto("/admin/tracker/obligation/")
    for obligation in chosen:
        page.locator(f"input.action-select[value='{obligation.pk}']").check()
    page.locator("select[name=action]").select_option("assign_selected")
    page.get_by_role("button", name="Go").click()

    expect(page.locator("#content")).to_contain_text("Selected obligations: 3.")
    page.locator("#id_department").select_option(label=department_b.name)
    page.locator("#id_owner").select_option(str(staff_b.pk))
    page.locator("#id_due_date").fill("2030-12-31")
    page.locator("#id_note").fill("按县委依法治县办分工方案分派。")
    page.get_by_role("button", name="Apply").click()

    expect(page.locator(".messagelist")).to_contain_text("Obligations assigned: 3.")
    for obligation in chosen:
        row = page.locator("#result_list tr", has_text=obligation.title)
        expect(row).to_contain_text(department_b.name)
    expect(
        page.locator("#result_list tr", has_text=left_alone.title)
    ).not_to_contain_text(department_b.name)

    for obligation in chosen:
        obligation.refresh_from_db()
        assert obligation.department == department_b
        assert obligation.owner == staff_b
        assert obligation.due_date == datetime.date(2030, 12, 31)
        assert obligation.updates.filter(
            action=ProgressUpdate.Action.ASSIGN, author=tracker_admin
        ).exists()
    left_alone.refresh_from_db()
    assert left_alone.department is None and left_alone.owner is None

    # The people of the new department see the assignment on the obligation page.
    page.goto(chosen[0].get_absolute_url())
    expect(page.locator("dl.facts")).to_contain_text(department_b.name)
    expect(page.locator("dl.facts")).to_contain_text("2030-12-31")


def test_imported_report_of_another_county_is_selectable_on_the_dashboard(
    page, supervisor, tmp_path
):
    first = ObligationFactory(title="已有报告的事项").report
    source = tmp_path / "示例县2023年法治政府建设情况报告.txt"
    source.write_text(SECOND_REPORT, encoding="utf-8")
    call_command("import_report", str(source))
    second = Report.objects.get(organization="示例县", year=2023)
    imported = Obligation.objects.filter(report=second).count()
    assert imported == 8

    log_in(page, "supervisor")
    page.goto("/")  # supervisors land on /my/
    selector = page.locator("#report-select")
    options = selector.locator("option").all_inner_texts()
    assert set(options) == {"All reports with open work", first.title, second.title}

    selector.select_option(label=first.title)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_have_text(first.title)
    expect(page.locator("section.overall [data-figure=total]")).to_have_text("1")

    page.locator("#report-select").select_option(label=second.title)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_have_text(second.title)
    expect(page.locator("section.overall [data-figure=total]")).to_have_text(
        str(imported)
    )
    expect(page.locator("table.kinds")).to_contain_text("Problem")
