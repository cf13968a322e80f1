"""Reports of the genre the seed never showed: other counties, layouts and numbering.

Each report under tests/data/ was written for these tests in the way counties write
theirs; what a reader of the report would list is what the parser must give."""

from pathlib import Path

import pytest

from tracker import importer

DATA = Path(__file__).resolve().parent / "data"
CHENGKOU = DATA / "chengkou-2024-report.txt"


def kinds_by_code(tree):
    return {o.code: o.kind for _section, o in tree.obligations()}


def titles_by_code(tree):
    return {o.code: o.title for _section, o in tree.obligations()}


def parse(body, title="某县2024年法治政府建设情况报告"):
    return importer.parse_report(f"{title}\n{body}")


# --- A mixed closing chapter ------------------------------------------------------


def test_mixed_closing_chapter_gives_three_problems_and_four_tasks():
    tree = importer.parse_report_file(CHENGKOU)

    assert tree.counts() == {"work_item": 11, "problem": 3, "task": 4}
    kinds = kinds_by_code(tree)
    assert [kinds[f"3.1.{n}"] for n in (1, 2, 3)] == ["problem"] * 3
    assert [kinds[f"3.2.{n}"] for n in (1, 2, 3, 4)] == ["task"] * 4


def test_each_group_of_a_mixed_chapter_keeps_its_own_kind_as_a_section():
    tree = importer.parse_report_file(CHENGKOU)

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
    titles = titles_by_code(importer.parse_report_file(CHENGKOU))

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
    tree = importer.parse_report_file(CHENGKOU)

    last = next(o for _s, o in tree.obligations() if o.code == "3.2.4")
    assert last.body.endswith("加大宣传力度。")
    assert "城口县人民政府\n2025年1月20日" in tree.source_text


def test_a_date_in_chinese_numerals_is_a_signature_too():
    tree = parse("一、存在的问题\n一是甲。二是乙。\n某县人民政府\n二〇二五年一月二十日")

    assert titles_by_code(tree) == {"1.1": "甲", "1.2": "乙"}
    assert list(tree.obligations())[-1][1].body == "二是乙。"


def test_a_title_line_starting_with_guanyu_names_the_county():
    tree = importer.parse_report(
        "关于城口县2024年法治政府建设情况的报告\n一、工作情况\n一是甲。二是乙。"
    )

    assert (tree.organization, tree.year) == ("城口县", 2024)
