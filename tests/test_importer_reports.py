"""Reports of the genre the seed never showed: other counties, layouts and numbering.

Each report under tests/data/ was written for these tests in the way counties write
theirs; what a reader of the report would list is what the parser must give."""

from pathlib import Path

import pytest

from tests.pdf_files import printed_pages, scanned_pdf, text_pdf
from tracker import importing

pytestmark = pytest.mark.usefixtures("english")

DATA = Path(__file__).resolve().parent / "data"
CHENGKOU = DATA / "chengkou-2024-report.txt"


def kinds_by_code(tree):
    return {o.code: o.kind for _section, o in tree.obligations()}


def titles_by_code(tree):
    return {o.code: o.title for _section, o in tree.obligations()}


def parse(body, title="某县2024年法治政府建设情况报告"):
    return importing.parse_report(f"{title}\n{body}")


# --- A mixed closing chapter ------------------------------------------------------


def test_mixed_closing_chapter_gives_three_problems_and_four_tasks():
    tree = importing.parse_report_file(CHENGKOU)

    assert tree.counts() == {"work_item": 11, "problem": 3, "task": 4}
    kinds = kinds_by_code(tree)
    assert [kinds[f"3.1.{n}"] for n in (1, 2, 3)] == ["problem"] * 3
    assert [kinds[f"3.2.{n}"] for n in (1, 2, 3, 4)] == ["task"] * 4


def test_each_group_of_a_mixed_chapter_keeps_its_own_kind_as_a_section():
    tree = importing.parse_report_file(CHENGKOU)

    closing = tree.chapters[-1]
    assert closing.title == "存在的不足和2025年工作打算"
    assert [(g.title, g.kind) for g in closing.children] == [
        ("存在的不足", "problem"),
        ("2025年工作打算", "task"),
    ]


@pytest.mark.parametrize(
    ("chapter", "group", "kind"),
    [
        # The closing chapter of most reports, in its variants.
        ("存在的问题及下一步工作打算", "存在的主要问题", "problem"),
        ("存在的问题及下一步工作打算", "下一步工作打算", "task"),
        ("存在的不足和2025年工作打算", "2025年重点工作", "task"),
        ("问题与打算", "问题和不足", "problem"),
        ("问题与打算", "下一步工作思路", "task"),
        # A plans chapter whose first group lists the problems.
        ("下一步工作安排", "当前存在的问题", "problem"),
        ("下一步工作安排", "着力解决群众反映强烈的突出问题", "task"),
        # Achievements speak of problems too, without being problems.
        ("2024年主要工作", "坚持问题导向，依法化解矛盾纠纷", "work_item"),
        ("2024年主要工作", "补齐基层法治建设短板", "work_item"),
        # A group with nothing to say keeps its chapter's kind.
        ("存在的问题", "执法队伍素质有待提高", "problem"),
        ("2025年工作安排", "深化法治宣传教育", "task"),
    ],
)
def test_a_group_takes_the_kind_its_own_heading_names_else_its_chapters(
    chapter, group, kind
):
    tree = parse(f"一、{chapter}\n（一）{group}\n一是甲。二是乙。")

    assert set(kinds_by_code(tree).values()) == {kind}


def test_a_chapter_without_groups_keeps_the_kind_of_its_heading():
    tree = parse("一、存在的不足和2025年工作打算\n一是执法不规范；二是队伍不稳定。")

    assert kinds_by_code(tree) == {"1.1": "problem", "1.2": "problem"}


# --- Titles -----------------------------------------------------------------------


def test_titles_end_at_the_first_full_stop_or_semicolon():
    titles = titles_by_code(importing.parse_report_file(CHENGKOU))

    assert titles["1.2.1"] == "推进政务服务标准化"  # "…标准化；梳理公布…"
    assert titles["1.1.2"] == "强化督促检查"  # "…检查。将法治建设…；"
    assert titles["3.1.1"] == "部分执法人员法治意识有待提升，执法程序瑕疵仍有发生"


def test_an_ascii_semicolon_ends_a_title_too():
    tree = parse("一、工作情况\n一是规范执法程序; 案卷合格率100%。二是强化监督。")

    assert titles_by_code(tree)["1.1"] == "规范执法程序"


def test_titles_lose_the_punctuation_they_end_on():
    tree = parse("一、2025年工作打算\n1.加大宣传力度，\n2.配强审核人员：\n3.深化改革、")

    assert list(titles_by_code(tree).values()) == [
        "加大宣传力度",
        "配强审核人员",
        "深化改革",
    ]


def test_a_title_without_an_end_is_the_whole_lead_text():
    tree = parse("一、存在的问题\n一是执法人员素质参差不齐\n二是监督合力不足")

    assert titles_by_code(tree) == {
        "1.1": "执法人员素质参差不齐",
        "1.2": "监督合力不足",
    }


# --- What surrounds the units -----------------------------------------------------


def test_the_signature_and_date_belong_to_no_unit():
    tree = importing.parse_report_file(CHENGKOU)

    last = next(o for _s, o in tree.obligations() if o.code == "3.2.4")
    assert last.body.endswith("加大宣传力度。")
    assert "城口县人民政府\n2025年1月20日" in tree.source_text


def test_a_date_in_chinese_numerals_is_a_signature_too():
    tree = parse("一、存在的问题\n一是甲。二是乙。\n某县人民政府\n二〇二五年一月二十日")

    assert titles_by_code(tree) == {"1.1": "甲", "1.2": "乙"}
    assert list(tree.obligations())[-1][1].body == "二是乙。"


def test_a_title_line_starting_with_guanyu_names_the_county():
    tree = importing.parse_report(
        "关于城口县2024年法治政府建设情况的报告\n一、工作情况\n一是甲。二是乙。"
    )

    assert (tree.organization, tree.year) == ("城口县", 2024)


# --- A saved web page -------------------------------------------------------------

FENGJIE_PAGE = DATA / "fengjie-2023-report-gbk.html"


def test_a_gbk_web_page_gives_the_article_without_the_sites_chrome():
    text = importing.read_report(FENGJIE_PAGE)

    assert text.splitlines()[0] == "奉节县人民政府关于2023年度法治政府建设情况的报告"
    assert "（一）依法全面履行政府职能。一是深化行政审批制度改革" in text
    for chrome in ("当前位置", "政务服务", "分享到", "打印本页", "相关链接", "ICP备"):
        assert chrome not in text


def test_a_gbk_web_page_parses_into_the_reports_units():
    tree = importing.parse_report_file(FENGJIE_PAGE)

    assert (tree.organization, tree.year) == ("奉节县", 2023)
    assert tree.counts() == {"work_item": 6, "problem": 3, "task": 3}
    last = list(tree.obligations())[-1][1]
    assert last.body == "3、深入实施“八五”普法规划，推进法治乡村建设。"


def test_a_utf8_page_declared_by_its_xml_declaration_reads_the_same(tmp_path):
    page = FENGJIE_PAGE.read_bytes().decode("gb18030")
    page = page.replace(
        "<!DOCTYPE html PUBLIC",
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC',
    )
    page = page.replace("charset=gb2312", "charset=utf-8")
    path = tmp_path / "report.htm"
    path.write_bytes(page.encode("utf-8"))

    assert importing.read_report(path) == importing.read_report(FENGJIE_PAGE)


def test_a_page_without_an_article_is_refused(tmp_path):
    path = tmp_path / "index.html"
    path.write_text(
        "<html><head><script>var a = 1;</script></head><body></body></html>"
    )

    with pytest.raises(importing.ReportFormatError, match="No article text found"):
        importing.read_report(path)


# --- PDF --------------------------------------------------------------------------

WUSHAN = (DATA / "wushan-2023-report.txt").read_text(encoding="utf-8").strip()


@pytest.fixture
def wushan_pdf(tmp_path):
    path = tmp_path / "巫山县2023年法治政府建设情况报告.pdf"
    path.write_bytes(text_pdf(printed_pages(WUSHAN)))
    return path


def test_the_test_pdf_breaks_paragraphs_across_lines_and_pages():
    pages = printed_pages(WUSHAN)

    assert len(pages) == 2
    assert sum(len(page) for page in pages) > len(WUSHAN.splitlines()) + 10


def test_a_text_pdf_gives_its_paragraphs_back_joined(wushan_pdf):
    text = importing.read_report(wushan_pdf)

    expected = [line.strip("　") for line in WUSHAN.splitlines()]
    assert text.splitlines() == expected


def test_a_text_pdf_parses_like_the_same_report_typed(wushan_pdf):
    from_pdf = importing.parse_report_file(wushan_pdf)
    from_text = importing.parse_report(WUSHAN)

    assert from_pdf.counts() == {"work_item": 4, "problem": 3, "task": 3}
    assert [(o.code, o.kind, o.title) for _s, o in from_pdf.obligations()] == [
        (o.code, o.kind, o.title) for _s, o in from_text.obligations()
    ]


def test_a_scanned_pdf_is_refused_as_needing_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())

    with pytest.raises(importing.ReportFormatError) as error:
        importing.read_report(path)

    assert "has no text, only images (a scan)" in str(error.value)
    assert "OCR" in str(error.value)


def test_a_damaged_pdf_is_refused_as_unreadable(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")

    with pytest.raises(importing.ReportFormatError, match="Not a readable PDF file"):
        importing.read_report(path)


def test_an_old_binary_word_document_is_refused_with_save_as_docx(tmp_path):
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))

    with pytest.raises(importing.ReportFormatError) as error:
        importing.read_report(path)

    assert "old binary Word document (.doc)" in str(error.value)
    assert "save it as .docx" in str(error.value)


def test_a_web_page_of_more_elements_than_any_report_is_refused(tmp_path):
    path = tmp_path / "page.html"
    items = "<h3>1</h3><ul><li>甲</li></ul>\n" * 45_000
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        f"<h1>某县2024年法治政府建设情况报告</h1>{items}</body></html>",
        encoding="utf-8",
    )

    with pytest.raises(importing.ReportFormatError, match="more than 120000 elements"):
        importing.read_report(path)
