"""PDF reports: the text layer, its printed lines joined back into paragraphs."""

import io
import re
import unicodedata

from django.utils.translation import gettext as _

from .tree import (
    _CN_NUMBER,
    _LINE_WHITESPACE,
    _SENTENCE_END,
    ReportFormatError,
    check_deadline,
)

# A line that is only a page number: "— 3 —", "- 3 -", "第3页", "第3页 共9页", "3/9".
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—－–\s]*\d{1,4}[-—－–\s]*|第\s*\d+\s*页(?:\s*[，,]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+)$"
)
# What closes a sentence, possibly followed by a closing quote or bracket.
_CLOSING = "”’」』）)》"
# A line starting with one of these starts a paragraph of its own.
_PARAGRAPH_START_RE = re.compile(
    rf"^(?:{_CN_NUMBER}、|[(（]{_CN_NUMBER}[)）]|\d{{1,2}}[.、．](?!\d))"
)


def read_pdf(data: bytes, *, name: str = "input", deadline: float | None = None) -> str:
    """The text layer of a PDF, its lines joined back into paragraphs.

    A PDF breaks every paragraph into printed lines; a line is continued by the
    next when it runs to the right margin and does not end a sentence, unless the
    next starts with a heading or item marker. Page numbers are dropped. A PDF
    with no text at all is a scan."""
    import pypdf  # imported here so other formats do not load it

    pages = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # opens those encrypted without a password
        for page in reader.pages:
            check_deadline(deadline)
            pages.append(page.extract_text() or "")
    except ReportFormatError:
        raise
    except Exception as error:  # pypdf raises many types on damaged files
        raise ReportFormatError(
            _("Not a readable PDF file: %(name)s (%(error)s)")
            % {"name": name, "error": error.__class__.__name__}
        ) from None
    if not any(page.strip() for page in pages):
        raise ReportFormatError(
            _(
                "The PDF has no text, only images (a scan): it must be OCR'd or "
                "typed before it can be imported: %(name)s"
            )
            % {"name": name}
        )
    return _join_pdf_lines(pages)


def _display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_pdf_lines(pages: list[str]) -> str:
    lines = []
    for page in pages:
        for line in page.splitlines():
            line = line.strip(_LINE_WHITESPACE)
            if line and not _PAGE_NUMBER_RE.match(line):
                lines.append(line)
    if not lines:
        return ""
    widths = sorted(_display_width(line) for line in lines)
    # The width of a full line: most lines of a report run to the margin.
    full = widths[int(len(widths) * 0.9)]
    paragraphs = [lines[0]]
    previous_width = _display_width(lines[0])
    for line in lines[1:]:
        previous = paragraphs[-1].rstrip(_CLOSING)
        continues = (
            previous_width >= 0.85 * full
            and previous
            and previous[-1] not in _SENTENCE_END
            and not _PARAGRAPH_START_RE.match(line)
        )
        if continues:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        previous_width = _display_width(line)
    return "\n".join(paragraphs)
