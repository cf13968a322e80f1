"""Web pages saved from a government website: the article, not the site."""

import re

from django.utils.translation import gettext as _

from .tree import ReportFormatError
from .txt import decode_any

# The encoding a saved page declares: <meta charset="gbk">, <meta http-equiv=…
# content="text/html; charset=gb2312"> or <?xml … encoding="…"?>.
_DECLARED_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_-]+)""",
    re.IGNORECASE,
)
# Pages that say GB2312 or GBK use characters beyond them; GB18030 reads all three.
_GB_CHARSETS = {"gb2312", "gbk", "x-gbk", "gb18030", "cp936", "euc-cn"}
# A report's page has hundreds of elements; a 5 MB page of short paragraphs (the
# most a 5 MB upload holds) about 90,000. Past this the page is not a report, and
# trafilatura's pruning takes seconds per 100,000 (docs/importer.md).
REPORT_PAGE_MAX_ELEMENTS = 120_000


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        head.startswith(b"<?xml") and b"<html" in head
    )


def _decode_html(data: bytes) -> str | None:
    match = _DECLARED_CHARSET_RE.search(data[:4096])
    if match:
        declared = (match.group(1) or match.group(2)).decode("ascii").lower()
        encoding = "gb18030" if declared in _GB_CHARSETS else declared
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # a page that lies about its encoding: try the usual ones
    decoded = decode_any(data)
    return decoded[0] if decoded else None


def read_html(data: bytes, *, name: str = "input") -> str:
    """The article of a page saved from a government website: its title and
    paragraphs, without the site's navigation, breadcrumbs, share buttons and
    footer (trafilatura finds the main text block)."""
    # imported here so other formats do not load them
    import trafilatura
    from trafilatura.metadata import examine_meta, extract_title
    from trafilatura.utils import load_html

    html = _decode_html(data)
    if html is None:
        raise ReportFormatError(
            _(
                "Cannot decode the web page as its declared encoding, UTF-8 or "
                "GB18030: %(name)s"
            )
            % {"name": name}
        )
    # Parsed once, for the title and for the article. ``fast`` skips the second
    # opinion of readability and justext, and the title is read without
    # trafilatura's other metadata (its date search tries every text node as a
    # date): those two took 10 of 16 s on a 4 MB page of short paragraphs, and
    # grew faster than the page (docs/importer.md). A county's page is the
    # article in one block, which the main extractor finds alone.
    tree = load_html(html)
    if tree is None:
        raise ReportFormatError(
            _("No article text found in the web page: %(name)s") % {"name": name}
        )
    elements = sum(1 for _element in tree.iter())
    if elements > REPORT_PAGE_MAX_ELEMENTS:
        raise ReportFormatError(
            _(
                "Refused: the web page has more than %(count)d elements, far beyond "
                "a report's page: %(name)s"
            )
            % {"count": REPORT_PAGE_MAX_ELEMENTS, "name": name}
        )
    title = (examine_meta(tree).title or extract_title(tree) or "").strip()
    article = trafilatura.bare_extraction(
        tree, include_comments=False, include_images=False, fast=True
    )
    text = (article.text or "") if article is not None else ""
    if not text.strip():
        raise ReportFormatError(
            _("No article text found in the web page: %(name)s") % {"name": name}
        )
    # The page's heading is the report's title line; some sites keep it outside
    # the article's text block.
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n{text}"
    return text
