"""`manage.py import_report`: the seed report, its variants, bad input, dry run and
re-import."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.seed_report import SEED, SEED_TEXT, write_docx
from tracker import importing
from tracker.models import Evidence, Obligation, ProgressUpdate, Report, Section

LINKS = settings.BASE_DIR / "fixtures" / "source" / "wuxi-2022-links.json"

SEED_CODES = [
    *(f"1.{group}.{item}" for group in range(1, 6) for item in range(1, 4)),
    "1.6",
    "2.1",
    "2.2",
    "2.3",
    "3.1",
    "3.2",
    "3.3",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
]
SEED_CODES.remove("1.2.3")  # group (二) has two items: 一是, 二是


def import_report(*args):
    out = io.StringIO()
    call_command("import_report", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def obligations():
    return {o.code: o for o in Obligation.objects.order_by("position")}


def tree_summary(tree):
    """(code, kind, title) of every obligation, comparable across input formats."""
    return [(o.code, o.kind, o.title) for _section, o in tree.obligations()]


# --- The seed ----------


def test_seed_import_creates_18_work_items_3_problems_4_tasks(db):
    import_report(SEED)

    kinds = [o.kind for o in Obligation.objects.all()]
    assert kinds.count("work_item") == 18
    assert kinds.count("problem") == 3
    assert kinds.count("task") == 4


def test_seed_codes_follow_chapter_group_item_numbering(db):
    import_report(SEED)

    assert list(obligations()) == SEED_CODES


def test_seed_report_organization_year_and_title_come_from_the_title_line(db):
    import_report(SEED)

    report = Report.objects.get()
    assert (report.organization, report.year) == ("巫溪县", 2022)
    assert report.title == "巫溪县2022年法治政府建设情况报告"


def test_seed_sections_are_chapters_and_groups_as_printed(db):
    import_report(SEED)

    chapters = Section.objects.filter(parent=None).order_by("position")
    assert [(s.code, s.title) for s in chapters] == [
        ("一", "工作开展情况"),
        ("二", "党政主要负责人履行推进法治建设第一责任人职责情况"),
        ("三", "存在的主要问题"),
        ("四", "下一步工作思路"),
    ]
    groups = Section.objects.filter(parent__code="一").order_by("position")
    assert [g.code for g in groups] == ["(一)", "(二)", "(三)", "(四)", "(五)", "(六)"]
    assert Obligation.objects.get(code="1.2.1").section == groups[1]


def test_seed_titles_are_the_lead_phrase_up_to_the_first_full_stop(db):
    import_report(SEED)

    titles = {code: o.title for code, o in obligations().items()}
    assert titles["1.1.1"] == "坚持学习有深度"
    assert titles["1.2.1"] == "持续深化“放管服”改革"
    assert titles["1.6"] == "增强法治理论素养,打造高素质法治工作队伍"
    assert titles["2.1"] == "带头谋划推动"
    assert (
        titles["3.2"]
        == "极少数干部法治素养有待进一步提高,带头尊法学法用法自觉性还需增强"
    )
    assert titles["4.4"] == "进一步加强法治队伍建设"


def test_seed_bodies_are_the_whole_unit(db):
    import_report(SEED)

    found = obligations()
    assert found["1.1.1"].body.startswith("一是坚持学习有深度。坚持全面系统学")
    assert found["1.1.1"].body.endswith(
        "切实增强学习习近平法治思想、党的二十大报告和宪法的思想自觉和行动自觉。"
    )
    assert found["1.6"].body.startswith("(六)增强法治理论素养")
    assert found["1.6"].body.endswith("有效解决基层法治人才不足问题。")
    assert found["2.3"].body.endswith("以上率下实现各级党政主要负责人述法全覆盖。")
    assert found["4.4"].body == (
        "四是进一步加强法治队伍建设。增强各级领导干部、机关工作人员法治观念,"
        "全面提高行政执法人员依法办事能力,助力经济社会高质量发展。"
    )
    # The lead-in sentences of a chapter belong to no item.
    assert "重点做好以下工作" not in found["4.1"].body


def test_seed_kinds_follow_the_chapter_headings(db):
    import_report(SEED)

    kinds = {code: o.kind for code, o in obligations().items()}
    assert {kinds[c] for c in SEED_CODES if c.startswith(("1.", "2."))} == {"work_item"}
    assert {kinds[c] for c in SEED_CODES if c.startswith("3.")} == {"problem"}
    assert {kinds[c] for c in SEED_CODES if c.startswith("4.")} == {"task"}


def test_source_anchors_slice_exactly_the_body(db):
    import_report(SEED)

    source = Report.objects.get().source_text
    for obligation in Obligation.objects.all():
        start, end = obligation.source_start, obligation.source_end
        assert source[start:end] == obligation.body, obligation.code


# --- Variants of the seed ----------


@pytest.fixture
def seed_tree():
    return importing.parse_report(SEED_TEXT)


def test_gb18030_text_gives_the_same_tree(tmp_path, seed_tree):
    path = tmp_path / "report.txt"
    path.write_bytes(SEED_TEXT.encode("gb18030"))

    assert tree_summary(importing.parse_report_file(path)) == tree_summary(seed_tree)


def test_bom_crlf_and_full_width_indentation_give_the_same_text(tmp_path, seed_tree):
    indented = "\r\n".join(f"\u3000\u3000{line}" for line in SEED_TEXT.splitlines())
    path = tmp_path / "report.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (indented + "\r\n\r\n").encode("utf-8"))

    tree = importing.parse_report_file(path)

    assert tree_summary(tree) == tree_summary(seed_tree)
    assert tree.source_text == seed_tree.source_text


def test_full_width_parentheses_mark_groups_too(tmp_path, seed_tree):
    path = tmp_path / "report.txt"
    path.write_text(SEED_TEXT.replace("(", "（").replace(")", "）"), encoding="utf-8")

    tree = importing.parse_report_file(path)

    assert [code for code, _k, _t in tree_summary(tree)] == SEED_CODES
    assert [k for _c, k, _t in tree_summary(tree)] == [
        k for _c, k, _t in tree_summary(seed_tree)
    ]
    assert [s.code for s in tree.chapters[0].children][:2] == ["（一）", "（二）"]
    for _section, obligation in tree.obligations():
        start, end = obligation.source_start, obligation.source_end
        assert tree.source_text[start:end] == obligation.body


@pytest.mark.parametrize("separator", [".", "、"])
def test_numbered_lines_are_items_like_yi_shi(tmp_path, seed_tree, separator):
    text = SEED_TEXT
    for number, numeral in enumerate("一二三四五", start=1):
        text = text.replace(f"。{numeral}是", f"。\n{number}{separator}")
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")

    tree = importing.parse_report_file(path)

    assert tree_summary(tree) == tree_summary(seed_tree)
    first = next(o for _s, o in tree.obligations())
    assert first.body.startswith(f"1{separator}坚持学习有深度。")


def test_docx_gives_the_same_tree(tmp_path, seed_tree):
    path = write_docx(tmp_path / "report.docx", indent="\u3000\u3000")

    tree = importing.parse_report_file(path)

    assert tree_summary(tree) == tree_summary(seed_tree)
    assert tree.source_text == seed_tree.source_text


def test_docx_imports_through_the_command(db, tmp_path):
    path = write_docx(tmp_path / "report.docx")

    import_report(path)

    assert Obligation.objects.count() == 25


# --- The parser's rules, on small texts ----------


def test_words_containing_shi_are_not_item_markers():
    tree = importing.parse_report(
        "某县2022年法治政府建设情况报告\n一、工作开展情况\n"
        "(一)统筹推进。统一是关键,也是前提。一是建立机制。内容甲。二是完善制度。内容乙。"
    )

    assert [(o.code, o.title) for _s, o in tree.obligations()] == [
        ("1.1.1", "建立机制"),
        ("1.1.2", "完善制度"),
    ]


def test_a_lone_yi_shi_without_er_shi_is_not_a_list():
    tree = importing.parse_report(
        "某县2022年法治政府建设情况报告\n一、工作开展情况\n(一)统筹推进。一是关键。其余内容。"
    )

    assert [o.code for _s, o in tree.obligations()] == ["1.1"]


def test_a_chapter_without_groups_or_items_is_one_obligation():
    tree = importing.parse_report(
        "某县2022年法治政府建设情况报告\n一、工作开展情况\n全年推进依法行政。\n"
        "二、存在的不足\n执法能力不够。"
    )

    assert [(o.code, o.kind) for _s, o in tree.obligations()] == [
        ("1", "work_item"),
        ("2", "problem"),
    ]
    first = next(o for _s, o in tree.obligations())
    assert first.body == "一、工作开展情况\n全年推进依法行政。"


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("存在的问题", "problem"),
        ("工作中的不足", "problem"),
        ("2023年工作安排", "task"),
        ("2023年工作打算", "task"),
        ("下一步工作计划", "task"),
        ("2023年重点工作", "task"),
        ("2022年重点工作", "work_item"),
        ("党政主要负责人履行推进法治建设第一责任人职责情况", "work_item"),
    ],
)
def test_kind_follows_the_chapter_heading(heading, kind):
    tree = importing.parse_report(
        f"某县2022年法治政府建设情况报告\n一、{heading}\n一是甲。内容。二是乙。内容。"
    )

    assert {o.kind for _s, o in tree.obligations()} == {kind}


# --- Bad input ----------

# name: (content, what the English message says, what the Chinese one says)
BAD_INPUTS = {
    "missing": (None, "File not found", "找不到文件"),
    "empty": (b"", "empty", "文件为空"),
    "binary": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "Binary",
        "二进制文件",
    ),
    "undecodable": (
        "巫溪县".encode() + b"\xff\xfe\xfd\x80" * 10,
        "Cannot decode",
        "无法按 UTF-8 或 GB18030 解码",
    ),
    "no structure": (
        "巫溪县2022年法治政府建设情况报告\n全年工作平稳推进,没有编号。\n".encode(),
        "No recognisable structure",
        "无法识别结构",
    ),
}


def bad_file(tmp_path, name):
    content = BAD_INPUTS[name][0]
    path = tmp_path / "report.txt"
    if content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_with_the_problem_named_and_nothing_written(
    db, tmp_path, name, english
):
    path = bad_file(tmp_path, name)

    with pytest.raises(CommandError) as error:
        import_report(path)

    assert BAD_INPUTS[name][1] in str(error.value)
    assert "\n" not in str(error.value)
    assert not Report.objects.exists()
    assert not Obligation.objects.exists()


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_exits_non_zero_with_one_line_in_chinese_on_stderr(tmp_path, name):
    path = bad_file(tmp_path, name)
    # A database file that must never come to exist: bad input stops before any
    # query, so nothing can have been written.
    database = tmp_path / "never.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}

    completed = subprocess.run(
        [sys.executable, "manage.py", "import_report", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert completed.returncode != 0
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert BAD_INPUTS[name][2] in lines[0]  # the operator's language (LANGUAGE_CODE)
    assert not database.exists()


def test_a_link_to_an_unknown_problem_writes_nothing(db, tmp_path):
    links = tmp_path / "links.json"
    links.write_text(
        '{"links": [{"task": "4.1", "problem": "9.9", "why": "typo"}]}',
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="9.9"):
        import_report(SEED, "--links", links)

    assert not Report.objects.exists()


def test_a_link_without_a_reason_is_refused(db, tmp_path):
    links = tmp_path / "links.json"
    links.write_text('{"links": [{"task": "4.1", "problem": "3.1"}]}', encoding="utf-8")

    with pytest.raises(CommandError, match="why"):
        import_report(SEED, "--links", links)

    assert not Report.objects.exists()


# --- Options ----------


def test_dry_run_prints_the_tree_and_writes_nothing(db):
    output = import_report(SEED, "--dry-run")

    for code in SEED_CODES:
        assert code in output
    assert "存在问题" in output and "下一步任务" in output
    assert "进一步加强法治队伍建设" in output
    assert "工作事项 18 项，存在问题 3 项，下一步任务 4 项" in output
    assert "试运行：未写入任何内容。" in output
    assert not Report.objects.exists()
    assert not Section.objects.exists()


def test_the_import_is_reported_in_chinese(db):
    output = import_report(SEED)

    assert output.splitlines()[0] == (
        "已导入《巫溪县2022年法治政府建设情况报告》（巫溪县 2022）"
    )
    assert "新增：25 项 1.1.1 1.1.2" in output
    assert "不再出现：0 项" in output
    assert not [word for word in ("created", "missing", "Imported") if word in output]


def test_organization_and_year_can_be_overridden(db):
    import_report(SEED, "--organization", "大宁县", "--year", "2021")

    report = Report.objects.get()
    assert (report.organization, report.year) == ("大宁县", 2021)
    assert Obligation.objects.filter(report=report).count() == 25


def test_links_file_connects_tasks_to_the_problems_they_address(db):
    output = import_report(SEED, "--links", LINKS)

    assert "新增关联：6 条" in output
    task = Obligation.objects.get(code="4.4")
    assert sorted(task.addresses.values_list("code", flat=True)) == [
        "3.1",
        "3.2",
        "3.3",
    ]


def test_user_option_records_the_importer_in_history_and_timeline(db, tracker_admin):
    import_report(SEED, "--user", tracker_admin.username)

    obligation = Obligation.objects.get(code="1.1.1")
    assert obligation.history.get().history_user == tracker_admin
    entry = ProgressUpdate.objects.get(obligation=obligation)
    assert (entry.author, entry.action) == (tracker_admin, ProgressUpdate.Action.IMPORT)


def test_unknown_user_is_refused_before_writing(db, english):
    with pytest.raises(CommandError, match="No such user"):
        import_report(SEED, "--user", "nobody")

    assert not Report.objects.exists()


# --- Re-import ----------


def test_reimport_updates_text_adds_units_and_keeps_everyones_work(
    db, tmp_path, staff_a, department_a
):
    import_report(SEED)
    worked_on = Obligation.objects.get(code="1.1.1")
    Obligation.objects.filter(pk=worked_on.pk).update(
        status=Obligation.Status.IN_PROGRESS,
        owner=staff_a,
        department=department_a,
        due_date=datetime.date(2023, 6, 30),
        supervision_level=Obligation.SupervisionLevel.YELLOW,
    )
    Evidence.objects.create(
        obligation=worked_on,
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        original_name="会议纪要.pdf",
        size=16,
        sha256="0" * 64,
        content_type="application/pdf",
        uploaded_by=staff_a,
    )
    ProgressUpdate.objects.create(
        obligation=worked_on, author=staff_a, text="已开学习会"
    )
    revised = (
        SEED_TEXT.replace("一是坚持学习有深度。", "一是坚持学习有深度和温度。")
        .replace(
            "三是督促负责人出庭应诉。建立行政机关负责人出庭应诉信息共享和工作通报制度,"
            "推动行政机关负责人出庭应诉常态化、制度化、规范化。",
            "",
        )
        .rstrip()
        + "五是进一步加强数字法治建设。推进执法数据互联互通。\n"
    )
    path = tmp_path / "revised.txt"
    path.write_text(revised, encoding="utf-8")

    output = import_report(path)

    updated = next(line for line in output.splitlines() if line.startswith("更新："))
    assert "1.1.1" in updated.split()
    assert "新增：1 项 4.5" in output
    assert "不再出现：1 项 1.5.3（报告正文中已没有；保留，未删除）" in output
    after = Obligation.objects.get(code="1.1.1")
    assert after.pk == worked_on.pk
    assert after.title == "坚持学习有深度和温度"
    assert after.status == Obligation.Status.IN_PROGRESS
    assert (after.owner, after.department) == (staff_a, department_a)
    assert after.due_date == datetime.date(2023, 6, 30)
    assert after.supervision_level == Obligation.SupervisionLevel.YELLOW
    assert after.evidence.count() == 1
    assert after.updates.filter(text="已开学习会").exists()
    # The unit that disappeared is kept; the new one exists; anchors follow the text.
    assert Obligation.objects.filter(code="1.5.3").exists()
    assert Obligation.objects.get(code="4.5").kind == "task"
    report = Report.objects.get()
    assert report.source_text.startswith("巫溪县2022年")
    for obligation in Obligation.objects.exclude(code="1.5.3"):
        start, end = obligation.source_start, obligation.source_end
        assert report.source_text[start:end] == obligation.body, obligation.code


def test_reimport_of_the_same_text_changes_nothing(db):
    import_report(SEED)

    output = import_report(SEED)

    assert "未变：25 项" in output
    assert "新增：0 项\n" in output
    assert Report.objects.count() == 1
    assert Obligation.objects.count() == 25
