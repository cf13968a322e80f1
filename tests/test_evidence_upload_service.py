"""evidence_upload: what is accepted, what is refused (and leaves nothing behind)."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from tests.workflow_helpers import PDF, files_on_disk, upload
from tracker.models import Evidence, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.evidence import evidence_upload

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
PPTX = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
ODT = _zip(
    {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
)
ODS = _zip(
    {
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": "<x/>",
    }
)


pytestmark = pytest.mark.usefixtures("english")


def _assert_nothing_stored(obligation, media_root):
    assert Evidence.objects.count() == 0
    assert not obligation.updates.exists()
    assert files_on_disk(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("报告.pdf", PDF, "application/pdf"),
        ("照片.png", PNG, "image/png"),
        ("照片.jpg", JPEG, "image/jpeg"),
        ("照片.jpeg", JPEG, "image/jpeg"),
        ("旧文档.doc", OLE2, "application/msword"),
        ("旧表格.xls", OLE2, "application/vnd.ms-excel"),
        ("旧演示.ppt", OLE2, "application/vnd.ms-powerpoint"),
        (
            "文档.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "表格.xlsx",
            XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "演示.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("文档.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("表格.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("说明.txt", "已完成整改。\n".encode(), "text/plain; charset=utf-8"),
        ("说明.txt", "已完成整改。\n".encode("gb18030"), "text/plain; charset=gb18030"),
    ],
)
def test_allowed_type_with_matching_content_is_stored(
    obligation, staff_a, _media_root, name, content, content_type
):
    evidence = upload(obligation, staff_a, name, content, note="第一批")

    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == staff_a
    with evidence.file.open("rb") as stored:
        assert stored.read() == content
    update = obligation.updates.get()
    assert (update.action, update.evidence, update.author, update.text) == (
        ProgressUpdate.Action.EVIDENCE_UPLOAD,
        evidence,
        staff_a,
        "第一批",
    )
    assert evidence.history.get().history_user == staff_a


def test_stored_under_generated_name_inside_media_root(
    obligation, staff_a, _media_root
):
    evidence = upload(obligation, staff_a, "报告.pdf", PDF)

    (path,) = files_on_disk(_media_root)
    assert path.is_relative_to(_media_root / "evidence")
    assert "报告" not in path.name
    assert path.suffix == ".pdf"
    assert evidence.file.name == path.relative_to(_media_root).as_posix()


def test_upper_case_extension_is_accepted_when_content_matches(obligation, staff_a):
    evidence = upload(obligation, staff_a, "REPORT.PDF", PDF)

    assert evidence.original_name == "REPORT.PDF"
    assert evidence.content_type == "application/pdf"


def test_png_that_is_also_html_is_accepted_as_png(obligation, staff_a):
    evidence = upload(obligation, staff_a, "poly.png", PNG + HTML)

    assert evidence.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", HTML, "not a .pdf file"),
        ("报告.pdf", EXE, "not a .pdf file"),
        ("a.pdf.exe", PDF, "not accepted"),
        ("a.exe", EXE, "not accepted"),
        ("a.html", HTML, "not accepted"),
        ("noextension", PDF, "not accepted"),
        ("../../etc/passwd", b"root:x:0:0", "not accepted"),
        ("..\\x", PDF, "not accepted"),
        ("照片.png", JPEG, "not a .png file"),
        ("照片.jpg", PNG, "not a .jpg file"),
        ("旧文档.doc", PDF, "not a .doc file"),
        ("文档.docx", XLSX, "not a .docx file"),
        ("文档.docx", _zip({"word/document.xml": "<x/>"}), "not a .docx file"),
        ("文档.docx", OLE2, "not a .docx file"),
        ("表格.ods", ODT, "not a .ods file"),
        ("页面.txt", b"  \n<html><body>x</body></html>", "not a .txt file"),
        ("脚本.txt", b"hello <SCRIPT>alert(1)</SCRIPT>", "not a .txt file"),
        ("空字节.txt", b"abc\x00def", "not a .txt file"),
        ("二进制.txt", b"\xff\xfe\xfd\x80\x81", "not a .txt file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_upload_is_refused_and_nothing_stored(
    obligation, staff_a, _media_root, name, content, message
):
    with pytest.raises(ServiceError, match=message):
        upload(obligation, staff_a, name, content)

    _assert_nothing_stored(obligation, _media_root)


def test_missing_file_is_refused(obligation, staff_a, _media_root):
    with pytest.raises(ServiceError, match="Choose a file"):
        evidence_upload(obligation=obligation, user=staff_a, file=None)

    _assert_nothing_stored(obligation, _media_root)


def test_file_of_exactly_the_maximum_size_is_accepted(obligation, staff_a, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    content = PDF + b"0" * (1000 - len(PDF))

    evidence = upload(obligation, staff_a, "max.pdf", content)

    assert evidence.size == 1000


def test_file_one_byte_over_the_maximum_is_refused(
    obligation, staff_a, settings, _media_root
):
    settings.EVIDENCE_MAX_BYTES = 1000
    content = PDF + b"0" * (1001 - len(PDF))

    with pytest.raises(ServiceError, match="too large"):
        upload(obligation, staff_a, "max.pdf", content)

    _assert_nothing_stored(obligation, _media_root)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/报告.pdf", "报告.pdf"),
        ("..\\..\\windows\\报告.pdf", "报告.pdf"),
        ("C:\\Users\\张三\\桌面\\报告.pdf", "报告.pdf"),
        ("报\x00告.pdf", "报告.pdf"),
        ("报\x07告\x1b\r\n.pdf", "报告.pdf"),
        # A right-to-left override would display "报告fdp.exe" as "报告exe.pdf".
        ("报告\u202efdp.pdf", "报告fdp.pdf"),
    ],
)
def test_odd_names_are_sanitised_for_display(
    obligation, staff_a, _media_root, name, shown
):
    evidence = upload(obligation, staff_a, name, PDF)

    assert evidence.original_name == shown
    (path,) = files_on_disk(_media_root)
    assert path.is_relative_to(_media_root / "evidence")


def test_300_character_chinese_name_is_capped_keeping_the_extension(
    obligation, staff_a
):
    evidence = upload(obligation, staff_a, "长" * 300 + ".pdf", PDF)

    assert len(evidence.original_name) == 255
    assert evidence.original_name == "长" * 251 + ".pdf"


def test_staff_of_another_department_may_not_upload(obligation, staff_b, _media_root):
    with pytest.raises(PermissionDenied):
        upload(obligation, staff_b, "报告.pdf", PDF)

    _assert_nothing_stored(obligation, _media_root)


def test_supervisor_may_not_upload(obligation, supervisor, _media_root):
    with pytest.raises(PermissionDenied):
        upload(obligation, supervisor, "报告.pdf", PDF)

    _assert_nothing_stored(obligation, _media_root)


def test_admin_may_upload(obligation, tracker_admin):
    evidence = upload(obligation, tracker_admin, "报告.pdf", PDF)

    assert evidence.uploaded_by == tracker_admin


def test_database_error_after_the_file_was_written_leaves_no_file(
    obligation, staff_a, _media_root, monkeypatch
):
    def broken_create(**kwargs):
        assert files_on_disk(_media_root), "the file should be written by now"
        raise RuntimeError("database went away")

    monkeypatch.setattr(ProgressUpdate.objects, "create", broken_create)

    with pytest.raises(RuntimeError):
        upload(obligation, staff_a, "报告.pdf", PDF)

    monkeypatch.undo()
    _assert_nothing_stored(obligation, _media_root)
