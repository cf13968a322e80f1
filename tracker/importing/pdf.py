"""PDF reports: the text layer, its printed lines joined back into paragraphs."""

import io
import logging
import re
import unicodedata

from django.utils.translation import gettext as _

from .radicals import unify_radicals
from .tree import (
    _CN_NUMBER,
    _DATE_LINE_RE,
    _LINE_WHITESPACE,
    _SENTENCE_END,
    _TITLE_RE,
    ReportFormatError,
    check_deadline,
)

# pdfminer logs a warning for every glyph of a browser's Type 3 fonts (no FontBBox):
# thousands of lines a PDF, none of them the operator's concern.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

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
_CHAPTER_LINE_RE = re.compile(rf"^{_CN_NUMBER}、")
# A line that may be part of a title: no spaces (the site's menus, breadcrumbs and
# the browser's running head have them), no colon (当前位置：, 发布时间：), no
# separators of a menu or a path, no sentence end.
_NOT_IN_TITLE_RE = re.compile(r"[\s:：|>＞/»。；;！!？?]")
# A title is printed over at most this many lines, and starts within this many
# lines of the page's top (a site's header and menus come first).
_TITLE_MAX_LINES = 4
_TITLE_SEARCH_LINES = 60
# How much wider than another one line of a wrapped title may print (in half-width
# columns: a run of figures wraps whole).
_TITLE_WIDTH_SLACK = 4
# A browser prints the page's title and the time above every page, and its address
# and the page number below: at most this many lines each.
_RUNNING_LINES = 2
# The line of a page's details under the title: 发布时间：… 来源：… 浏览次数：…
_PAGE_DETAILS_RE = re.compile(
    r"(?:发布|发文|成文)(?:时间|日期)[:：]|浏览次数|阅读次数|信息来源[:：]"
)
# A report ends with its date; what a browser prints below it is the site's footer.
_FOOTER_SEARCH_LINES = 8


def read_pdf(data: bytes, *, name: str = "input", deadline: float | None = None) -> str:
    """The text layer of a PDF, its lines joined back into paragraphs.

    A PDF breaks every paragraph into printed lines; a line is continued by the
    next when it runs to the right margin and does not end a sentence, unless the
    next starts with a heading or item marker. Page numbers are dropped. A PDF
    with no text at all is a scan.

    A PDF a browser printed from the county's web page has more: the site's header,
    menus and breadcrumb above the title, the title wrapped over lines, the page's
    footer below the date, a running head and foot on every page, and characters
    named by their radicals (``⼈⺠`` for 人民, see ``radicals``). The text starts
    at the title, which is joined into one line, and ends at the date."""
    # imported here so other formats do not load it
    from pdfminer.high_level import extract_pages

    pages = []
    try:
        # Page by page (a generator): the deadline is checked between pages.
        # No layout analysis (laparams=None): the characters and where they are
        # printed, put in reading order here.
        for layout in extract_pages(io.BytesIO(data), laparams=None):
            check_deadline(deadline)
            pages.append(unify_radicals(_text_in_reading_order(layout)))
    except ReportFormatError:
        raise
    except Exception as error:  # pdfminer raises many types on damaged files
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


def _characters(item):
    from pdfminer.layout import LTChar, LTContainer

    if isinstance(item, LTChar):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _characters(child)


def _text_in_reading_order(layout) -> str:
    """A page's text, line by line from the top, each line's characters from the
    left: by where they are printed, not by the order the PDF draws them.

    LibreOffice draws a line's text one font at a time, so curly quotes set in a
    fallback font come after the Chinese around them in the drawing order, and a
    reader that follows it (pypdf) reads ``1. “ ”深化 放管服 改革`` for
    ``1.深化“放管服”改革`` (docs/importer.md has the measurements). A line is the
    characters on one baseline, give or take a third of their size; a gap wider
    than half their size is a space (table cells, a menu's items), a narrower one
    (between 2024 and 年) is not."""
    chars = sorted(
        (
            (
                char.matrix[5],
                char.matrix[4],
                char.size,
                char.get_text(),
                char.x0,
                char.x1,
            )
            for char in _characters(layout)
        ),
        key=lambda each: -each[0],
    )
    lines = []
    for each in chars:
        if lines and lines[-1][0] - each[0] <= lines[-1][1] / 3:
            lines[-1][2].append(each)
        else:
            lines.append((each[0], each[2], [each]))
    text = []
    for _baseline, size, line in lines:
        line.sort(key=lambda each: each[1])
        pieces, previous_right = [], None
        for _y, _x, _size, char, left, right in line:
            if previous_right is not None and left - previous_right > size / 2:
                pieces.append(" ")
            pieces.append(char)
            previous_right = (
                right if previous_right is None else max(right, previous_right)
            )
        text.append("".join(pieces))
    return "\n".join(text)


def _display_width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _page_lines(pages: list[str]) -> list[str]:
    """Every printed line, stripped, without page numbers, and without a running
    head or foot: a first or last line that every page repeats (its figures
    aside: the date and the page number change)."""
    pages = [
        [
            line
            for line in (line.strip(_LINE_WHITESPACE) for line in page.splitlines())
            if line and not _PAGE_NUMBER_RE.match(line)
        ]
        for page in pages
    ]
    pages = [page for page in pages if page]
    for end in (0, -1) * _RUNNING_LINES if len(pages) >= 2 else ():
        repeated = {re.sub(r"\d+", "#", page[end]) for page in pages}
        if len(repeated) == 1 and all(len(page) > 1 for page in pages):
            pages = [page[1:] if end == 0 else page[:-1] for page in pages]
    return [line for page in pages for line in page]


def _title_at(lines: list[str]) -> tuple[int, int] | None:
    """(first, last + 1) of the lines the title is printed on: the first lines
    before the first chapter heading that join into ``…(year)年…报告`` (the
    organization before the year), each of them free of what menus, breadcrumbs
    and sentences have, and all but the last as wide as each other (a wrapped
    title runs to its box's width; a site's name above it does not). The longest
    such run wins: ``况和2025年度…报告`` is the end of a title, not one. None if
    there is no such title."""
    for last in range(min(len(lines), _TITLE_SEARCH_LINES)):
        if _CHAPTER_LINE_RE.match(lines[last]):
            return None
        first = last
        while (
            first > 0
            and last - first + 1 < _TITLE_MAX_LINES
            and not _NOT_IN_TITLE_RE.search(lines[first - 1])
        ):
            first -= 1
        for start in range(first, last + 1):
            if _NOT_IN_TITLE_RE.search(lines[start]):
                continue
            widths = [_display_width(line) for line in lines[start:last]]
            if widths and max(widths) - min(widths) > _TITLE_WIDTH_SLACK:
                continue
            joined = "".join(lines[start : last + 1])
            if joined.endswith("报告") and _TITLE_RE.match(joined):
                return start, last + 1
    return None


def _join_pdf_lines(pages: list[str]) -> str:
    lines = _page_lines(pages)
    if not lines:
        return ""
    title = None
    found = _title_at(lines)
    if found is not None:
        first, after = found
        title, lines = "".join(lines[first:after]), lines[after:]
        if lines and _PAGE_DETAILS_RE.search(lines[0]):
            lines = lines[1:]
        if not lines:
            return title
    paragraphs = _paragraphs(lines)
    for index in range(
        len(paragraphs) - 1, max(-1, len(paragraphs) - 1 - _FOOTER_SEARCH_LINES), -1
    ):
        if _DATE_LINE_RE.match(paragraphs[index]):
            paragraphs = paragraphs[: index + 1]
            break
    return "\n".join([title, *paragraphs] if title else paragraphs)


def _paragraphs(lines: list[str]) -> list[str]:
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
    return paragraphs
