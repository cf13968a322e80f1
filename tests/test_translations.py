"""Chinese is the primary language: every string marked for translation in the code
and templates must have a Chinese translation in the committed catalogue."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import in_english

ROOT = Path(__file__).resolve().parent.parent
PO = Path("locale/zh_Hans/LC_MESSAGES/django.po")

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)


def _entries(po, selection):
    """The catalogue's live entries that msgattrib selects (for the failure text)."""
    return subprocess.run(
        ["msgattrib", selection, "--no-obsolete", po],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@needs_gettext
def test_every_marked_string_has_a_chinese_translation(tmp_path):
    # makemessages rewrites the catalogue in place, so run it on a copy of the
    # sources: it merges the committed translations and leaves new strings empty.
    for name in ("config", "tracker", "devtools", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    po = str(tmp_path / PO)
    stats = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", po],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    untranslated = _entries(po, "--untranslated")
    fuzzy = _entries(po, "--only-fuzzy")
    # msgfmt says "N translated messages." and adds ", N untranslated messages" or
    # "N fuzzy translations" when there are any.
    assert "untranslated" not in stats, (
        f"{stats}\nuntranslated entries:\n{untranslated}"
    )
    assert "fuzzy" not in stats, f"{stats}\nfuzzy entries:\n{fuzzy}"
    assert "translated message" in stats


def test_login_page_is_in_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_page_is_available_in_english(client, db):
    response = in_english(client).get("/accounts/login/")
    assert "Log in" in response.content.decode()


def test_language_switch_works_before_logging_in(client, db):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert "Log in" in page.content.decode()
    assert "登录" not in page.content.decode()


def test_english_browser_still_gets_the_chinese_interface(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_language_switch_choice_survives_logging_out(client, staff_a):
    client.force_login(staff_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/accounts/logout/")

    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in page.content.decode()
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["max-age"] == 365 * 24 * 60 * 60


def test_switching_back_to_chinese_is_kept_too(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_unknown_language_cookie_falls_back_to_chinese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get("/accounts/login/")
    assert '<html lang="zh-hans">' in page.content.decode()
