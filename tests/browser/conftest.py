"""Real-browser journeys: Playwright (sync API) drives the system Chromium against
Django's live server.

Browsers cannot be downloaded on the machines this runs on, so Playwright launches
/usr/bin/chromium (apt). Without it the journeys skip with the reason, unless
REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise
# refuse the ORM calls the tests make to arrange data and check results.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
# Long enough for a cold page on a slow CI machine, short enough to fail fast.
TIMEOUT_MS = 15_000


def _browser_unavailable_reason():
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = _browser_unavailable_reason()
    if reason is not None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(f"browser journeys: {reason}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    # Django's live server wraps the app in a handler that serves MEDIA_URL, reads
    # the setting once as it starts, and fails on MEDIA_URL = None (our setting:
    # evidence has no public URL). A URL on another host keeps that handler from
    # serving anything, so evidence stays reachable only through the
    # permission-checked download view, as in production.
    from django.conf import settings

    original = settings.MEDIA_URL
    settings.MEDIA_URL = "http://media.invalid/"
    yield
    settings.MEDIA_URL = original


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, live_server):
    from django.conf import settings

    settings.MEDIA_URL = None  # the handler has read it; the app sees the real one
    return live_server


@pytest.fixture
def new_page(chromium, live_server):
    """Open a fresh browser profile (own cookies) on the live server.

    ``locale`` is the browser's language. The site ignores the browser's
    Accept-Language (Chinese unless the language switch chose otherwise), so an
    ``en-*`` locale also sets the switch's cookie: most journeys read the English
    labels so they stay true whatever the Chinese catalogue says; the language
    journey uses zh-CN.
    """
    contexts = []

    def open_page(*, locale="en-US"):
        context = chromium.new_context(
            base_url=live_server.url,
            locale=locale,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        if locale.startswith("en"):
            context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
