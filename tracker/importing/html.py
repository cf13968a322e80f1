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
    import trafilatura  # imported here so other formats do not load it

    html = _decode_html(data)
    if html is None:
        raise ReportFormatError(
            _(
                "Cannot decode the web page as its declared encoding, UTF-8 or "
                "GB18030: %(name)s"
            )
            % {"name": name}
        )
    article = trafilatura.bare_extraction(
        html, include_comments=False, include_images=False, with_metadata=True
    )
    text = (article.text or "") if article is not None else ""
    if not text.strip():
        raise ReportFormatError(
            _("No article text found in the web page: %(name)s") % {"name": name}
        )
    # The page's heading is the report's title line; some sites keep it outside
    # the article's text block.
    title = (article.title or "").strip()
    if title and not text.lstrip().startswith(title):
        text = f"{title}\n{text}"
    return text
