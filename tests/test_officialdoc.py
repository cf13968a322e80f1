"""tracker.officialdoc: the official layout every Word document of the tracker
shares, read back from the saved file as Word would read it."""

import io
import zipfile

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tracker.documents import RANKING_WIDTHS_MM
from tracker.officialdoc import (
    CELL_PADDING,
    OfficialDocument,
    chinese_numeral,
    east_asia_font,
    text_width,
    title_lines,
)


def _saved(build):
    document = OfficialDocument(title_for_properties="测试")
    build(document)
    return document.to_bytes()


def _sample(document):
    document.title("关于2023年度法治政府建设重点任务推进情况的通报")
    document.heading("一、总体情况")
    document.heading("（一）按期办结情况", level=2)
    document.paragraph("各单位要【于X月X日前】报送整改情况。")
    document.table(["排名", "单位"], [[1, "县司法局"]], widths_mm=[20, 136])


def test_page_is_a4_with_the_official_margins():
    section = docx.Document(io.BytesIO(_saved(_sample))).sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [
        round(m.mm)
        for m in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [37, 35, 28, 26]


def test_title_body_and_headings_name_the_official_chinese_fonts_and_sizes():
    paragraphs = docx.Document(io.BytesIO(_saved(_sample))).paragraphs
    title, chapter, group, body = paragraphs[:4]

    assert (east_asia_font(title.runs[0]), title.runs[0].font.size) == (
        "方正小标宋简体",
        Pt(22),
    )
    assert (east_asia_font(chapter.runs[0]), chapter.runs[0].font.size) == (
        "黑体",
        Pt(16),
    )
    assert east_asia_font(group.runs[0]) == "楷体_GB2312"
    assert {east_asia_font(run) for run in body.runs} == {"仿宋_GB2312"}
    assert body.paragraph_format.first_line_indent == Pt(32)


def test_table_cells_are_in_the_body_font():
    table = docx.Document(io.BytesIO(_saved(_sample))).tables[0]

    cell_run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert cell_run.text == "县司法局"
    assert east_asia_font(cell_run) == "仿宋_GB2312"
    assert table.rows[0].cells[0].paragraphs[0].runs[0].font.bold
    assert round(table.rows[0].cells[1].width.mm) == round(Mm(136).mm)


def test_placeholders_are_highlighted_for_the_writer():
    body = docx.Document(io.BytesIO(_saved(_sample))).paragraphs[3]

    highlighted = [
        run.text
        for run in body.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]
    assert highlighted == ["【于X月X日前】"]
    assert body.text == "各单位要【于X月X日前】报送整改情况。"


def test_footer_numbers_pages_on_odd_and_even_pages():
    content = _saved(_sample)
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ")


def test_font_table_names_a_fallback_for_each_chinese_font():
    with zipfile.ZipFile(io.BytesIO(_saved(_sample))) as package:
        fonts = package.read("word/fontTable.xml").decode()

    for font, fallback in (
        ("仿宋_GB2312", "仿宋"),
        ("方正小标宋简体", "宋体"),
        ("楷体_GB2312", "楷体"),
    ):
        assert f'<w:font w:name="{font}"><w:altName w:val="{fallback}"/>' in fonts


def test_control_characters_cannot_break_the_document():
    content = _saved(lambda d: d.paragraph("整改\x00报告\x1b完成"))

    assert docx.Document(io.BytesIO(content)).paragraphs[0].text == "整改报告完成"


def test_chinese_numerals_for_headings():
    assert [chinese_numeral(n) for n in (1, 10, 12, 20, 23, 99, 100)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十三",
        "九十九",
        "100",
    ]


def test_table_columns_have_their_widths_in_the_grid_that_wps_and_libreoffice_read():
    # WPS and LibreOffice lay a table out from its grid (w:gridCol), not from the
    # cells' widths: with an even grid the 通报's department names broke every
    # two or three characters.
    table = docx.Document(io.BytesIO(_saved(_sample))).tables[0]

    assert [round(column.width.mm) for column in table.columns] == [20, 136]


def test_a_table_row_is_never_split_across_two_pages():
    # A department's row printed half on one page and half on the next
    # ("县农业" / "农村局") in the 通报 of a dozen departments.
    table = docx.Document(io.BytesIO(_saved(_sample))).tables[0]

    for row in table.rows:
        assert row._tr.trPr is not None
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_signature_and_date_stay_on_one_page():
    def build(document):
        _sample(document)
        document.signature("【署名】", "【成文日期】")

    body = docx.Document(io.BytesIO(_saved(build))).paragraphs
    blank, issuer, date = body[-3:]

    assert (issuer.text, date.text) == ("【署名】", "【成文日期】")
    assert blank.paragraph_format.keep_with_next
    assert issuer.paragraph_format.keep_with_next


def test_22_lines_fit_the_type_area_and_the_grid_says_22_by_28():
    document = docx.Document(io.BytesIO(_saved(_sample)))
    normal = document.styles["Normal"].paragraph_format
    assert normal.line_spacing.twips == 579
    assert 22 * normal.line_spacing.pt <= Mm(225).pt
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"
    # The character pitch 16 pt + charSpace/4096: 28 of them fill the 156 mm.
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert 28 * pitch <= Mm(156).pt < 29 * pitch


def test_body_characters_are_set_28_to_the_line():
    document = docx.Document(io.BytesIO(_saved(_sample)))
    run_properties = document.styles["Normal"].element.rPr
    condensed = int(run_properties.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + condensed) <= Mm(156).pt


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("测试县2026年法治政府建设情况报告", ["测试县2026年法治政府建设情况报告"]),
        (
            "关于2026年度法治政府建设重点任务推进情况的通报",
            ["关于2026年度法治政府建设", "重点任务推进情况的通报"],
        ),
        (
            "关于2025—2026年度法治政府建设重点任务推进情况的通报",
            ["关于2025—2026年度法治政府建设", "重点任务推进情况的通报"],
        ),
        ("作者自己\n断的行", ["作者自己", "断的行"]),
    ],
)
def test_a_title_longer_than_a_line_breaks_between_words(title, lines):
    assert title_lines(title) == lines
    assert all(text_width(line) <= 20 for line in lines)


def test_a_title_without_a_place_to_break_is_cut_at_the_lines_end():
    lines = title_lines("甲" * 45)
    assert [len(line) for line in lines] == [20, 20, 5]


def test_the_title_is_written_with_its_line_breaks():
    title = docx.Document(io.BytesIO(_saved(_sample))).paragraphs[0]
    assert title.text == "关于2023年度法治政府建设\n重点任务推进情况的通报"


def test_no_ranking_header_wraps_one_character_a_line():
    headers = ["名次", "责任单位", "承办事项数", "已办结", "按期办结率", "当前逾期",
               "退回率", "督办单（黄/红）", "得分"]  # fmt: skip
    character_mm = Pt(12).mm  # 小四
    for header, width in zip(headers, RANKING_WIDTHS_MM, strict=True):
        per_line = int((width - 2 * CELL_PADDING.mm) // character_mm)
        assert per_line >= 2, header
        lines = -(-text_width(header) // per_line)
        last = text_width(header) - (lines - 1) * per_line
        assert lines <= 2 and (lines == 1 or last >= 2), header
    assert sum(RANKING_WIDTHS_MM) == 156
