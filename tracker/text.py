"""Text as it enters the tracker: control characters never reach storage.

Everything typed or imported passes through ``clean_text``: the report importer
(``importing.normalise`` and the organization it is given), the app's forms
(``CleanCharField``) and the admin's forms (``admin.CleanInputAdminMixin``).

Removed, wherever they come from: C0 controls (U+0000–U+001F) but tab, line feed and
carriage return; DEL; C1 controls (U+0080–U+009F); and the bidirectional formatting
characters that make a text display in another order than it is stored (a
right-to-left override can make a title read differently from what a search or an
export finds). They are invisible, so stripping them leaves exactly the text the
user saw; refusing would ask people to delete characters they cannot see. It also
means an export cell never starts with one of them (openpyxl silently drops C0
controls, which would expose a leading ``=`` behind them).

Characters that break a line (form feed, vertical tab, NEL, the Unicode line and
paragraph separators) become a line feed in multi-line text; in a single-line field
every line break and tab becomes one space, so words stay apart and nothing stored
in a title or a name spans two lines.
"""

import re

from django import forms

_REMOVED = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_ANY_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control or bidirectional formatting characters.

    Multi-line text keeps tab, LF and CR, and gets LF for any other line break;
    single-line text gets one space for each run of line breaks and tabs."""
    value = _REMOVED.sub("", value)
    if multiline:
        return _OTHER_LINE_BREAKS.sub("\n", value)
    return _ANY_LINE_BREAKS.sub(" ", value)


class CleanCharField(forms.CharField):
    """A CharField whose value goes through ``clean_text`` before the usual
    stripping and validation (so a value of only control characters is "required",
    and ``max_length`` counts what will be stored). Multi-line when its widget is a
    textarea."""

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value, multiline=isinstance(self.widget, forms.Textarea))
        return super().to_python(value)
