"""Evidence over HTTP: upload (POST /obligations/<pk>/evidence/), withdraw
(POST /evidence/<pk>/withdraw/) and the permission-checked download."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import in_english
from tests.pages import description, errors, form, parse, struck_through
from tests.workflow_helpers import PDF, files_on_disk, upload
from tracker.models import Evidence, ProgressUpdate

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
# Starts as a PNG, and a browser sniffing it would find a page with a script.
PNG_HTML = PNG + b"<html><body><script>alert(document.cookie)</script></body></html>"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def _upload_url(obligation):
    return reverse("tracker:evidence_upload", args=[obligation.pk])


def _download_url(evidence):
    return reverse("tracker:evidence_download", args=[evidence.pk])


def _withdraw_url(evidence):
    return reverse("tracker:evidence_withdraw", args=[evidence.pk])


def test_upload_stores_the_file_and_says_so(client, obligation, staff_a, _media_root):
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation),
        {"file": SimpleUploadedFile("整改报告.pdf", PDF), "note": "第一批"},
    )
    assert response.status_code == 302
    assert response["Location"] == obligation.get_absolute_url()
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.note) == ("整改报告.pdf", "第一批")
    assert evidence.uploaded_by == staff_a
    assert len(files_on_disk(_media_root)) == 1
    page = in_english(client).get(response["Location"]).content.decode()
    assert "Evidence “整改报告.pdf” uploaded." in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("程序.pdf", EXE, "not a .pdf file"),
        ("网页.pdf", HTML, "not a .pdf file"),
        ("报告.pdf.exe", EXE, "not accepted"),
        ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", "not accepted"),
        ("..\\x", PDF, "not accepted"),
        ("空文件.pdf", b"", "The submitted file is empty."),
    ],
    ids=[
        "exe-as-pdf",
        "html-as-pdf",
        "double-extension",
        "traversal",
        "backslash",
        "empty",
    ],
)
def test_bad_upload_is_400_with_the_reason_and_nothing_stored(
    client, obligation, staff_a, _media_root, name, content, message
):
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    # Said with the form (a refusal by the service) or with the file field.
    announced = description(form(response, _upload_url(obligation))) + " ".join(
        errors(response, "evidence-file")
    )
    assert message in announced
    assert Evidence.objects.count() == 0
    assert not ProgressUpdate.objects.exists()
    assert files_on_disk(_media_root) == []


def test_upload_without_a_file_is_400(client, obligation, staff_a, _media_root):
    client.force_login(staff_a)
    response = in_english(client).post(_upload_url(obligation), {"note": "忘了附件"})
    assert response.status_code == 400
    assert errors(response, "evidence-file")
    assert Evidence.objects.count() == 0
    assert files_on_disk(_media_root) == []


def test_file_one_byte_over_the_limit_is_400(
    client, obligation, staff_a, _media_root, settings
):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation), {"file": SimpleUploadedFile("大.pdf", PDF)}
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert files_on_disk(_media_root) == []


def test_several_files_in_one_upload_are_all_stored_and_named(
    client, obligation, staff_a, _media_root
):
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation),
        {
            "file": [
                SimpleUploadedFile("一.pdf", PDF),
                SimpleUploadedFile("二.pdf", PDF),
            ],
            "note": "会议纪要",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "2 evidence files uploaded: “一.pdf”, “二.pdf”." in (
        response.content.decode()
    )
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == [
        "一.pdf",
        "二.pdf",
    ]
    assert len(files_on_disk(_media_root)) == 2
    assert obligation.updates.filter(text="会议纪要").count() == 2


def test_one_refused_file_stores_none_of_the_upload_and_names_it(
    client, obligation, staff_a, _media_root
):
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation),
        {
            "file": [
                SimpleUploadedFile("一.pdf", PDF),
                SimpleUploadedFile("病毒.exe", EXE),
            ]
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was uploaded." in page
    assert "“病毒.exe”: Files of this type are not accepted." in page
    assert Evidence.objects.count() == 0
    assert files_on_disk(_media_root) == []


def test_a_photo_from_the_camera_input_is_stored(
    client, obligation, staff_a, _media_root
):
    client.force_login(staff_a)
    response = in_english(client).post(
        _upload_url(obligation), {"photo": SimpleUploadedFile("现场.png", PNG)}
    )
    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "现场.png"


def test_an_upload_without_any_file_is_400_and_asks_for_one(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    response = in_english(client).post(_upload_url(obligation), {"note": "x"})
    assert response.status_code == 400
    assert "Choose a file to upload." in response.content.decode()
    assert Evidence.objects.count() == 0


def test_the_upload_form_offers_several_files_and_a_separate_camera_input(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    page = parse(client.get(obligation.get_absolute_url()))
    [files] = page.xpath("//input[@name='file']")
    [photo] = page.xpath("//input[@name='photo']")
    assert files.get("multiple") is not None
    assert files.get("capture") is None
    assert "image/jpeg" in files.get("accept") and ".docx" in files.get("accept")
    assert photo.get("capture") == "environment"
    assert photo.get("accept") == "image/*"


def test_download_is_an_attachment_with_the_chinese_name(client, obligation, staff_a):
    evidence = upload(obligation, staff_a, name="2022年整改报告.pdf")
    client.force_login(staff_a)
    response = client.get(_download_url(evidence))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('2022年整改报告.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == PDF


def test_png_that_is_also_html_is_served_as_a_png_attachment(
    client, obligation, staff_a, supervisor
):
    client.force_login(staff_a)
    client.post(
        _upload_url(obligation), {"file": SimpleUploadedFile("截图.png", PNG_HTML)}
    )
    evidence = Evidence.objects.get()
    client.force_login(supervisor)
    response = client.get(_download_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG_HTML


# Download and preview serve the same stored file; each rule below holds for both.
FILE_URLS = pytest.mark.parametrize(
    "file_url",
    [
        pytest.param("tracker:evidence_download", id="download"),
        pytest.param("tracker:evidence_preview", id="preview"),
    ],
)


@FILE_URLS
def test_row_claiming_html_is_served_as_opaque_bytes(
    client, obligation, staff_a, file_url
):
    evidence = upload(obligation, staff_a)
    Evidence.objects.filter(pk=evidence.pk).update(content_type="text/html")
    client.force_login(staff_a)
    response = client.get(reverse(file_url, args=[evidence.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@FILE_URLS
def test_staff_of_another_department_cannot_fetch_the_file(
    client, obligation, staff_a, staff_b, file_url
):
    evidence = upload(obligation, staff_a, name="现场照片.png", content=PNG)
    client.force_login(staff_b)
    response = client.get(reverse(file_url, args=[evidence.pk]))
    assert response.status_code == 403
    assert not getattr(response, "streaming", False)


def test_file_missing_from_storage_is_404(client, obligation, staff_a):
    evidence = upload(obligation, staff_a)
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(staff_a)
    assert client.get(_download_url(evidence)).status_code == 404


def test_withdraw_keeps_the_file_and_strikes_it_through_with_the_reason(
    client, obligation, staff_a, _media_root
):
    evidence = upload(obligation, staff_a, name="错误文件.pdf")
    client.force_login(staff_a)
    response = in_english(client).post(
        _withdraw_url(evidence), {"reason": "传错了版本"}
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.is_withdrawn
    assert evidence.withdrawn_by == staff_a
    assert len(files_on_disk(_media_root)) == 1
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert "Evidence “错误文件.pdf” withdrawn." in page
    assert "错误文件.pdf" in struck_through(page)
    assert "传错了版本" in page


def test_withdrawn_evidence_stays_downloadable_for_supervisors(
    client, obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a)
    client.force_login(staff_a)
    client.post(_withdraw_url(evidence), {"reason": "作废"})
    client.force_login(supervisor)
    assert client.get(_download_url(evidence)).status_code == 200


def test_withdraw_without_a_reason_is_400_and_the_evidence_stays(
    client, obligation, staff_a
):
    evidence = upload(obligation, staff_a)
    client.force_login(staff_a)
    response = in_english(client).post(_withdraw_url(evidence), {"reason": ""})
    assert response.status_code == 400
    assert errors(response, f"withdraw-{evidence.pk}-reason")
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def test_withdrawing_twice_is_400(client, obligation, staff_a):
    evidence = upload(obligation, staff_a)
    client.force_login(staff_a)
    client.post(_withdraw_url(evidence), {"reason": "作废"})
    response = in_english(client).post(_withdraw_url(evidence), {"reason": "再次作废"})
    assert response.status_code == 400
    assert "already been withdrawn" in response.content.decode()
    assert (
        ProgressUpdate.objects.filter(
            action=ProgressUpdate.Action.EVIDENCE_WITHDRAW
        ).count()
        == 1
    )


def test_supervisor_cannot_withdraw(client, obligation, staff_a, supervisor):
    evidence = upload(obligation, staff_a)
    client.force_login(supervisor)
    assert client.post(_withdraw_url(evidence), {"reason": "x"}).status_code == 403
    evidence.refresh_from_db()
    assert not evidence.is_withdrawn


def _preview_url(evidence):
    return reverse("tracker:evidence_preview", args=[evidence.pk])


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("验收报告.pdf", PDF, "application/pdf"), ("现场照片.png", PNG, "image/png")],
)
def test_preview_of_a_pdf_or_an_image_is_shown_inline_and_sandboxed(
    client, obligation, staff_a, supervisor, name, content, content_type
):
    evidence = upload(obligation, staff_a, name=name, content=content)
    client.force_login(supervisor)
    response = client.get(_preview_url(evidence))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == content


def test_preview_of_any_other_type_is_still_a_download(client, obligation, staff_a):
    evidence = upload(obligation, staff_a, name="说明.txt", content="已整改".encode())
    client.force_login(staff_a)
    response = client.get(_preview_url(evidence))
    assert response["Content-Disposition"].startswith("attachment;")


def test_obligation_page_shows_images_and_links_pdfs_for_preview(
    client, obligation, staff_a, supervisor
):
    image = upload(obligation, staff_a, name="现场照片.png", content=PNG)
    pdf = upload(obligation, staff_a, name="验收报告.pdf")
    client.force_login(supervisor)
    page = parse(client.get(obligation.get_absolute_url()))
    assert page.xpath("//img[@src=$src]", src=_preview_url(image))
    assert page.xpath("//a[@href=$href][@target='_blank']", href=_preview_url(pdf))


def test_other_departments_staff_get_no_preview_on_the_page(
    client, obligation, staff_a, staff_b
):
    image = upload(obligation, staff_a, name="现场照片.png", content=PNG)
    client.force_login(staff_b)
    page = parse(client.get(obligation.get_absolute_url()))
    assert not page.xpath("//*[@src=$u or @href=$u]", u=_preview_url(image))
