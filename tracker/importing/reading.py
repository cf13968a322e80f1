"""A report file in, its text out: the reader is chosen by the file's content and
name (.txt, .docx, .html/.htm, .pdf)."""

import time
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from ..isolation import EXTRA_MEMORY_BYTES, LimitExceeded, run_limited
from .docx import _bounded_docx, _read_docx
from .html import _looks_like_html, read_html
from .pdf import read_pdf
from .tree import ReportFormatError
from .txt import decode_text

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_report(path, *, deadline: float | None = None) -> str:
    """The text of a .txt, .docx, .html/.htm or .pdf report, not yet normalised.

    ``deadline`` (a ``time.monotonic()`` value) bounds the slow readers (PDF);
    past it, ReportFormatError says the file took too long. Raises
    ReportFormatError naming the problem: missing, empty, binary, undecodable,
    an old .doc, a scan without text, a zip bomb."""
    path = Path(path)
    if not path.exists():
        raise ReportFormatError(_("File not found: %(name)s") % {"name": path})
    if not path.is_file():
        raise ReportFormatError(_("Not a file: %(name)s") % {"name": path})
    data = path.read_bytes()
    if not data.strip():
        raise ReportFormatError(_("The file is empty: %(name)s") % {"name": path})
    suffix = path.suffix.lower()
    if data.startswith(_OLE2_SIGNATURE):
        raise ReportFormatError(
            _(
                "This is an old binary Word document (.doc), which cannot be read: "
                "open it in Word or WPS and save it as .docx: %(name)s"
            )
            % {"name": path}
        )
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        return read_pdf(data, name=str(path), deadline=deadline)
    if suffix in (".html", ".htm") or _looks_like_html(data):
        return read_html(data, name=str(path))
    is_docx = suffix == ".docx"
    if is_docx or zipfile.is_zipfile(path):
        # Bounded before python-docx opens it (a zip bomb is refused unread).
        document_xml = _bounded_docx(path)
        if is_docx or document_xml is not None:
            return _read_docx(path)
    return decode_text(data, name=str(path))


def read_report_limited(path, *, deadline: float, extra_memory=EXTRA_MEMORY_BYTES):
    """``read_report`` in a child process with a time and a memory limit
    (tracker.isolation): the HTML and PDF readers cannot be interrupted from inside,
    and a page that needs gigabytes must fail there, not in the web process or the
    worker. Past ``deadline`` (a ``time.monotonic()`` value) or the memory, a
    ReportFormatError says so."""
    try:
        return run_limited(
            read_report,
            path,
            deadline=deadline,
            seconds=max(deadline - time.monotonic(), 0.1),
            extra_memory=extra_memory,
        )
    except LimitExceeded as error:
        if error.reason == "memory":
            raise ReportFormatError(
                _(
                    "Refused: the file needs too much memory to read here; save it "
                    "as .txt or .docx, or import it with manage.py import_report."
                )
            ) from None
        raise ReportFormatError(
            _(
                "Refused: the file took too long to read here; import it with "
                "manage.py import_report, which has no time limit."
            )
        ) from None
