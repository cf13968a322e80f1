"""Journey: the Word documents. A supervisor downloads the draft of next year's
report from the report page (and is told why a report with nothing finished has
none); a supervisor approves work, opens the ranking and downloads the 通报."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tests.workflow_helpers import approve
from tracker.models import Obligation
from tracker.services.evidence import evidence_upload
from tracker.services.workflow import obligation_add_note, obligation_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Obligation.Status


def _submitted(report, section, department, staff, code, title):
    """Worked on the real way: started, a progress note, evidence, submitted."""
    obligation = ObligationFactory(
        report=report, section=section, department=department, code=code, title=title
    )
    obligation_transition(obligation=obligation, user=staff, to_status=S.IN_PROGRESS)
    obligation_add_note(obligation=obligation, user=staff, text="已印发实施")
    evidence_upload(
        obligation=obligation,
        user=staff,
        file=SimpleUploadedFile("实施方案.pdf", minimal_pdf(), "application/pdf"),
    )
    obligation_transition(
        obligation=obligation, user=staff, to_status=S.SUBMITTED, note="已召开部署会"
    )
    return obligation


def _paragraphs(download):
    with open(download.path(), "rb") as file:
        document = docx.Document(io.BytesIO(file.read()))
    return document, [p.text for p in document.paragraphs]


def test_supervisor_downloads_the_draft_of_next_years_report(
    page, supervisor, department_a, staff_a
):
    report = ReportFactory(organization="巫溪县", year=2022)
    work = SectionFactory(report=report, code="一", number=1, title="工作开展情况")
    group = SectionFactory(
        report=report, parent=work, code="(一)", number=1, title="推进依法行政"
    )
    done = _submitted(report, group, department_a, staff_a, "1.1.1", "完善决策程序")
    approve(
        done,
        supervisor,
        rating=Obligation.Rating.EXCELLENT,
        report_wording="已印发实施；已召开部署会",
    )
    empty = ReportFactory(organization="巫溪县", year=2021)
    ObligationFactory(report=empty, department=department_a)

    log_in(page, "supervisor")
    # A report with nothing finished: the page says why, no file.
    page.goto(empty.get_absolute_url())
    page.get_by_role("link", name="Draft next year's report (Word)").click()
    expect(page.locator(".messages")).to_contain_text("has no finished item yet")

    page.goto(report.get_absolute_url())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Draft next year's report (Word)").click()
    download = download_info.value
    assert (
        download.suggested_filename == "巫溪县2023年法治政府建设情况报告（草稿）.docx"
    )
    _document, text = _paragraphs(download)
    assert text[0] == "巫溪县2023年法治政府建设情况报告"
    for chapter in ("一、工作开展情况", "三、存在的问题", "四、下一步工作"):
        assert chapter in text
    evidence = done.evidence.get()
    assert (
        "一是完善决策程序。已印发实施；已召开部署会。"
        f"（佐证：实施方案.pdf [{evidence.sha256[:8]}]）（结果考评：优秀）"
    ) in text


def test_supervisor_approves_with_a_rating_ranks_and_downloads_the_circular(
    page, supervisor, department_a, department_b, staff_a
):
    report = ReportFactory(organization="巫溪县", year=2022)
    section = SectionFactory(report=report, code="一", number=1, title="工作开展情况")
    submitted = _submitted(report, section, department_a, staff_a, "1.1", "完善决策")
    ObligationFactory(
        report=report,
        section=section,
        department=department_b,
        code="1.2",
        title="规范“三项制度”执法",
        status=S.IN_PROGRESS,
        supervision_level=Obligation.SupervisionLevel.RED,
    )

    log_in(page, "supervisor")
    page.goto(submitted.get_absolute_url())
    rating = page.get_by_role("group", name="Rating of the result (when approving)")
    rating.get_by_role("radio", name="Excellent", exact=True).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_contain_text("rated “Excellent”")

    page.goto("/departments/")
    page.get_by_role("link", name="Department ranking and assessment").click()
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first).to_contain_text(department_a.name)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Circular (Word)").click()
    download = download_info.value
    assert download.suggested_filename == (
        "关于2023年度法治政府建设重点任务推进情况的通报.docx"
    )
    document, text = _paragraphs(download)
    # The 发文字号 placeholder, then the title broken between words.
    assert text[0].startswith("【发文机关代字】〔")
    assert text[1] == "关于2023年度法治政府建设\n重点任务推进情况的通报"
    assert any("考评为优秀1项" in paragraph for paragraph in text)
    assert f"{department_b.name}：“1.2 规范‘三项制度’执法”（红色督办）。" in text
    names = [row.cells[1].text for row in document.tables[0].rows[1:]]
    assert set(names) >= {department_a.name, department_b.name}
    assert len(names) == rows.count()
