"""The demo of `make run`, in a real browser: each demo account logs in with the
password the README prints and finds its part of the work on the Wuxi 2022 report.

The README's screenshots of the same data, at a phone's and a laptop's width, are
taken by test_layout_journey.py."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tracker.models import Obligation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo(db):
    call_command("setup_demo", stdout=io.StringIO())


def test_supervisor_sees_the_wuxi_report_on_the_dashboard(demo, page):
    log_in(page, "supervisor", "demo-supervisor-2023")

    page.goto("/")
    expect(page.locator("h1")).to_contain_text("巫溪县2022年法治政府建设情况报告")
    total = Obligation.objects.count()
    done = Obligation.objects.filter(status=Obligation.Status.DONE).count()
    expect(page.locator("main")).to_contain_text(f"{done} / {total}")

    submitted = Obligation.objects.get(code="1.4.2")
    page.goto(submitted.get_absolute_url())
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.get_by_role("button", name="Return")).to_be_visible()


def test_staff_member_finds_their_departments_work(demo, page):
    log_in(page, "staff1", "demo-staff-2023")

    page.goto("/my/")
    mine = Obligation.objects.of_user_departments(
        Obligation.objects.get(code="1.1.1").owner
    )
    for obligation in mine:
        expect(page.locator("main")).to_contain_text(obligation.title)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def test_admin_reaches_the_obligations_in_django_admin(demo, page):
    log_in(page, "admin", "demo-admin-2023")

    page.goto("/admin/tracker/obligation/")
    expect(page.locator("#result_list tbody tr")).to_have_count(
        Obligation.objects.count()
    )
