"""What every reader and the parser share: the tree a report parses into, the kinds
of obligation, the one error type, and the characters that space and end text."""

import re
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WORK_ITEM = "work_item"
PROBLEM = "problem"
TASK = "task"
# As the models name the kinds (``Obligation.Kind``): the same messages.
KIND_LABELS = {
    WORK_ITEM: gettext_lazy("Work item"),
    PROBLEM: gettext_lazy("Problem"),
    TASK: gettext_lazy("Next-year task"),
}

CN_DIGITS = "零一二三四五六七八九十"
_CN_NUMBER = r"[一二三四五六七八九十]{1,3}"
# Sentence ends after which "一是" may start an item: 。；;！!？?：: (a colon too,
# because reports write "重点做好以下工作：一是…").
_SENTENCE_END = "。；;！!？?：:"
# The date a report is signed on: 2025年1月20日 or 二〇二五年一月二十日.
_DATE_LINE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$"
)
# A title line: the organization, then the year: 城口县2024年…, 关于城口县2024年…
_TITLE_RE = re.compile(r"^(?P<org>.+?)(?P<year>(?:19|20)\d{2})\s*年")
# Whitespace stripped around every line: ASCII, full-width (U+3000) and no-break spaces.
_LINE_WHITESPACE = " \t\u3000\u00a0\ufeff\u200b"


class ReportFormatError(Exception):
    """The input is not a report this importer can read; the message names why."""


@dataclass
class ParsedObligation:
    code: str
    kind: str
    title: str
    body: str
    source_start: int
    source_end: int
    position: int = 0


@dataclass
class ParsedSection:
    code: str  # as printed: "一" for a chapter, "(一)" or "（一）" for a group
    number: int
    title: str
    kind: str
    position: int = 0
    children: list["ParsedSection"] = field(default_factory=list)
    obligations: list[ParsedObligation] = field(default_factory=list)

    @property
    def is_chapter(self):
        return not self.code.startswith(("(", "（"))


@dataclass
class ParsedReport:
    title: str
    organization: str | None
    year: int | None
    source_text: str
    chapters: list[ParsedSection]

    def sections(self):
        """Every section in document order, each chapter before its groups."""
        for chapter in self.chapters:
            yield chapter
            yield from chapter.children

    def obligations(self):
        """Every obligation in document order, with the section that holds it."""
        for section in self.sections():
            for obligation in section.obligations:
                yield section, obligation

    def counts(self):
        counts = {WORK_ITEM: 0, PROBLEM: 0, TASK: 0}
        for _section, obligation in self.obligations():
            counts[obligation.kind] += 1
        return counts


def check_deadline(deadline):
    """Refuse past ``deadline`` (a ``time.monotonic()`` value; None: no limit)."""
    if deadline is not None and time.monotonic() > deadline:
        raise ReportFormatError(
            _(
                "Refused: the file took too long to read here; import it with "
                "manage.py import_report, which has no time limit."
            )
        )
