"""Journey: an administrator gives a colleague a temporary password in the admin;
the colleague logs in, is held on the password page until they choose their own,
then works as usual. In Chinese, as the county's staff read it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.factories import ReportFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TEMPORARY = "Linshi-mima-0001"
OWN = "Ziji-de-mima-2026"


def test_temporary_password_is_replaced_before_anything_else(
    new_page, tracker_admin, staff_a
):
    ReportFactory(organization="巫溪县", year=2022)
    admin = new_page(locale="zh-CN")
    log_in(admin, "admin")
    admin.goto(f"/admin/auth/user/{staff_a.pk}/password/")
    expect(admin.locator("#site-name")).to_contain_text("法治清单 管理")
    admin.fill("#id_password1", TEMPORARY)
    admin.fill("#id_password2", TEMPORARY)
    admin.locator("input[name=set-password]").click()
    expect(admin.locator(".messagelist")).to_be_visible()

    page = new_page(locale="zh-CN")
    page.goto("/accounts/login/")
    expect(page.locator(".login-system")).to_contain_text("法治清单 · 巫溪县")
    log_in(page, "staff_a", TEMPORARY)
    expect(page).to_have_url(re.compile(r"/accounts/password_change/$"))
    expect(page.get_by_role("alert")).to_contain_text("临时密码")
    page.goto("/obligations/")
    expect(page).to_have_url(re.compile(r"/accounts/password_change/$"))

    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", OWN)
    page.fill("#id_new_password2", OWN)
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", name="密码已修改")).to_be_visible()
    page.goto("/obligations/")
    expect(page).to_have_url(re.compile(r"/obligations/$"))
    expect(page.get_by_role("link", name="修改密码")).to_be_visible()
