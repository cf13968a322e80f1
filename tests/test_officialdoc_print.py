"""The Word documents as LibreOffice prints them (GB/T 9704-2012: 22 lines of 28
characters in the type area): converted to PDF by /usr/bin/soffice and read back
line by line. Skipped where LibreOffice is not installed."""

import shutil
import subprocess

import pypdf
import pytest
from django.core.management import call_command

from tests.document_helpers import draft_report_data
from tests.factories import ObligationFactory
from tracker.models import Obligation
from tracker.officialdoc import OfficialDocument

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")


def printed(docx_path, tmp_path):
    """Each page's printed lines (the page number "— N —" left out)."""
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    reader = pypdf.PdfReader(docx_path.with_suffix(".pdf"))
    return [
        [
            line
            for line in page.extract_text().splitlines()
            if line.strip() and not line.strip().startswith("—")
        ]
        for page in reader.pages
    ]


def _bare(line):
    return line.replace(" ", "")


def test_a_page_holds_22_lines_of_28_characters(tmp_path):
    document = OfficialDocument()
    for _number in range(15):
        # 56 characters: exactly two lines each.
        document.paragraph("法治政府建设推进" * 7, indent=False)
    path = tmp_path / "lines.docx"
    path.write_bytes(document.to_bytes())

    first, *_rest = printed(path, tmp_path)

    assert len(first) == 22
    assert [_bare(line) for line in first[:2]] == [
        "法治政府建设推进" * 3 + "法治政府",
        "建设推进" + "法治政府建设推进" * 3,
    ]
    assert all(len(_bare(line)) == 28 for line in first)


def test_the_draft_report_prints_22_body_lines_on_a_full_page(
    db, department_a, staff_a, tmp_path
):
    data = draft_report_data(department_a, staff_a)
    for number in range(40):
        ObligationFactory(
            report=data.report,
            section=data.documented.section,
            code=f"9.{number}",
            title=f"第{number}项工作持续深入推进并按期完成各项法治建设任务",
            department=department_a,
            status=Obligation.Status.DONE,
        )
    path = tmp_path / "draft.docx"
    call_command("draft_report", data.report.pk, "--output", str(path))

    pages = printed(path, tmp_path)

    assert len(pages) > 2
    full_pages = pages[1:-1]  # the first has the 2号 title, the last ends anywhere
    assert max(len(lines) for lines in full_pages) == 22
    assert all(len(lines) <= 22 for lines in pages)


def test_a_long_title_prints_broken_between_words(tmp_path):
    document = OfficialDocument()
    document.title("关于2026年度法治政府建设重点任务推进情况的通报")
    document.paragraph("正文。")
    path = tmp_path / "title.docx"
    path.write_bytes(document.to_bytes())

    (page,) = printed(path, tmp_path)

    assert [_bare(line) for line in page[:2]] == [
        "关于2026年度法治政府建设",
        "重点任务推进情况的通报",
    ]
