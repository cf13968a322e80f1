"""``manage.py draft_report``: the Word draft of next year's report, read back with
python-docx as its writer would open it."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.document_helpers import (
    PDF_HASH_PREFIX,
    draft_report_data,
    paragraphs,
    read,
)
from tests.factories import ObligationFactory, ReportFactory
from tracker.models import Obligation, ProgressUpdate
from tracker.officialdoc import east_asia_font
from tracker.services.followups import followup_confirm

CHAPTERS = [
    "一、工作开展情况",
    "二、党政主要负责人履行推进法治建设第一责任人职责情况",
    "三、存在的问题",
    "四、下一步工作",
]


@pytest.fixture
def data(db, department_a, staff_a):
    return draft_report_data(department_a, staff_a)


def _draft(data, tmp_path):
    output = tmp_path / "draft.docx"
    call_command("draft_report", data.report.pk, "--output", str(output))
    return paragraphs(output.read_bytes())


def test_draft_has_the_genres_four_chapters_in_order(data, tmp_path):
    text = _draft(data, tmp_path)

    assert [p for p in text if p in CHAPTERS] == CHAPTERS
    assert text[0] == "测试县2023年法治政府建设情况报告"


def test_draft_says_it_is_a_starting_point_to_edit(data, tmp_path):
    note = _draft(data, tmp_path)[1]

    assert "起点" in note and "删除本说明" in note


def test_finished_item_cites_its_evidence_file_and_hash_prefix(data, tmp_path):
    text = _draft(data, tmp_path)

    paragraph = next(p for p in text if "规范重大行政决策程序" in p)
    assert paragraph.startswith("一是规范重大行政决策程序。")
    # The progress note, on one line, then the evidence it rests on.
    assert "出台重大行政决策程序规定， 审核决策事项12件。" in paragraph
    assert paragraph.endswith(f"（佐证：重大决策目录.pdf [{PDF_HASH_PREFIX}]）")
    evidence = data.documented.evidence.get()
    assert evidence.sha256.startswith(PDF_HASH_PREFIX)


def test_finished_item_without_evidence_is_marked(data, tmp_path):
    text = _draft(data, tmp_path)

    paragraph = next(p for p in text if "严格管理规范性文件" in p)
    assert paragraph == "二是严格管理规范性文件。【待补充】【待补充佐证】"


def test_finished_work_is_grouped_as_the_report_is(data, tmp_path):
    text = _draft(data, tmp_path)
    chapter_one = text[text.index(CHAPTERS[0]) : text.index(CHAPTERS[1])]

    assert "（一）深入推进依法行政,加快建设法治政府" in chapter_one
    assert "（二）落实2023年工作安排" in chapter_one
    assert any(p.startswith("一是进一步加强公共法律服务。") for p in chapter_one)
    # Not finished: not reported as done.
    assert not any("强化行政执法效能" in p for p in chapter_one)


def test_leaders_chapter_has_placeholders_and_its_finished_item(data, tmp_path):
    text = _draft(data, tmp_path)
    chapter_two = text[text.index(CHAPTERS[1]) : text.index(CHAPTERS[2])]

    assert chapter_two[1].startswith("【") and chapter_two[1].endswith("】")
    assert "（一）带头谋划推动" in chapter_two
    assert "一是带头谋划推动。【待补充】【待补充佐证】" in chapter_two


def test_problems_name_overdue_items_and_unremedied_problems(data, tmp_path):
    text = _draft(data, tmp_path)
    chapter_three = "\n".join(text[text.index(CHAPTERS[2]) : text.index(CHAPTERS[3])])

    due = data.overdue.due_date
    assert (
        f"“强化行政执法效能”尚未办结（推进中，{due.year}年{due.month}月{due.day}日"
        "到期，已逾期，责任单位：县司法局）。"
    ) in chapter_three
    assert (
        "执法队伍素质能力有待进一步加强（2022年报告所列问题，其整改任务"
        "“4.1 进一步加强法治队伍建设”尚未完成）"
    ) in chapter_three
    assert "规范重大行政决策程序" not in chapter_three


def test_next_steps_carry_over_the_unfinished_tasks(data, tmp_path):
    text = _draft(data, tmp_path)
    chapter_four = text[text.index(CHAPTERS[3]) :]

    assert (
        "一是进一步加强法治队伍建设。（2023年度任务结转，当前：推进中）" in chapter_four
    )
    assert not any("进一步加强公共法律服务" in p for p in chapter_four)


def test_report_without_a_finished_item_is_refused_and_nothing_written(
    db, department_a, tmp_path
):
    obligation = ObligationFactory(department=department_a)
    output = tmp_path / "draft.docx"

    with pytest.raises(CommandError, match="尚无已办结的事项"):
        call_command("draft_report", obligation.report_id, "--output", str(output))

    assert not output.exists()


def test_the_command_says_what_it_wrote_in_the_interfaces_language(data, tmp_path):
    # archive_report and every refusal speak Chinese; the success line was English.
    out = io.StringIO()
    output = tmp_path / "draft.docx"

    call_command("draft_report", data.report.pk, "--output", str(output), stdout=out)

    assert f"已写入 {output}" in out.getvalue()
    assert data.report.title in out.getvalue()


def test_an_existing_file_is_never_overwritten(data, tmp_path):
    # The draft is written to be edited: running the command again on the same
    # name used to replace the writer's edits without a word.
    output = tmp_path / "draft.docx"
    output.write_bytes(b"edited by the writer")

    with pytest.raises(CommandError, match="already exists|已存在"):
        call_command("draft_report", data.report.pk, "--output", str(output))

    assert output.read_bytes() == b"edited by the writer"


def test_unknown_report_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="999"):
        call_command("draft_report", 999, "--output", str(tmp_path / "d.docx"))


def test_draft_is_in_the_official_layout(data, tmp_path):
    output = tmp_path / "draft.docx"
    call_command("draft_report", data.report.pk, "--output", str(output))

    document = read(output.read_bytes())
    title, *_ = document.paragraphs
    assert east_asia_font(title.runs[0]) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text.startswith("一是规范"))
    assert {east_asia_font(run) for run in body.runs} == {"仿宋_GB2312"}
    assert round(document.sections[0].page_width.mm) == 210


def test_finished_item_shows_its_rating(data, tmp_path):
    Obligation.objects.filter(pk=data.documented.pk).update(
        rating=Obligation.Rating.EXCELLENT
    )

    text = _draft(data, tmp_path)

    paragraph = next(p for p in text if "规范重大行政决策程序" in p)
    assert paragraph.endswith(f"[{PDF_HASH_PREFIX}]）（结果考评：优秀）")


def test_confirmed_follow_ups_across_years_are_named(data, supervisor, tmp_path):
    # The 2021 report named the same problem; the 2023 report took up the task.
    earlier_problem = ObligationFactory(
        report=ReportFactory(organization="测试县", year=2021),
        kind=Obligation.Kind.PROBLEM,
        code="3.2",
        title="执法人员能力不足",
    )
    followup_confirm(
        earlier=earlier_problem, later=data.problem, user=supervisor, reason="同一问题"
    )
    later_item = ObligationFactory(
        report=ReportFactory(organization="测试县", year=2023),
        code="1.4",
        title="开展执法人员轮训",
    )
    followup_confirm(
        earlier=data.unfinished_task, later=later_item, user=supervisor, reason="落实"
    )

    text = "\n".join(_draft(data, tmp_path))

    assert "（反复出现：2021年报告已指出“3.2 执法人员能力不足”）" in text
    assert (
        "一是进一步加强法治队伍建设。（2023年度任务结转，当前：推进中）"
        "（2023年报告中报告为“1.4 开展执法人员轮训”）"
    ) in text


def test_the_draft_holds_no_progress_note_not_chosen_as_report_wording(
    data, staff_a, tmp_path
):
    chatter = ["材料见附件；培训任务已完成，请审核", "已补充签到表"]
    for text in chatter:
        ProgressUpdate.objects.create(
            obligation=data.undocumented,
            author=staff_a,
            action=ProgressUpdate.Action.STATUS,
            from_status=Obligation.Status.IN_PROGRESS,
            to_status=Obligation.Status.SUBMITTED,
            text=text,
        )

    text = "\n".join(_draft(data, tmp_path))

    # Neither the undocumented item's notes nor the documented one's ("材料见附
    # 件，请审核。"); the documented item's chosen 报告用语 is there.
    for note in [*chatter, "材料见附件", "请审核"]:
        assert note not in text
    assert "出台重大行政决策程序规定， 审核决策事项12件。" in text


def test_a_finished_item_without_report_wording_is_marked_to_be_added(data, tmp_path):
    text = _draft(data, tmp_path)

    assert "二是严格管理规范性文件。【待补充】【待补充佐证】" in text


def test_unfinished_leaders_item_is_a_placeholder_not_a_problem(data, tmp_path):
    Obligation.objects.filter(pk=data.leader_item.pk).update(
        status=Obligation.Status.IN_PROGRESS
    )

    text = _draft(data, tmp_path)

    chapter_two = text[text.index(CHAPTERS[1]) : text.index(CHAPTERS[2])]
    assert "【待填写：带头谋划推动】" in chapter_two
    assert not any("带头谋划推动" in p for p in text[text.index(CHAPTERS[2]) :])
