"""Builders and readers for the Word documents' tests: a small report whose four
chapters each have something to say, and the .docx read back with python-docx."""

import hashlib
import io
from dataclasses import dataclass
from datetime import timedelta

import docx
from django.utils import timezone

from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tests.workflow_helpers import PDF, set_status, upload
from tracker.models import Obligation
from tracker.services.workflow import obligation_add_note

S = Obligation.Status
K = Obligation.Kind
# What the draft cites for the PDF the tests upload.
PDF_HASH_PREFIX = hashlib.sha256(PDF).hexdigest()[:8]


def paragraphs(content: bytes) -> list[str]:
    """The document's paragraphs' text, in order (tables left out)."""
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def read(content: bytes):
    return docx.Document(io.BytesIO(content))


@dataclass
class DraftData:
    report: object
    documented: Obligation  # done, with a note and an evidence file
    undocumented: Obligation  # done, no evidence
    overdue: Obligation  # in progress, past its due date
    leader_item: Obligation  # done, in the 第一责任人 chapter
    problem: Obligation  # remedied by the unfinished task
    unfinished_task: Obligation
    finished_task: Obligation


def draft_report_data(department, staff) -> DraftData:
    """A 2022 report in the genre's four chapters: two finished work items (one with
    evidence and a progress note, one without evidence), an overdue one, a finished
    leaders' item, a problem whose remedying task is unfinished, and a finished
    task."""
    report = ReportFactory(organization="测试县", year=2022)
    work = SectionFactory(report=report, code="一", number=1, title="工作开展情况")
    group = SectionFactory(
        report=report,
        parent=work,
        code="(一)",
        number=1,
        title="深入推进依法行政,加快建设法治政府",
    )
    leaders = SectionFactory(
        report=report,
        code="二",
        number=2,
        title="党政主要负责人履行推进法治建设第一责任人职责情况",
    )
    leaders_group = SectionFactory(
        report=report, parent=leaders, code="(一)", number=1, title="带头谋划推动"
    )
    problems = SectionFactory(report=report, code="三", number=3, title="存在的问题")
    tasks = SectionFactory(report=report, code="四", number=4, title="下一步工作思路")

    def make(code, title, section, kind=K.WORK_ITEM, status=S.NOT_STARTED, **extra):
        obligation = ObligationFactory(
            report=report,
            section=section,
            kind=kind,
            code=code,
            title=title,
            department=department,
            **extra,
        )
        return set_status(obligation, status)

    documented = make("1.1.1", "规范重大行政决策程序", group)
    # Workflow talk, which the draft never copies; the 报告用语 is what it says.
    obligation_add_note(obligation=documented, user=staff, text="材料见附件，请审核。")
    upload(documented, staff, name="重大决策目录.pdf")
    documented = set_status(documented, S.DONE)
    Obligation.objects.filter(pk=documented.pk).update(
        report_wording="出台重大行政决策程序规定，\n审核决策事项12件。"
    )
    documented.refresh_from_db()
    undocumented = make("1.1.2", "严格管理规范性文件", group, status=S.DONE)
    overdue = make(
        "1.1.3",
        "强化行政执法效能",
        group,
        status=S.IN_PROGRESS,
        due_date=timezone.localdate() - timedelta(days=5),
    )
    leader_item = make("2.1", "带头谋划推动", leaders_group, status=S.DONE)
    problem = make("3.1", "执法队伍素质能力有待进一步加强", problems, kind=K.PROBLEM)
    unfinished_task = make(
        "4.1", "进一步加强法治队伍建设", tasks, kind=K.TASK, status=S.IN_PROGRESS
    )
    unfinished_task.addresses.add(problem)
    finished_task = make(
        "4.2", "进一步加强公共法律服务", tasks, kind=K.TASK, status=S.DONE
    )
    return DraftData(
        report,
        documented,
        undocumented,
        overdue,
        leader_item,
        problem,
        unfinished_task,
        finished_task,
    )
