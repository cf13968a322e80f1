"""Journey: a staff member acknowledges (签收) a new assignment from My work, reads
its countdown in working days and asks for more time (延期申请); a supervisor finds
the request on the dashboard and approves it, and the countdown moves."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ObligationFactory
from tracker.models import ExtensionRequest, Obligation, countdown
from tracker.workdays import Calendar

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _left(due):
    """The countdown the pages should show for ``due``, counted independently."""
    state = countdown(
        due, Obligation.Status.NOT_STARTED, timezone.localdate(), calendar=Calendar()
    )
    with translation.override("en"):  # the journeys read the English pages
        return state.label


@pytest.fixture
def work(department_a):
    return ObligationFactory(
        department=department_a,
        code="2.3",
        title="开展行政复议案件质量评查",
        due_date=timezone.localdate() + timedelta(days=10),
        department_assigned_at=timezone.now(),
    )


def test_staff_acknowledge_and_ask_for_more_time_a_supervisor_approves(
    new_page, staff_a, supervisor, work, live_server
):
    staff = new_page()
    log_in(staff, "staff_a")
    staff.get_by_role("link", name="My work").click()
    row = staff.locator("tr", has_text=work.title)
    expect(row).to_contain_text(_left(work.due_date))
    acknowledge = row.get_by_role("button", name=f"Acknowledge {work.code}")
    acknowledge.click()
    expect(staff.locator(".messages")).to_contain_text("acknowledged")
    expect(staff).to_have_url(f"{live_server.url}/my/")
    expect(staff.locator("tr", has_text=work.title)).to_contain_text("Acknowledged")

    staff.get_by_role("link", name=work.title).click()
    expect(staff.locator("[data-acknowledgement=done]")).to_contain_text("张三")
    expect(staff.locator(".countdown")).to_have_text(_left(work.due_date))

    later = work.due_date + timedelta(days=21)
    extension = staff.locator("#extension")
    extension.get_by_label("Requested due date").fill(later.isoformat())
    extension.get_by_label("Reason").fill("需等待上级复函")
    extension.get_by_role("button", name="Request the extension").click()
    expect(staff.locator(".messages")).to_contain_text("Extension requested")
    expect(staff.locator("[data-extension=pending]")).to_contain_text(later.isoformat())

    boss = new_page()
    log_in(boss, "supervisor")
    boss.goto("/")  # supervisors land on /my/; the dashboard has the panel
    panel = boss.locator("#pending-extensions")
    expect(panel).to_contain_text(work.title)
    panel.get_by_role("link", name=work.title).click()
    boss.get_by_role("button", name="Approve the extension").click()
    expect(boss.locator(".messages")).to_contain_text(later.isoformat())
    expect(boss.locator("[data-extension=approved]")).to_be_visible()
    expect(boss.locator(".countdown")).to_have_text(_left(later))

    staff.reload()
    expect(staff.locator(".countdown")).to_have_text(_left(later))
    work.refresh_from_db()
    assert work.due_date == later
    assert ExtensionRequest.objects.get().decided_by == supervisor
