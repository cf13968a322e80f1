"""Every page on a phone (390×844) and a small laptop (1280×800), for each role
that sees it, on the demo's Wuxi 2022 report: nothing scrolls sideways, and after
a refused form the error is on the screen, not somewhere below it.

The pages are the navigation's own links (read from the page, so a new entry is
covered without touching this file), plus the pages they lead to: an obligation,
a department, a supervision notice, the notification settings, the password page
and the login page.
It also takes the README's screenshots at both widths (SAVE_SCREENSHOTS=1)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import log_in, save_screenshot
from tracker.models import Department, Obligation, SupervisionNotice
from tracker.services.supervision import obligation_set_supervision

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SIZES = {"390": PHONE, "1280": LAPTOP}
ACCOUNTS = {
    "supervisor": "demo-supervisor-2023",
    "staff1": "demo-staff-2023",
    "admin": "demo-admin-2023",
    "leader": "demo-leader-2023",
}
# What each role finds in the navigation (tracker/templates/base.html).
NAVIGATION = {
    "supervisor": {
        "/",
        "/cockpit/",
        "/obligations/",
        "/my/",
        "/departments/",
        "/notices/",
    },
    "staff1": {"/", "/obligations/", "/my/", "/departments/"},
    "admin": {
        "/",
        "/cockpit/",
        "/obligations/",
        "/my/",
        "/departments/",
        "/notices/",
        "/admin/",
    },
    "leader": {
        "/",
        "/cockpit/",
        "/obligations/",
        "/my/",
        "/departments/",
        "/notices/",
    },
}


@pytest.fixture
def demo(db):
    call_command("setup_demo", stdout=io.StringIO())
    # A red notice to the staff member's department, so that every role has a
    # notice page and an unanswered reply form to look at.
    justice = Department.objects.get(name="县司法局")
    obligation = Obligation.objects.filter(department=justice).order_by("code")[0]
    obligation_set_supervision(
        obligation=obligation,
        user=_user("supervisor"),
        level=Obligation.SupervisionLevel.RED,
        note="逾期未办，列入红色督办。",
    )
    return SupervisionNotice.objects.get(obligation=obligation)


def _user(username):
    return get_user_model().objects.get(username=username)


def scrolls_sideways(page):
    """(page width, window width) when the page is wider than the window."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return widths if widths[0] > widths[1] else None


def in_viewport(page, locator):
    """Whether ``locator``'s box lies within the window's height (and width)."""
    box = locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return [r.top, r.bottom, r.left, r.right]; }"
    )
    size = page.evaluate("[window.innerHeight, window.innerWidth]")
    top, bottom, left, right = box
    return top >= 0 and bottom <= size[0] and left >= 0 and right <= size[1]


def navigation_links(page):
    hrefs = page.locator(".nav-links a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return {href for href in hrefs if not href.startswith("/notifications")}


def pages_of(page, username, notice):
    """The navigation's pages for this user, then the pages behind them."""
    page.goto("/")
    navigation = navigation_links(page)
    assert navigation == NAVIGATION[username]
    obligation = notice.obligation
    # The user's own links beside the name (change password).
    own = page.locator(".nav-user a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert own == ["/accounts/password_change/"]
    pages = (
        sorted(navigation)
        + own
        + [
            "/notifications/",
            "/notifications/preferences/",
            "/obligations/?status=submitted&overdue=no",
            obligation.get_absolute_url(),
            obligation.department.get_absolute_url(),
            notice.get_absolute_url(),
            obligation.report.get_absolute_url(),
        ]
    )
    if username in ("supervisor", "admin", "leader"):
        # Linked from the departments page, for those who read everything.
        pages.append("/departments/ranking/")
    if username == "admin":
        pages.append("/admin/tracker/obligation/")
    return pages


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_no_page_scrolls_sideways_on_a_phone_or_a_small_laptop(
    demo, new_page, username
):
    page = new_page()
    log_in(page, username, ACCOUNTS[username])
    too_wide = {}
    for url in pages_of(page, username, demo):
        for label, size in SIZES.items():
            page.set_viewport_size(size)
            response = page.goto(url)
            assert response.status == 200, url
            if widths := scrolls_sideways(page):
                too_wide[f"{url} at {label}px"] = widths
            if url.startswith("/obligations/?") and label == "390":
                # Unfolded, the filters still fit.
                page.locator("details.filter-disclosure").evaluate(
                    "details => { details.open = true; }"
                )
                if widths := scrolls_sideways(page):
                    too_wide[f"{url} at {label}px, filters unfolded"] = widths
    assert not too_wide, too_wide


def test_login_page_fits_and_shows_a_refused_login_on_screen(live_server, new_page):
    page = new_page()
    for size in SIZES.values():
        page.set_viewport_size(size)
        page.goto("/accounts/login/")
        assert not scrolls_sideways(page)
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong-password")
        page.click("form.form button[type=submit]")
        error = page.get_by_role("alert")
        expect(error).to_be_visible()
        assert in_viewport(page, error)
        assert not scrolls_sideways(page)


@pytest.mark.parametrize("label", list(SIZES))
def test_refused_return_opens_at_the_error_with_a_summary_on_top(demo, new_page, label):
    page = new_page()
    page.set_viewport_size(SIZES[label])
    log_in(page, "supervisor", ACCOUNTS["supervisor"])
    submitted = Obligation.objects.filter(status=Obligation.Status.SUBMITTED).order_by(
        "code"
    )[0]
    page.goto(submitted.get_absolute_url())
    page.locator("#status").get_by_role("button", name="Return").click()

    errors = page.locator("#status-errors")
    expect(errors).to_be_focused()
    assert in_viewport(page, errors)
    assert not scrolls_sideways(page)
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#status-errors")
    # From the top of the page, the summary's link leads back to the form.
    page.evaluate("window.scrollTo(0, 0)")
    summary.get_by_role("link").click()
    expect(errors).to_be_in_viewport()


@pytest.mark.parametrize("label", list(SIZES))
def test_stale_form_opens_at_the_conflict_and_keeps_the_typed_text(
    demo, new_page, label
):
    page = new_page()
    page.set_viewport_size(SIZES[label])
    log_in(page, "supervisor", ACCOUNTS["supervisor"])
    obligation = demo.obligation
    page.goto(obligation.get_absolute_url())
    page.locator("#supervision textarea").fill("改为黄色督办")
    # Someone else saves first.
    obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=_user("admin"),
        level=Obligation.SupervisionLevel.WHITE,
        note="已整改",
    )
    page.locator("#supervision select").select_option("yellow")
    page.get_by_role("button", name="Set level").click()

    errors = page.locator("#supervision-errors")
    expect(errors).to_be_focused()
    assert in_viewport(page, errors)
    expect(page.locator("#supervision textarea")).to_have_value("改为黄色督办")
    expect(page.locator(".error-summary")).to_have_count(1)


def test_screenshots_at_both_widths(demo, new_page):
    """docs/*-1280.png (whole page) and docs/*-390.png (a phone's first screen)
    for the README, when SAVE_SCREENSHOTS=1."""
    page = new_page()
    log_in(page, "supervisor", ACCOUNTS["supervisor"])
    submitted = Obligation.objects.filter(status=Obligation.Status.SUBMITTED).order_by(
        "code"
    )[0]
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        whole = label != "390"
        page.goto("/")
        expect(page.locator("h1")).to_contain_text("巫溪县2022年法治政府建设情况报告")
        save_screenshot(page, f"dashboard-{label}.png", full_page=whole)
        page.goto("/obligations/")
        expect(page.locator("table.obligations")).to_be_visible()
        save_screenshot(page, f"obligations-{label}.png", full_page=whole)
        page.goto(submitted.get_absolute_url())
        expect(page.get_by_role("button", name="Approve")).to_be_visible()
        save_screenshot(page, f"obligation-{label}.png", full_page=whole)


LINES_OF = """cells => cells.map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = [...range.getClientRects()].map(rect => rect.top).sort((a, b) => a - b);
  // A badge's box sits a pixel or two off its text: count lines, not boxes.
  const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 10).length;
  return [cell.dataset.label, cell.textContent.trim(), lines];
})"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_short_columns_of_the_list_do_not_wrap_on_a_laptop(demo, new_page, language):
    page = new_page()
    log_in(page, "supervisor", ACCOUNTS["supervisor"])
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": page.url}]
    )
    page.set_viewport_size(LAPTOP)
    page.goto("/obligations/")
    short = page.locator(
        "table.obligations td.cell-kind, table.obligations td.cell-due_date, "
        "table.obligations td.cell-countdown, table.obligations td.cell-last_update"
    )
    expect(short.first).to_be_visible()
    wrapped = [cell for cell in short.evaluate_all(LINES_OF) if cell[2] > 1]
    assert not wrapped


def test_list_filters_are_folded_until_used_and_open_when_active(demo, new_page):
    page = new_page()
    log_in(page, "staff1", ACCOUNTS["staff1"])
    disclosure = page.locator("details.filter-disclosure")
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        page.goto("/obligations/")
        expect(disclosure).not_to_have_attribute("open", "")
        expect(disclosure.locator("summary")).to_have_text("Filters")
        expect(page.locator(".field-status")).to_be_hidden()

    page.set_viewport_size(PHONE)
    page.goto("/obligations/?status=submitted&overdue=no")
    expect(disclosure).to_have_attribute("open", "")
    expect(disclosure.locator("summary")).to_have_text("Filters 2 active")
    awaiting_review = page.locator(".field-status").get_by_label("Awaiting review")
    expect(awaiting_review).to_be_checked()
