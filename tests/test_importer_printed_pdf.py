"""A PDF a county prints from its own web page (a browser's "Save as PDF"): the
site's header, menus and breadcrumb above a title wrapped over lines, the page's
details under it, a running head and foot on every page, the site's footer after
the date, and a text layer that names 人 and 民 by their radicals (⼈⺠).

tests/data/qinghe-2024-report-printed.pdf is Chromium's print of
tests/data/qinghe-2024-report-page.html (a page of our own writing in Noto Sans CJK):
``chromium --headless --print-to-pdf=… file://…/qinghe-2024-report-page.html``.
"""

from pathlib import Path

import pypdf
import pytest

from tests.pdf_files import text_pdf
from tracker import importing
from tracker.importing.radicals import unify_radicals

DATA = Path(__file__).parent / "data"
PRINTED = DATA / "qinghe-2024-report-printed.pdf"
PAGE = DATA / "qinghe-2024-report-page.html"
TITLE = "清河县人民政府关于2024年度法治政府建设工作情况和2025年度工作安排的报告"
RADICALS = [chr(code) for code in range(0x2E80, 0x2FE0)]


def test_the_test_pdf_has_what_browsers_print():
    raw = "\n".join(page.extract_text() for page in pypdf.PdfReader(PRINTED).pages)

    assert len(pypdf.PdfReader(PRINTED).pages) >= 2
    assert "⼈⺠政府" in raw and "⾸⻚" in raw  # radicals, not ideographs
    assert "当前位置" in raw and "浏览次数" in raw and "标识码" in raw
    assert "清河县⼈⺠政府关于2024\n" in raw  # the title wrapped over lines
    assert raw.count("qinghe-2024-report-page.html") >= 2  # the running foot


def test_radicals_read_as_the_ideographs_they_print():
    assert unify_radicals("清河县⼈⺠政府⻔⼾⽹站 ⾸⻚ ⻓者模式") == (
        "清河县人民政府门户网站 首页 长者模式"
    )


def test_a_printed_pdf_has_no_radicals_left_in_its_text():
    text = importing.read_report(PRINTED)

    assert not [ch for ch in text if ch in RADICALS]
    assert "清河县人民政府" in text


def test_a_printed_pdf_starts_at_its_title_joined_into_one_line():
    lines = importing.read_report(PRINTED).splitlines()

    assert lines[0] == TITLE
    assert lines[1].startswith("2024年，清河县人民政府坚持")


def test_a_printed_pdf_leaves_the_sites_footer_and_running_heads_out():
    text = importing.read_report(PRINTED)

    for chrome in ("当前位置", "走进清河", "浏览次数", "网站标识码", "file:", "AM "):
        assert chrome not in text
    assert text.splitlines()[-1] == "2025年3月18日"


def test_a_printed_pdf_parses_like_the_page_it_was_printed_from():
    from_pdf = importing.parse_report_file(PRINTED)
    from_page = importing.parse_report_file(PAGE)

    assert (from_pdf.organization, from_pdf.year) == ("清河县", 2024)
    assert from_pdf.counts() == {"work_item": 10, "problem": 3, "task": 4}
    assert from_pdf.source_text == from_page.source_text
    assert [(o.code, o.kind, o.title) for _s, o in from_pdf.obligations()] == [
        (o.code, o.kind, o.title) for _s, o in from_page.obligations()
    ]


@pytest.mark.parametrize(
    "printed",
    [
        ["某县人民政府关于2024年法治政府建设情况的报", "告"],
        ["某县人民政府关于2024年", "法治政府建设情况的报告"],
        ["某县人民政府关于2024年法治政府建设情况的报告"],
    ],
)
def test_a_title_wrapped_anywhere_is_joined_below_the_breadcrumb(tmp_path, printed):
    path = tmp_path / "report.pdf"
    path.write_bytes(
        text_pdf(
            [
                [
                    "首页 政务公开 政务服务",
                    "当前位置：首页 > 政务公开 > 正文",
                    *printed,
                    "发布时间：2025-01-20 来源：某县司法局",
                    "一、主要工作",
                    "1.推进依法行政。",
                    "2.加强执法监督。",
                ]
            ]
        )
    )

    tree = importing.parse_report_file(path)

    assert tree.title == "某县人民政府关于2024年法治政府建设情况的报告"
    assert (tree.organization, tree.year) == ("某县", 2024)
    assert tree.counts()["work_item"] == 2
