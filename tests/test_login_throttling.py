"""Login throttling (django-axes): repeated failed logins through the real login form
lock the user name + address pair for a while, and spelling the user name
differently does not buy more guesses."""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

PASSWORD = "demo-pass-123"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Throttling does not depend on the hasher; the default one makes each of the
    # many logins here cost half a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser():
    """A client that, like a browser, must send the CSRF token of the form it got."""
    return Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", groups=["staff"])


def log_in(client, username, password, **extra):
    form = client.get("/accounts/login/", **extra)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()
    ).group(1)
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        **extra,
    )


def fail_times(client, username, times, **extra):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", **extra)
        if response.status_code != 200:
            return response
    return response


def assert_locked_out(response):
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_failure_limit_is_five(clerk):
    assert LIMIT == 5


def test_failed_logins_below_the_limit_show_the_form_again(browser, clerk):
    response = fail_times(browser, "clerk", LIMIT - 1)
    assert response.status_code == 200
    assert "user name and password didn't match" in response.content.decode()


def test_reaching_the_failure_limit_shows_the_locked_out_page(browser, clerk):
    response = fail_times(browser, "clerk", LIMIT)
    assert_locked_out(response)


def test_correct_password_is_refused_while_locked_out(browser, clerk):
    fail_times(browser, "clerk", LIMIT)
    response = log_in(browser, "clerk", PASSWORD)
    assert_locked_out(response)
    assert "_auth_user_id" not in browser.session
    assert browser.get("/obligations/").status_code == 302


@pytest.mark.parametrize("variant", ["CLERK", "Clerk", " clerk", "clerk ", "\tclerk\n"])
def test_case_and_whitespace_variants_share_one_failure_counter(
    browser, clerk, variant
):
    fail_times(browser, "clerk", LIMIT - 1)
    response = log_in(browser, variant, "wrong-password")
    assert_locked_out(response)
    # And the real spelling stays locked after the variant's failure.
    assert_locked_out(log_in(browser, "clerk", PASSWORD))


def test_alternating_spellings_cannot_bypass_the_lockout(browser, clerk):
    spellings = ["clerk", "CLERK", " Clerk", "cLeRk ", "clerk\t"]
    for spelling in spellings[: LIMIT - 1]:
        assert log_in(browser, spelling, "wrong-password").status_code == 200
    assert_locked_out(log_in(browser, spellings[LIMIT - 1], "wrong-password"))


def test_forged_forwarded_for_header_does_not_reset_the_counter(browser, clerk):
    # The address comes from the TCP peer, not from a header the client chooses.
    for n in range(LIMIT - 1):
        log_in(browser, "clerk", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = log_in(browser, "clerk", "wrong", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert_locked_out(response)


def test_success_before_the_limit_resets_the_counter(browser, clerk):
    fail_times(browser, "clerk", LIMIT - 1)
    response = log_in(browser, "clerk", PASSWORD)
    assert response.status_code == 302
    browser.post(
        "/accounts/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )

    response = fail_times(browser, "clerk", LIMIT - 1)
    assert response.status_code == 200
    assert log_in(browser, "clerk", PASSWORD).status_code == 302


def test_lockout_of_one_user_name_leaves_other_users_able_to_log_in(browser, clerk):
    UserFactory(username="colleague", groups=["staff"])
    fail_times(browser, "clerk", LIMIT)
    response = log_in(browser, "colleague", PASSWORD)
    assert response.status_code == 302
