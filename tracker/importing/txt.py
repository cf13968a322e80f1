"""Plain-text reports: UTF-8 (with or without a BOM) or GB18030; binary refused."""

import filetype
from django.utils.translation import gettext as _

from .tree import ReportFormatError

# The encodings a county's plain text comes in, tried in this order: UTF-8 (with or
# without the BOM Windows Notepad writes) first, then GB18030 (a superset of GBK and
# GB2312), which decodes almost any byte string and so has to come last.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_any(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for the first of TEXT_ENCODINGS that decodes ``data``."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def decode_text(data: bytes, *, name: str = "input") -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse binary data."""
    kind = filetype.guess(data)
    if kind is not None or b"\x00" in data:
        what = f" ({kind.mime})" if kind is not None else ""
        raise ReportFormatError(
            _("Binary file, not a text report%(type)s: %(name)s")
            % {"type": what, "name": name}
        )
    decoded = decode_any(data)
    if decoded is None:
        raise ReportFormatError(
            _("Cannot decode the text as UTF-8 or GB18030: %(name)s") % {"name": name}
        )
    text, _encoding = decoded
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    if controls > max(3, len(text) // 100):
        raise ReportFormatError(
            _("Binary file, not a text report%(type)s: %(name)s")
            % {"type": "", "name": name}
        )
    return text
