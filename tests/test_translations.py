"""Chinese is the primary language: every string marked for translation in the code
and templates must have a Chinese translation in the committed catalogue."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    for name in ("config", "tracker", "templates", "locale"):
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


def test_login_page_is_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_page_is_available_in_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in response.content.decode()


def test_language_switch_works_before_logging_in(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    page = client.get("/accounts/login/")
    assert "Log in" in page.content.decode()
    assert "登录" not in page.content.decode()
