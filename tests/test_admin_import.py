"""The admin's "Import a report" page: preview writes nothing, import writes through
report_import with the admin as author, bad files are refused with the reason."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.job_helpers import job_page, start_job
from tests.pages import parse, text
from tests.pdf_files import printed_pages, scanned_pdf, text_pdf
from tests.seed_report import SEED_TEXT, write_docx
from tests.test_importer_reports import DATA, WUSHAN
from tracker import forms
from tracker.models import Obligation, ProgressUpdate, Report, Section
from tracker.services.workflow import obligation_assign, obligation_transition

URL = reverse("admin:tracker_report_import")

# The seed report without its 1.5.3 (三是督促负责人出庭应诉…) and with 1.1.1 reworded.
REVISED_TEXT = SEED_TEXT.replace(
    "一是坚持学习有深度。", "一是坚持学习有深度和温度。"
).replace(
    "三是督促负责人出庭应诉。建立行政机关负责人出庭应诉信息共享和工作通报制度,"
    "推动行政机关负责人出庭应诉常态化、制度化、规范化。",
    "",
)

BAD_FILES = {
    "empty": ("report.txt", b"", "The file is empty: report.txt"),
    "binary": (
        "report.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "Binary file, not a text report",
    ),
    "undecodable": (
        "report.txt",
        "巫溪县".encode() + b"\xff\xfe\xfd\x80" * 10,
        "Cannot decode the text as UTF-8 or GB18030",
    ),
    "no structure": (
        "report.txt",
        "巫溪县2022年法治政府建设情况报告\n全年工作平稳推进,没有编号。\n".encode(),
        "No recognisable structure",
    ),
    "wrong type": ("report.odt", b"PK\x03\x04", "File extension"),
    "broken pdf": ("report.pdf", b"%PDF-1.4\n%%EOF\n", "Not a readable PDF file"),
    "old word": (
        "report.doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "File extension",
    ),
    "broken docx": ("report.docx", b"PK\x03\x04 not really a zip", "docx"),
}


def upload(text, name="report.txt"):
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content)


def post(client, button, text=SEED_TEXT, name="report.txt", follow=False, **fields):
    """Preview or import a file as the admin does. A .html/.pdf/.docx is read by
    the worker (a job): then the job's page, if it refused the file; else its
    "Show the preview" (or the preview's Import) with the draft it kept."""
    data = {"file": upload(text, name), button: "1", **fields}
    if not read_by_worker(name):
        return client.post(URL, data, follow=follow)
    job = start_job(client, URL, data)
    if job.status != "done":
        return job_page(client, job)
    kept = {"draft": job.outcome["draft"], button: "1"}
    return client.post(URL, {**fields, **kept}, follow=follow)


def read_by_worker(name):
    return Path(name).suffix.lower() in forms.READ_BY_WORKER


def test_import_page_loads_for_a_superuser_and_is_linked_from_the_changelist(
    tracker_admin_client,
):
    changelist = tracker_admin_client.get(reverse("admin:tracker_report_changelist"))

    assert changelist.status_code == 200
    assert f'href="{URL}"' in changelist.content.decode()
    page = tracker_admin_client.get(URL)
    assert page.status_code == 200
    assert b"Import a report" in page.content
    assert b'name="preview"' in page.content and b'name="import"' in page.content


def test_staff_user_without_add_report_permission_gets_403(client, supervisor):
    supervisor.is_staff = True  # may open the admin, may not add reports
    supervisor.save()
    client.force_login(supervisor)

    assert client.get(URL).status_code == 403
    assert post(client, "import").status_code == 403
    assert not Report.objects.exists()


def test_changelist_does_not_link_the_import_page_for_a_staff_user_without_permission(
    client, supervisor
):
    supervisor.is_staff = True
    supervisor.save()
    supervisor.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(supervisor)

    page = client.get(reverse("admin:tracker_report_changelist"))

    assert page.status_code == 200
    assert f'href="{URL}"' not in page.content.decode()


def test_user_who_is_not_admin_staff_is_sent_to_the_admin_login(client, staff_a):
    client.force_login(staff_a)

    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_preview_shows_the_tree_and_writes_nothing(tracker_admin_client):
    response = post(tracker_admin_client, "preview")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Work item: 18; Problem: 3; Next-year task: 4" in page
    assert "Not imported yet" in page
    cells = [text(cell) for cell in parse(page).iter("td")]
    for code in ("1.1.1", "1.2.2", "1.6", "2.3", "3.3", "4.4"):
        assert code in cells
    assert "坚持学习有深度" in page
    assert cells.count("new") == 25
    assert not Report.objects.exists()
    assert not Section.objects.exists()
    assert not Obligation.objects.exists()


def test_import_creates_the_report_with_the_admin_as_author(
    tracker_admin_client, tracker_admin
):
    response = post(tracker_admin_client, "import")

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:tracker_report_change", args=[report.pk]
    )
    assert (report.organization, report.year) == ("巫溪县", 2022)
    kinds = list(Obligation.objects.values_list("kind", flat=True))
    assert [kinds.count(k) for k in ("work_item", "problem", "task")] == [18, 3, 4]
    obligation = Obligation.objects.get(code="1.1.1")
    assert obligation.history.get().history_user == tracker_admin
    assert ProgressUpdate.objects.filter(author=tracker_admin).count() == 25
    message = tracker_admin_client.get(response["Location"]).content.decode()
    assert "Report imported: 25 created, 0 updated, 0 unchanged, 0 missing." in message


def test_reimport_of_a_changed_text_keeps_status_and_owner_and_reports_changes(
    tracker_admin_client, tracker_admin, staff_a, department_a
):
    post(tracker_admin_client, "import")
    worked_on = Obligation.objects.get(code="1.1.1")
    obligation_assign(
        obligation=worked_on, user=tracker_admin, department=department_a, owner=staff_a
    )
    obligation_transition(
        obligation=worked_on, user=staff_a, to_status=Obligation.Status.IN_PROGRESS
    )

    preview = post(tracker_admin_client, "preview", REVISED_TEXT).content.decode()
    response = post(tracker_admin_client, "import", REVISED_TEXT, follow=True)

    assert "Importing would create 0, update" in preview
    assert "Missing: 1.5.3" in preview
    assert response.status_code == 200
    message = response.content.decode()
    assert "Report imported: 0 created," in message
    assert "1 missing." in message
    after = Obligation.objects.get(code="1.1.1")
    assert after.title == "坚持学习有深度和温度"
    assert after.status == Obligation.Status.IN_PROGRESS
    assert (after.owner, after.department) == (staff_a, department_a)
    assert Report.objects.count() == 1
    assert Obligation.objects.filter(code="1.5.3").exists()


def test_preview_and_import_agree_that_a_moved_obligation_is_updated(
    tracker_admin_client,
):
    post(tracker_admin_client, "import")
    moved = Obligation.objects.get(code="1.1.1")
    elsewhere = Section.objects.exclude(pk=moved.section_id).first()
    Obligation.objects.filter(pk=moved.pk).update(section=elsewhere)

    preview = post(tracker_admin_client, "preview").content.decode()
    response = post(tracker_admin_client, "import", follow=True)

    assert "Importing would create 0, update 1 and leave 24 unchanged" in preview
    assert "Report imported: 0 created, 1 updated, 24 unchanged" in (
        response.content.decode()
    )
    assert Obligation.objects.get(code="1.1.1").section_id == moved.section_id


@pytest.mark.parametrize("button", ["preview", "import"])
@pytest.mark.parametrize("bad", BAD_FILES, ids=str)
def test_bad_file_is_refused_with_the_reason_and_nothing_is_written(
    tracker_admin_client, bad, button
):
    name, content, reason = BAD_FILES[bad]

    response = post(tracker_admin_client, button, content, name)

    # The worker's refusal is on the job's page; the page's own, a form error.
    assert response.status_code == (200 if read_by_worker(name) else 400)
    assert reason in response.content.decode()
    assert not Report.objects.exists()
    assert not Obligation.objects.exists()


def test_report_without_organization_and_year_needs_them_from_the_form(
    tracker_admin_client,
):
    untitled = SEED_TEXT.split("\n", 1)[1]

    refused = post(tracker_admin_client, "import", untitled)
    accepted = post(
        tracker_admin_client, "import", untitled, organization="大宁县", year=2022
    )

    assert refused.status_code == 400
    assert "does not name its organization and year" in refused.content.decode()
    assert accepted.status_code == 302
    assert Report.objects.get().organization == "大宁县"


def test_docx_upload_imports(tracker_admin_client, tmp_path):
    path = write_docx(tmp_path / "report.docx")

    response = post(tracker_admin_client, "import", path.read_bytes(), "report.docx")

    assert response.status_code == 302
    assert Obligation.objects.count() == 25
    assert Report.objects.get().organization == "巫溪县"


# --- Web pages and PDFs, and what the page cannot read in time ---------------------


def test_gbk_web_page_upload_previews_its_article(tracker_admin_client):
    page = (DATA / "fengjie-2023-report-gbk.html").read_bytes()

    response = post(tracker_admin_client, "preview", page, "report.html")

    assert response.status_code == 200
    content = response.content.decode()
    assert "依法全面履行政府职能" in content
    assert "分享到" not in content
    assert not Report.objects.exists()


def test_text_pdf_upload_imports(tracker_admin_client):
    pdf = text_pdf(printed_pages(WUSHAN))

    response = post(tracker_admin_client, "import", pdf, "巫山县.pdf")

    assert response.status_code == 302
    assert Report.objects.get().organization == "巫山县"
    assert Obligation.objects.filter(kind="task").count() == 3


def test_a_pdf_printed_from_the_countys_web_page_imports(tracker_admin_client):
    pdf = (DATA / "qinghe-2024-report-printed.pdf").read_bytes()

    response = post(tracker_admin_client, "import", pdf, "清河县.pdf")

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.organization, report.year) == ("清河县", 2024)
    assert Obligation.objects.filter(kind="problem").count() == 3
    assert "清河县人民政府关于2024年度" in report.source_text
    assert "⼈" not in report.source_text and "当前位置" not in report.source_text
    assert Obligation.objects.get(code="2.1").title == (
        "部分乡镇法治机构力量薄弱，专职法制审核人员不足"
    )


def test_scanned_pdf_upload_is_refused_as_needing_ocr(tracker_admin_client):
    response = post(tracker_admin_client, "preview", scanned_pdf(), "scan.pdf")

    assert response.status_code == 200
    assert 'id="job-error"' in response.content.decode()
    assert "it must be OCR&#x27;d or typed" in response.content.decode()


def test_a_report_not_read_in_time_is_refused_with_a_message(
    tracker_admin_client, monkeypatch
):
    monkeypatch.setattr(forms, "REPORT_READ_SECONDS", -1)

    response = post(tracker_admin_client, "preview")

    assert response.status_code == 400
    assert "took too long to read here" in response.content.decode()
    assert "manage.py import_report" in response.content.decode()


def test_a_file_above_5_mb_is_refused_unread(tracker_admin_client):
    response = post(tracker_admin_client, "preview", b"x" * (5 * 1024 * 1024 + 1))

    assert response.status_code == 400
    assert "The file is larger than 5 MB." in response.content.decode()


def test_a_report_of_more_units_than_the_page_can_preview_is_refused(
    tracker_admin_client, monkeypatch
):
    monkeypatch.setattr(forms, "REPORT_MAX_OBLIGATIONS", 24)

    response = post(tracker_admin_client, "preview")  # the seed: 25 obligations

    assert response.status_code == 400
    assert "The report has 25 numbered units, more than the 24" in (
        response.content.decode()
    )
