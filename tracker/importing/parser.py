"""The report parser: a file in, a plain tree out. No ORM here.

A county's annual rule-of-law report (法治政府建设情况报告) is numbered in a few
conventional ways: chapters ``一、…``, groups ``(一)…`` / ``（一）…``, and inside them
items either as ``一是…二是…`` sentences within a paragraph or as ``1.`` / ``1、``
lines. An obligation is the smallest numbered unit; a group or chapter without
numbered units is itself one obligation.

Every offset in the tree points into ``ParsedReport.source_text``, the normalised
text that is stored in ``Report.source_text``, so ``source_text[start:end]`` is
exactly an obligation's body.
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..text import clean_text
from .reading import read_report
from .tree import (
    _CN_NUMBER,
    _DATE_LINE_RE,
    _LINE_WHITESPACE,
    _SENTENCE_END,
    _TITLE_RE,
    KIND_LABELS,
    PROBLEM,
    TASK,
    WORK_ITEM,
    ParsedObligation,
    ParsedReport,
    ParsedSection,
    ReportFormatError,
    check_deadline,
)

CN_DIGITS = "零一二三四五六七八九十"

_CHAPTER_RE = re.compile(rf"^({_CN_NUMBER})、")
_GROUP_RE = re.compile(rf"^([(（]({_CN_NUMBER})[)）])")
# "1." / "1、" / "1．" but not "1.5万" (a decimal) or "2022年".
_NUMBERED_RE = re.compile(r"^(\d{1,2})[.、．](?!\d)")
_ITEM_RE = re.compile(rf"({_CN_NUMBER})是")
_YEAR_WORK_RE = re.compile(r"((?:19|20)\d{2})\s*年.*工作")

_PROBLEM_WORDS = ("问题", "不足")
# A group heading that presents problems: "存在的不足", "（一）主要问题",
# "当前存在的问题及原因", "问题和不足".
_GROUP_PROBLEM_RE = re.compile(
    r"存在的?(?:主要)?(?:问题|不足|短板)|^(?:当前|目前|工作中)?(?:主要)?(?:问题|不足)"
)
# Words of a heading that sets out to remedy problems, which makes it a plan or an
# achievement, not a problem: "着力解决群众反映强烈的突出问题".
_REMEDY_RE = re.compile("解决|整改|破解|针对|化解|补齐|补足|弥补|克服|聚焦")
_TASK_WORDS = ("下一步", "工作安排", "工作打算", "工作思路", "工作计划")
# The longest text parsed: a 5 MB text file holds at most about 5 million
# characters (2.6 million in GB18030); a report is well under one million.
REPORT_MAX_CHARACTERS = 6 * 10**6
# A title (the lead phrase of a unit or heading) ends at the first of these.
_TITLE_END_RE = re.compile("[。；;]")
_TRAILING_PUNCTUATION = "，,、：:；;。.！!？?"


@dataclass
class _Line:
    start: int
    end: int
    text: str


def normalise(text: str) -> str:
    """The text as stored in Report.source_text: one paragraph per line, no
    indentation (reports indent with full-width spaces), no blank lines, LF only,
    and no control characters (``text.clean_text``: Word leaves stray ones)."""
    text = clean_text(text, multiline=True)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = (line.strip(_LINE_WHITESPACE) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- Parsing ------------------------------------------------------------------------


def cn_number(numeral: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23."""
    values = [CN_DIGITS.index(ch) for ch in numeral]
    if len(values) == 1:
        return values[0]
    if values[0] == 10:  # 十X
        return 10 + values[1]
    if len(values) == 2:  # X十
        return values[0] * 10
    return values[0] * 10 + values[2]  # X十Y


def _title_of(text: str) -> str:
    """The lead phrase: up to the first 。, ； or ; (the whole text if it has none),
    without the punctuation it ends on (``…程序瑕疵，`` reads ``…程序瑕疵``)."""
    end = _TITLE_END_RE.search(text)
    title = text[: end.start() if end else len(text)][:500]
    return title.rstrip(_LINE_WHITESPACE + _TRAILING_PUNCTUATION).lstrip(
        _LINE_WHITESPACE
    )


def _kind_of(heading: str, year: int | None) -> str:
    """A chapter's kind, from its heading."""
    if "第一责任人" in heading:
        return WORK_ITEM
    if any(word in heading for word in _PROBLEM_WORDS):
        return PROBLEM
    if _says_task(heading, year):
        return TASK
    return WORK_ITEM


def _says_task(heading: str, year: int | None) -> bool:
    if any(word in heading for word in _TASK_WORDS):
        return True
    match = _YEAR_WORK_RE.search(heading)
    return bool(match and year is not None and int(match.group(1)) > year)


def _group_kind(heading: str, chapter_kind: str, year: int | None) -> str:
    """A group's kind: what its own heading names, else its chapter's.

    Many reports close with one chapter ``存在的不足和2025年工作打算`` holding
    ``（一）存在的不足`` and ``（二）2025年工作打算``. Task words are specific, so any
    group heading with one is a task. 问题 and 不足 are not: achievements are
    "坚持问题导向" and plans "着力解决…问题", so a group is a problem only when its
    heading presents problems (``存在的问题``, ``主要问题``, ``问题和不足``) and
    does not set out to remedy them."""
    if _says_task(heading, year):
        return TASK
    if _GROUP_PROBLEM_RE.search(heading) and not _REMEDY_RE.search(heading):
        return PROBLEM
    return chapter_kind


def _split_lines(text: str) -> list[_Line]:
    lines, start = [], 0
    for line in text.split("\n"):
        lines.append(_Line(start, start + len(line), line))
        start += len(line) + 1
    return lines


def _end_of_text(lines, *, after):
    """The index just past the report's last line of text: a report signs off with
    the issuing body and the date (``城口县人民政府`` / ``2025年1月20日``), which
    belong to no unit. ``after`` is the last chapter heading, which stays."""
    end = len(lines)
    if end - 1 > after and _DATE_LINE_RE.match(lines[end - 1].text):
        end -= 1
        signer = lines[end - 1].text
        if end - 1 > after and len(signer) <= 40 and not _has_punctuation(signer):
            end -= 1
    return end


def _has_punctuation(text):
    return any(ch in _SENTENCE_END or ch in "，," for ch in text)


def parse_report(
    text: str,
    *,
    organization: str | None = None,
    year: int | None = None,
    deadline: float | None = None,
) -> ParsedReport:
    """Parse a report's text (raw or normalised) into a tree.

    ``organization`` and ``year`` override what the title line says. Past
    ``deadline`` (a ``time.monotonic()`` value), ReportFormatError."""
    if len(text) > REPORT_MAX_CHARACTERS:
        raise ReportFormatError(
            _(
                "Refused: the text is longer than %(count)d million characters, far "
                "beyond a report."
            )
            % {"count": REPORT_MAX_CHARACTERS // 10**6}
        )
    if organization is not None:
        organization = clean_text(organization).strip() or None
    source = normalise(text)
    if not source:
        raise ReportFormatError(_("The text is empty."))
    lines = _split_lines(source)

    title = ""
    if not (_CHAPTER_RE.match(lines[0].text) or _GROUP_RE.match(lines[0].text)):
        title = lines[0].text[:200]
    match = _TITLE_RE.match(title)
    if match:
        # 关于城口县2024年… / 城口县人民政府关于2024年…: the organization is 城口县.
        inferred_org = re.sub(
            r"^关于|(关于|人民政府关于)$", "", match.group("org").strip()
        )
        organization = organization or inferred_org or None
        year = year or int(match.group("year"))

    chapter_starts = [i for i, line in enumerate(lines) if _CHAPTER_RE.match(line.text)]
    if not chapter_starts:
        raise ReportFormatError(
            _("No recognisable structure: no chapter headings such as “一、…” found.")
        )

    ends = [*chapter_starts[1:], _end_of_text(lines, after=chapter_starts[-1])]
    chapters = []
    for first, last in zip(chapter_starts, ends, strict=True):
        check_deadline(deadline)
        chapters.append(_parse_chapter(source, lines[first:last], year))

    position = 0
    for chapter in chapters:
        for section in [chapter, *chapter.children]:
            position += 1
            section.position = position
    report = ParsedReport(
        title=title or f"{organization or ''}{year or ''}",
        organization=organization,
        year=year,
        source_text=source,
        chapters=chapters,
    )
    for position, (_section, obligation) in enumerate(report.obligations(), start=1):
        obligation.position = position
    codes = [obligation.code for _s, obligation in report.obligations()]
    if not codes:
        raise ReportFormatError(
            _("No recognisable structure: no numbered units found.")
        )
    if len(set(codes)) != len(codes):
        duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
        raise ReportFormatError(
            _("Ambiguous structure: numbering repeats (%(codes)s).")
            % {"codes": ", ".join(duplicates)}
        )
    return report


def _parse_chapter(source, lines, year) -> ParsedSection:
    heading = lines[0]
    match = _CHAPTER_RE.match(heading.text)
    number = cn_number(match.group(1))
    heading_title = heading.text[match.end() :].strip(_LINE_WHITESPACE)
    chapter = ParsedSection(
        code=match.group(1),
        number=number,
        title=_title_of(heading_title)[:500],
        kind=_kind_of(heading_title, year),
    )
    group_starts = [i for i, line in enumerate(lines) if _GROUP_RE.match(line.text)]
    if not group_starts:
        chapter.obligations = _parse_container(
            source, lines, match.end(), str(number), chapter.kind, chapter.title
        )
        return chapter
    for index, first in enumerate(group_starts):
        last = group_starts[index + 1] if index + 1 < len(group_starts) else len(lines)
        group_lines = lines[first:last]
        group_match = _GROUP_RE.match(group_lines[0].text)
        group_number = cn_number(group_match.group(2))
        group_title = _title_of(group_lines[0].text[group_match.end() :])
        group = ParsedSection(
            code=group_match.group(1),
            number=group_number,
            title=group_title,
            kind=_group_kind(group_title, chapter.kind, year),
        )
        group.obligations = _parse_container(
            source,
            group_lines,
            group_match.end(),
            f"{number}.{group_number}",
            group.kind,
            group.title,
        )
        chapter.children.append(group)
    return chapter


def _parse_container(source, lines, marker_end, code, kind, title):
    """The obligations of a chapter without groups, or of a group.

    ``lines[0]`` is the heading line; its body starts ``marker_end`` characters
    in. Numbered lines win over 一是 sentences; with neither, the container itself
    is one obligation."""
    body_starts = [line.start for line in lines]
    body_starts[0] += marker_end
    units = _numbered_lines(lines) or _item_sentences(source, lines, body_starts)
    if units is None:
        start, end = lines[0].start, lines[-1].end
        return [ParsedObligation(code, kind, title, source[start:end], start, end)]
    obligations = []
    for number, (start, end, marker_len) in enumerate(units, start=1):
        body = source[start:end]
        obligations.append(
            ParsedObligation(
                code=f"{code}.{number}",
                kind=kind,
                title=_title_of(body[marker_len:]),
                body=body,
                source_start=start,
                source_end=end,
            )
        )
    return obligations


def _numbered_lines(lines):
    """``1.`` / ``1、`` lines numbered 1, 2, 3…; each runs until the next one (or
    the end of the container). Lines out of sequence are continuation text."""
    marks, expected = [], 1
    for index, line in enumerate(lines):
        match = _NUMBERED_RE.match(line.text)
        if match and int(match.group(1)) == expected:
            marks.append((index, match.end()))
            expected += 1
    if not marks:
        return None
    units = []
    for n, (index, marker_len) in enumerate(marks):
        last = marks[n + 1][0] - 1 if n + 1 < len(marks) else len(lines) - 1
        units.append((lines[index].start, lines[last].end, marker_len))
    return units


def _item_sentences(source, lines, body_starts):
    """``一是…二是…`` items: a chain 一是, 二是, 三是… each at a sentence start (the
    start of a paragraph's body, or after 。；：), so words that merely contain 是
    are not taken for markers. An item runs until the next marker; the last one
    until the end of its paragraph."""
    # Linear in the container's length: a report of thousands of markers is read
    # in one pass (docs/importer.md has the figures).
    chain = []  # (number, start, marker length) of 一是, 二是, 三是… in order
    for line, body_start in zip(lines, body_starts, strict=True):
        for match in _ITEM_RE.finditer(source, body_start, line.end):
            number = cn_number(match.group(1))
            # The chain starts at the first 一是: a 二是 after any later 一是 also
            # follows the first, so no later start could make a longer chain.
            if number != len(chain) + 1:
                continue
            if _starts_sentence(source, body_start, match.start()):
                chain.append((number, match.start(), len(match.group(0))))
    if len(chain) < 2:
        return None
    units = []
    for n, (_number, start, marker_len) in enumerate(chain):
        if n + 1 < len(chain):
            end = chain[n + 1][1]
        else:
            end = next(line.end for line in lines if line.start <= start <= line.end)
        # A passage ends at its own text: no trailing newline or indentation.
        end = start + len(source[start:end].rstrip(_LINE_WHITESPACE + "\n"))
        units.append((start, end, marker_len))
    return units


def _starts_sentence(source, body_start, at):
    """Whether ``at`` starts a sentence: the start of the paragraph's body, or
    after a sentence end (``_SENTENCE_END``), whitespace between them ignored.

    Looks back only over the whitespace just before ``at``, so checking every
    marker of a paragraph costs one pass over it."""
    while at > body_start and source[at - 1] in _LINE_WHITESPACE:
        at -= 1
    return at == body_start or source[at - 1] in _SENTENCE_END


def parse_report_file(
    path,
    *,
    organization: str | None = None,
    year: int | None = None,
    deadline: float | None = None,
) -> ParsedReport:
    return parse_report(
        read_report(path, deadline=deadline),
        organization=organization,
        year=year,
        deadline=deadline,
    )


def format_tree(report: ParsedReport) -> str:
    """The tree as the dry run prints it: sections, then codes, kinds and titles,
    in the operator's language."""
    lines = [
        f"{report.title} — {report.organization or '?'} {report.year or '?'}",
    ]
    for section in report.sections():
        indent = "  " if section.is_chapter else "    "
        lines.append(f"{indent}{section.code} {section.title}")
        for obligation in section.obligations:
            code, kind = obligation.code, KIND_LABELS[obligation.kind]
            lines.append(f"{indent}  {code:<8} {kind}  {obligation.title}")
    counts = report.counts()
    lines.append(
        _("Work items: %(work_items)d, problems: %(problems)d, tasks: %(tasks)d")
        % {
            "work_items": counts[WORK_ITEM],
            "problems": counts[PROBLEM],
            "tasks": counts[TASK],
        }
    )
    return "\n".join(lines)
