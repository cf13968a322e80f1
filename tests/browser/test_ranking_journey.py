"""Journey: a supervisor goes from the departments page to the ranking, chooses a
period (a wrong one first), reads the best and the lowest department, prints the
page for a meeting and downloads the spreadsheet. Takes docs/ranking-1280.png
(SAVE_SCREENSHOTS=1)."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import log_in, save_screenshot
from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tracker.models import Obligation

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Obligation.Status


def _finished(report, department, *, due, approved, rating):
    ObligationFactory(
        report=report,
        department=department,
        status=S.DONE,
        due_date=due,
        status_changed_at=datetime.combine(approved, time(10), tzinfo=SHANGHAI),
        department_assigned_at=datetime.combine(
            due - timedelta(days=30), time(9), tzinfo=SHANGHAI
        ),
        rating=rating,
    )


def test_supervisor_ranks_the_departments_and_takes_them_to_a_meeting(
    new_page, supervisor, department_a, department_b, settings
):
    # Two measurable items rank a department here: the finance bureau's one is
    # shown with its score, not ranked.
    settings.RANKING_MIN_SAMPLE = 2

    report = ReportFactory(organization="巫溪县", year=2022)
    today = timezone.localdate()
    due = today - timedelta(days=10)
    _finished(report, department_a, due=due, approved=due, rating="excellent")
    _finished(report, department_a, due=due, approved=due, rating="good")
    _finished(
        report, department_b, due=due, approved=due + timedelta(days=4), rating="fair"
    )
    ObligationFactory(report=report, department=department_b, due_date=due)
    third = DepartmentFactory(name="县财政局", short_name="财政局")
    _finished(report, third, due=due, approved=due, rating="good")
    DepartmentFactory(name="县档案馆", short_name="档案馆")

    page = new_page()
    log_in(page, "supervisor")
    page.goto("/departments/")
    page.get_by_role("link", name="Department ranking and assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Department ranking")

    page.get_by_label("From", exact=True).fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("To", exact=True).fill((today - timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".form-errors")).to_contain_text("before it starts")
    expect(page.locator("table.ranking")).to_have_count(0)

    page.get_by_label("From", exact=True).fill((today - timedelta(days=60)).isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("县司法局")
    expect(rows.nth(0)).to_contain_text("Best")
    expect(rows.nth(1)).to_contain_text("县政务服务管理办公室")
    expect(rows.nth(1)).to_contain_text("Lowest")
    expect(rows.nth(2)).to_contain_text("县财政局")
    expect(rows.nth(2)).to_contain_text("Fewer than 2 measurable items: not ranked")
    expect(rows.nth(3)).to_contain_text("No assigned items: not ranked")
    expect(page.locator("#ranking-method-heading ~ ul")).to_contain_text(
        "at least 2 measurable items"
    )
    # At 1280 px the page does not scroll sideways and the table fits its card.
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('table.ranking').getBoundingClientRect().right,"
        " document.querySelector('.ranking-card').getBoundingClientRect().right]"
    )
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[3], widths
    expect(page.locator("svg.chart")).to_contain_text("Score per department")

    # On paper: no navigation, no chooser or buttons; the table and the words stay.
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("form.ranking-period")).to_be_hidden()
    expect(page.get_by_role("button", name="Print for the meeting")).to_be_hidden()
    expect(rows.nth(0)).to_contain_text("Best")
    page.emulate_media(media="screen")
    save_screenshot(page, "ranking-1280.png")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    names = [row[1] for row in book.active.iter_rows(min_row=3, values_only=True)]
    assert names == ["县司法局", "县政务服务管理办公室", "县财政局", "县档案馆"]
