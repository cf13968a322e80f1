"""What the journeys do the way a person does: log in through the form, and so on."""

import os
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "demo-pass-123"  # what tests.factories.UserFactory sets


def log_in(page, username, password=PASSWORD):
    """Log in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def save_screenshot(page, name, *, full_page=True):
    """docs/<name>.png for the README, only when asked (SAVE_SCREENSHOTS=1), so an
    ordinary test run never dirties the working tree.

    The journeys read English labels; the picture shows the Chinese interface the
    county staff use, then the page is put back in English. ``full_page=False``
    keeps the first screen only (a phone's page is many screens long).
    """
    if os.environ.get("SAVE_SCREENSHOTS") != "1":
        return
    base = page.url.split("/", 3)
    origin = f"{base[0]}//{base[2]}"
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": origin}]
    )
    page.reload()
    page.screenshot(path=str(DOCS / name), full_page=full_page)
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": origin}]
    )
    page.reload()


def minimal_pdf(text="Evidence"):
    """A small but well-formed one-page PDF (header, objects, xref table, trailer)."""
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        pdf += b"%010d 00000 n \n" % offset
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)
