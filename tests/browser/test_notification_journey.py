"""Journey: a supervisor returns one item and approves another; the staff member
sees the unread count in the header, opens the returned one from the inbox (the
count drops), and marks the rest read (the badge goes)."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ObligationFactory
from tests.workflow_helpers import set_status
from tracker.models import Obligation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

Status = Obligation.Status


def review(page, obligation, button, reason="", rating=""):
    page.goto(obligation.get_absolute_url())
    if reason:
        page.get_by_label("Note or reason").fill(reason)
    if rating:
        page.get_by_role("radio", name=rating, exact=True).check()
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".message-success")).to_be_visible()


def test_inbox_badge_counts_what_arrived_and_clears_as_it_is_read(
    new_page, department_a, staff_a, supervisor
):
    returned = ObligationFactory(department=department_a, title="建立合法性审核机制")
    approved = ObligationFactory(department=department_a, title="推进政务公开")
    set_status(returned, Status.SUBMITTED)
    set_status(approved, Status.SUBMITTED)

    staff = new_page()
    log_in(staff, "staff_a")
    staff.goto("/my/")
    expect(staff.locator("#unread-count")).to_have_count(0)

    boss = new_page()
    log_in(boss, "supervisor")
    review(boss, returned, "Return for rework", reason="请补充会议纪要")
    review(boss, approved, "Approve", rating="Good")

    staff.reload()
    badge = staff.locator("#unread-count")
    expect(badge).to_contain_text("2")
    staff.locator("a.nav-inbox").click()
    expect(staff.locator("h1")).to_have_text("Notifications")
    expect(staff.locator("li.notification.unread")).to_have_count(2)
    returned_item = staff.locator("li.notification", has_text="请补充会议纪要")
    expect(returned_item).to_contain_text("建立合法性审核机制")

    returned_item.get_by_role("link").click()
    staff.wait_for_url(f"**{returned.get_absolute_url()}")
    expect(badge).to_contain_text("1")

    staff.locator("a.nav-inbox").click()
    staff.get_by_role("button", name="Mark all as read").click()
    expect(staff.locator(".message-success")).to_be_visible()
    expect(badge).to_have_count(0)
    expect(staff.locator("li.notification.unread")).to_have_count(0)
