"""The layout of a Chinese official document (公文, after GB/T 9704-2012) in Word.

One place for the page, the fonts and the page numbers of every .docx the tracker
writes (the draft of next year's report, the 通报): ``OfficialDocument`` gives
``title``, ``heading`` (一、 and （一）), ``paragraph``, ``table`` and
``signature``, and ``to_bytes``. No queries, no translations: callers pass the
text.

The layout:
- A4 (210 × 297 mm); margins top 37, bottom 35, left 28, right 26 mm, which leaves
  GB/T 9704's type area of 156 × 225 mm; 22 lines of 28 characters a page (exact
  28.95 pt spacing, a ``linesAndChars`` document grid with the matching
  ``charSpace``). A title longer than a line breaks between words.
- Title: 方正小标宋简体, 2号 (22 pt), centred. Body: 仿宋_GB2312, 3号 (16 pt), first
  line indented by two characters. Chapter headings (一、): 黑体 3号; group
  headings （一）: 楷体_GB2312 3号. Latin letters and digits: Times New Roman.
- Page numbers in the footer: a PAGE field as "— 1 —", 4号 (14 pt) 宋体, odd pages
  on the right and even pages on the left, one character in from the margin.
- Text in 【】 is a placeholder for the writer: highlighted yellow, so none is
  missed before the document goes out.

Fonts and their fallbacks. Each run and style names its Chinese font in
``w:eastAsia`` (Word and WPS choose the font of Chinese characters from that
attribute alone, not from ``w:ascii``) and ``w:lang w:eastAsia="zh-CN"``. The GB2312
fonts are installed on government computers but not on every machine, so the
document's font table names a fallback for each (``w:altName``, which Word and WPS
use when the named font is missing), with the GB2312 character set:

==============  ==========================================  =======================
font            used for                                     fallback (altName), then
==============  ==========================================  =======================
方正小标宋简体  the title                                    宋体 (SimSun)
仿宋_GB2312     the body, tables, page numbers' neighbours   仿宋 (FangSong), SimSun
楷体_GB2312     （一） headings                              楷体 (KaiTi), SimSun
黑体            一、 headings                                SimHei
宋体            page numbers                                 SimSun
==============  ==========================================  =======================

(Windows since Vista ships 仿宋, 楷体, 黑体 and 宋体; LibreOffice substitutes any
missing CJK font with its default CJK font, e.g. Noto Serif CJK.)
"""

import io
import re
import unicodedata
from dataclasses import dataclass

import docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# Font sizes by their Chinese names (号).
SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body and headings
SIZE_4 = Pt(14)  # 四号: page numbers
SIZE_SMALL_4 = Pt(12)  # 小四: tables

LATIN_FONT = "Times New Roman"


@dataclass(frozen=True)
class Font:
    """A Chinese font as ``w:eastAsia`` names it, the fallback written into the
    document's font table (``w:altName``), and the PANOSE family Word matches
    on when neither is installed."""

    name: str
    fallback: str
    family: str  # "roman" (serif, 宋/仿宋/楷) or "modern"/"swiss" (黑体)


TITLE_FONT = Font("方正小标宋简体", "宋体", "roman")
BODY_FONT = Font("仿宋_GB2312", "仿宋", "modern")
GROUP_FONT = Font("楷体_GB2312", "楷体", "modern")
CHAPTER_FONT = Font("黑体", "SimHei", "modern")
PAGE_NUMBER_FONT = Font("宋体", "SimSun", "roman")
FONTS = (TITLE_FONT, BODY_FONT, GROUP_FONT, CHAPTER_FONT, PAGE_NUMBER_FONT)

# GB/T 9704-2012 (7.1): 22 lines of 28 characters in the 156 × 225 mm type area.
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
TYPE_AREA_WIDTH = Mm(156)
TYPE_AREA_HEIGHT = Mm(225)
# 579 twips (28.95 pt): 22 lines take 636.9 pt of the type area's 637.8 pt. At 29 pt
# they took 638 pt, so Word and LibreOffice set 21 lines a page.
LINE_SPACING = Pt(28.95)
TITLE_LINE_SPACING = Pt(35)
# The document grid (w:docGrid type="linesAndChars"), what Word's and WPS's page
# setup show as 每行28字 每页22行: a character pitch of the type area's width / 28
# (15.79 pt); w:charSpace is its difference from the 3号 font in 1/4096 pt.
CHAR_PITCH_PT = TYPE_AREA_WIDTH.pt / CHARS_PER_LINE
CHAR_SPACE = round((CHAR_PITCH_PT - 16) * 4096)
# 28 characters of 3号 (16 pt) are 448 pt, wider than the type area's 442 pt: GB/T
# 9704's 3号 is the printer's 15.75 pt. Snapped to the grid, LibreOffice gives each
# 16 pt character two cells (14 a line), so the text is set off the grid
# (w:snapToGrid off) with every character 0.3 pt closer (w:spacing, in 1/20 pt):
# 28 a line in Word, WPS and LibreOffice alike.
CHARACTER_SPACING_TWENTIETHS = -6
# Characters of the 2号 title a line (20), for breaking a long title between words.
TITLE_CHARS_PER_LINE = int(TYPE_AREA_WIDTH.pt // 22)
# Left and right padding of a table's cells (1 mm): Word's 1.9 mm default left a
# 12 mm column room for one 小四 character a line.
CELL_PADDING = Mm(1)
# Two characters of the body's size: the first-line indent of every paragraph.
INDENT = Pt(32)

PLACEHOLDER = re.compile(r"(【[^【】]*】)")
# Characters XML 1.0 cannot hold (lxml refuses the whole document): text is
# cleaned where it enters the tracker, this is the last guard.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_width(text: str) -> float:
    """``text``'s width in Chinese characters: Latin letters and digits are half
    (and the ambiguous ones, such as "—", full: a Chinese font sets them so)."""
    return sum(
        1 if unicodedata.east_asian_width(character) in "WFA" else 0.5
        for character in text
    )


# A title may break after these: the end of a word or phrase in the titles the
# tracker writes ("关于2026年度法治政府建设 / 重点任务推进情况的通报").
_TITLE_BREAKS_AFTER = (
    "关于", "年", "年度", "工作", "建设", "任务", "情况", "推进", "落实", "开展",
    "县", "市", "区", "、", "和", "及", "与", "报告", "通报",
)  # fmt: skip
# Never at the start of a title's line: a particle left alone reads wrong.
_NOT_AT_LINE_START = "的之了和与及、，。）》"


def title_lines(text: str, per_line: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """``text`` as the lines of a title: as the author broke it (a newline), else
    one line if it fits, else broken after a word (``_TITLE_BREAKS_AFTER``) into
    lines of about even length, each at most ``per_line`` characters wide; only a
    title with no such place is cut at the line's end."""
    if "\n" in text:
        return [line.strip() for line in text.splitlines() if line.strip()]
    text = text.strip()
    if text_width(text) <= per_line:
        return [text]
    places = [
        at
        for at in range(2, len(text) - 1)
        if text[:at].endswith(_TITLE_BREAKS_AFTER)
        and text[at] not in _NOT_AT_LINE_START
        and not (text[at - 1].isdigit() and text[at].isdigit())
    ]
    fitting = [at for at in places if text_width(text[:at]) <= per_line]
    if not fitting:
        cut = 1
        while text_width(text[: cut + 1]) <= per_line:
            cut += 1
        return [text[:cut], *title_lines(text[cut:], per_line)]
    last_line = [at for at in fitting if text_width(text[at:]) <= per_line]
    if last_line:
        # Two lines, as even as the words allow; the first the longer of equals.
        at = min(
            last_line,
            key=lambda at: (abs(text_width(text[:at]) - text_width(text[at:])), -at),
        )
        return [text[:at], text[at:]]
    at = max(fitting)
    return [text[:at], *title_lines(text[at:], per_line)]


def chinese_numeral(number: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 23 -> 二十三 (up to 99; Arabic beyond, where
    a document has outgrown numbering in words anyway)."""
    digits = "零一二三四五六七八九"
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    text = ("" if tens <= 1 else digits[tens]) + ("十" if tens else "")
    return text + (digits[units] if units else "")


def chapter_heading(number: int, text: str) -> str:
    """一、text"""
    return f"{chinese_numeral(number)}、{text}"


def group_heading(number: int, text: str) -> str:
    """（一）text"""
    return f"（{chinese_numeral(number)}）{text}"


def ordinal(number: int) -> str:
    """一是, 二是 …: how the genre enumerates within a paragraph or group."""
    return f"{chinese_numeral(number)}是"


def set_font(target, font: Font, size=None, *, bold=None):
    """Name ``font`` for Chinese (``w:eastAsia``) and Times New Roman for Latin
    text on a run or a style's ``font``-bearing element (``run`` or ``style``)."""
    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = size
    if bold is not None:
        target.font.bold = bold
    properties = target.element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), font.name)
    # w:lang is last but a few rarely used elements in the schema's sequence, and
    # python-docx inserts what it adds later (highlight, bold) before it.
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:eastAsia"), "zh-CN")


def east_asia_font(run) -> str | None:
    """The Chinese font a run names (``w:eastAsia``), for tests and checks."""
    properties = run.element.rPr
    fonts = None if properties is None else properties.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _add_fallbacks_to_font_table(document):
    """One ``w:font`` entry per Chinese font with its ``w:altName`` and the GB2312
    character set (86), so a machine without the font substitutes the fallback
    instead of a Latin font."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    table = parse_xml(part.blob)
    for font in FONTS:
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), font.name)
        for tag, value in (
            ("w:altName", font.fallback),
            ("w:charset", "86"),
            ("w:family", font.family),
            ("w:pitch", "variable"),
        ):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            entry.append(child)
        table.append(entry)
    # The template's font table is a plain part (python-docx has no API for it):
    # its bytes are replaced, which is what the package writes out.
    part._blob = serialize_part_xml(table)


def _page_number_paragraph(footer, alignment):
    """ "— PAGE —" in 4号 宋体, one character in from the margin on its side."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = alignment
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = SIZE_4
    else:
        paragraph.paragraph_format.left_indent = SIZE_4
    set_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    # A complex field, each part in its own run as Word writes it; the result "1"
    # is what a reader that does not compute fields shows.
    for part in ("begin", " PAGE ", "separate", "1", "end"):
        run = paragraph.add_run()
        set_font(run, PAGE_NUMBER_FONT, SIZE_4)
        if part in ("begin", "separate", "end"):
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), part)
        else:
            element = OxmlElement("w:instrText" if part == " PAGE " else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = part
        run.element.append(element)
    set_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


class OfficialDocument:
    """A Word document in the official layout; add content in reading order and
    call ``to_bytes`` (or ``save``)."""

    def __init__(self, *, title_for_properties: str = ""):
        self.document = docx.Document()
        self.document.core_properties.title = title_for_properties
        self.document.core_properties.author = ""
        self.document.core_properties.language = "zh-CN"
        self._page()
        self._styles()
        _add_fallbacks_to_font_table(self.document)

    def _page(self):
        section = self.document.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance = Mm(15)
        # The page number sits 7 mm below the type area: its line ends about
        # 24 mm above the paper's edge.
        section.footer_distance = Mm(24)
        self.document.settings.odd_and_even_pages_header_footer = True
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_SPACING.twips))
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))
        _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    def _styles(self):
        normal = self.document.styles["Normal"]
        set_font(normal, BODY_FONT, SIZE_3)
        paragraph_format = normal.paragraph_format
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph_format.line_spacing = LINE_SPACING
        paragraph_format.space_before = paragraph_format.space_after = Pt(0)
        paragraph_format.widow_control = False
        properties = normal.element.get_or_add_pPr()
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        properties.find(qn("w:spacing")).addprevious(snap)  # the schema's order
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHARACTER_SPACING_TWENTIETHS))
        normal.element.get_or_add_rPr().find(qn("w:sz")).addprevious(spacing)
        # Word's template also defaults to Calibri/宋体 through the theme.
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            run_defaults = defaults.find(qn("w:rPrDefault"))
            if run_defaults is not None:
                defaults.remove(run_defaults)
        table_style = self.document.styles["Table Grid"]
        set_font(table_style, BODY_FONT, SIZE_SMALL_4)

    # --- Content ---------------------------------------------------------------

    def _runs(self, paragraph, text, font, size, *, bold=None):
        """``text`` as runs, each 【placeholder】 highlighted."""
        for part in PLACEHOLDER.split(_NOT_XML.sub("", text)):
            if not part:
                continue
            run = paragraph.add_run(part)
            set_font(run, font, size, bold=bold)
            if PLACEHOLDER.fullmatch(part):
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return paragraph

    def title(self, text: str):
        """The document's title: 方正小标宋简体 2号, centred, a blank line after; a
        title longer than a line is broken between words (``title_lines``)."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = TITLE_LINE_SPACING
        paragraph.paragraph_format.space_after = LINE_SPACING
        paragraph.paragraph_format.keep_with_next = True
        for number, line in enumerate(title_lines(_NOT_XML.sub("", text))):
            if number:
                paragraph.runs[-1].add_break()
            self._runs(paragraph, line, TITLE_FONT, SIZE_2)
        return paragraph

    def document_number(self, text: str):
        """The 发文字号 line (e.g. "X府办发〔2026〕3号"), centred above the title."""
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        return self._runs(paragraph, text, BODY_FONT, SIZE_3)

    def heading(self, text: str, level: int = 1):
        """A chapter heading ("一、…", 黑体) at level 1, a group heading ("（一）…",
        楷体_GB2312) at level 2; both 3号, indented like the body. The caller
        writes the numbering, as the genre prints it."""
        font = CHAPTER_FONT if level == 1 else GROUP_FONT
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = INDENT
        paragraph.paragraph_format.keep_with_next = True
        return self._runs(paragraph, text, font, SIZE_3)

    def paragraph(self, text: str, *, indent: bool = True, align=None):
        """A body paragraph in 仿宋_GB2312 3号, first line indented two characters
        (``indent=False`` for an addressee line such as "各有关单位：")."""
        paragraph = self.document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = INDENT
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = INDENT
        return self._runs(paragraph, text, BODY_FONT, SIZE_3)

    def note(self, text: str):
        """A note to the writer at the top (楷体, highlighted as a placeholder):
        what the document is and what to check before it is used."""
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = INDENT
        run = paragraph.add_run(_NOT_XML.sub("", text))
        set_font(run, GROUP_FONT, SIZE_3)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return paragraph

    def table(self, header, rows, *, widths_mm=None):
        """A bordered table, 仿宋_GB2312 小四, its header row bold and repeated on
        every page, centred on the page; ``widths_mm`` per column (they should add
        up to the type area's 156 mm)."""
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(CELL_PADDING.twips))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        table._tbl.tblPr.append(margins)
        self._table_row(table.rows[0], header, bold=True)
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for values in rows:
            self._table_row(table.add_row(), values)
        for row in table.rows:
            # A row printed half on one page and half on the next cannot be read.
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if widths_mm:
            # Word reads the cells' widths, WPS and LibreOffice the table's grid:
            # both are set, or the columns come out even in the latter.
            for column, width in zip(table.columns, widths_mm, strict=True):
                column.width = Mm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths_mm, strict=True):
                    cell.width = Mm(width)
        return table

    def _table_row(self, row, values, *, bold=None):
        for cell, value in zip(row.cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            self._runs(
                paragraph,
                "" if value is None else str(value),
                BODY_FONT,
                SIZE_SMALL_4,
                bold=bold,
            )

    def signature(self, *lines: str):
        """The issuer and the date, right-aligned under the body after a blank
        line (GB/T 9704: the signature two characters from the right margin)."""
        # Kept together: the 通报's 【署名】 once ended a page and its date began
        # the next.
        self.document.add_paragraph().paragraph_format.keep_with_next = True
        for number, line in enumerate(lines, start=1):
            paragraph = self.paragraph(line, indent=False, align="right")
            paragraph.paragraph_format.keep_with_next = number < len(lines)

    # --- Output ----------------------------------------------------------------

    def save(self, stream):
        self.document.save(stream)

    def to_bytes(self) -> bytes:
        output = io.BytesIO()
        self.document.save(output)
        return output.getvalue()
