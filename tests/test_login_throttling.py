"""Login throttling (django-axes): repeated failed logins through the real login form
lock the user name + address pair for a while, and spelling the user name
differently does not buy more guesses. One address trying many user names is
locked out too, at a higher limit (tracker.auth.AxesHandler)."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import in_english
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
    return in_english(Client(enforce_csrf_checks=True))


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


# --- One address, many user names -----------------------------------------------

ADDRESS_LIMIT = settings.AXES_ADDRESS_FAILURE_LIMIT


def spray(client, count, **extra):
    """One wrong password for each of ``count`` user names, as a password sprayer
    would: never reaching the per-user limit."""
    response = None
    for n in range(count):
        response = log_in(client, f"user{n}", "wrong-password", **extra)
    return response


def test_address_limit_is_twenty_and_above_the_per_user_limit():
    assert ADDRESS_LIMIT == 20
    assert ADDRESS_LIMIT > LIMIT


def test_one_address_trying_many_user_names_is_locked_out(browser, clerk):
    assert spray(browser, ADDRESS_LIMIT - 1).status_code == 200

    assert_locked_out(log_in(browser, "user-last", "wrong-password"))
    # Every user name from that address, the right password included.
    assert_locked_out(log_in(browser, "clerk", PASSWORD))
    assert "_auth_user_id" not in browser.session


def test_forged_forwarded_for_header_does_not_escape_the_address_limit(browser, clerk):
    for n in range(ADDRESS_LIMIT):
        log_in(browser, f"user{n}", "wrong", HTTP_X_FORWARDED_FOR=f"10.1.{n}.1")

    response = log_in(browser, "clerk", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert_locked_out(response)


def test_another_address_can_still_log_in(clerk):
    attacker = in_english(Client(enforce_csrf_checks=True))
    spray(attacker, ADDRESS_LIMIT, REMOTE_ADDR="10.0.0.66")

    colleague = in_english(Client(enforce_csrf_checks=True))
    response = log_in(colleague, "clerk", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 302


def test_logging_in_to_ones_own_account_does_not_reset_the_address_count(
    browser, clerk
):
    # A staff member who owns an account cannot spray, log in, and spray again.
    spray(browser, ADDRESS_LIMIT - 2)
    assert log_in(browser, "clerk", PASSWORD).status_code == 302
    browser.post(
        "/accounts/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )

    spray(browser, 1)
    assert_locked_out(log_in(browser, "user-last", "wrong-password"))


def test_the_address_limit_is_configurable(settings, browser, clerk):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    assert spray(browser, 7).status_code == 200
    assert_locked_out(log_in(browser, "user-last", "wrong-password"))


def test_an_address_limit_of_zero_turns_it_off(settings, browser, clerk):
    # For a proxy that hides the clients' addresses (docs/deploy.md).
    settings.AXES_ADDRESS_FAILURE_LIMIT = 0
    spray(browser, ADDRESS_LIMIT + 5)
    assert log_in(browser, "clerk", PASSWORD).status_code == 302


def test_failures_below_the_address_limit_leave_other_users_free(browser, clerk):
    # One colleague's lockout (five failures) must not lock the whole office.
    fail_times(browser, "colleague", LIMIT)
    assert log_in(browser, "clerk", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AXES_ADDRESS_FAILURE_LIMIT": "many"}, "is not an integer"),
        ({"AXES_ADDRESS_FAILURE_LIMIT": "-1"}, "is below 0"),
        ({"AXES_FAILURE_LIMIT": "0"}, "is below 1"),
        ({"AXES_ADDRESS_FAILURE_LIMIT": "3"}, "must be at least the per-user limit"),
        ({"AXES_COOLOFF_MINUTES": "-5"}, "is below 1"),
    ],
)
def test_a_bad_throttling_setting_stops_the_process(env, message):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
