"""`manage.py archive_report` and `manage.py verify_archive`: the 一事一档 zip, what
it holds, and what verifying it finds when it was changed."""

import csv
import hashlib
import io
import json
import re
import shutil
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.factories import ObligationFactory, ReportFactory, SectionFactory
from tests.workflow_helpers import PDF, upload
from tracker import archive
from tracker.archive import NameBook, windows_safe_name
from tracker.models import Evidence, Obligation, ReportEvent
from tracker.services.evidence import evidence_withdraw
from tracker.services.workflow import obligation_add_note

ZIP_UTF8_FLAG = 0x800


@pytest.fixture
def report(db, department_a, staff_a, supervisor):
    """A report with two obligations: one with live and withdrawn evidence, a
    timeline and history; one with a title Windows would not take as is."""
    report = ReportFactory(
        organization="巫溪县",
        year=2022,
        source_text="一、总体情况\n一是推进依法行政。二是加强执法监督。",
    )
    section = SectionFactory(report=report, code="一", title="总体情况")
    first = ObligationFactory(
        report=report,
        section=section,
        code="1.1",
        title="推进依法行政",
        body="一是推进依法行政。",
        source_start=7,
        source_end=16,
        department=department_a,
        position=1,
    )
    ObligationFactory(
        report=report,
        section=section,
        code="1.2",
        title='加强执法监督：<审核>/"复核"?',
        body="二是加强执法监督。",
        source_start=16,
        source_end=25,
        department=department_a,
        position=2,
    )
    obligation_add_note(obligation=first, user=staff_a, text="已完成初稿")
    upload(first, staff_a, name="会议纪要.pdf", content=PDF + b"1")
    upload(first, staff_a, name="会议纪要.pdf", content=PDF + b"2")
    wrong = upload(first, staff_a, name="传错的文件.pdf", content=PDF + b"3")
    evidence_withdraw(evidence=wrong, user=staff_a, reason="传错文件")
    return report


def archive_to(path, report, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "archive_report", str(report.pk), "--output", str(path), *args,
        stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def verify(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_archive", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "verify_archive", str(path), *args, stdout=io.StringIO(), stderr=err
        )
    return str(raised.value), err.getvalue()


def rewrite(source, target, *, change=None, drop=None, add=None):
    """Copy the zip member by member, changing one member's bytes, leaving one
    out or adding one (as someone would with an archive tool)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename == drop:
                continue
            data = old.read(info)
            if info.filename == change:
                data = bytes([data[0] ^ 1]) + data[1:]
            new.writestr(info, data)
        if add:
            new.writestr(add, b"extra")


@pytest.fixture
def made(tmp_path, report):
    path = tmp_path / "巫溪县2022.zip"
    archive_to(path, report)
    return path


def members(path):
    with zipfile.ZipFile(path) as zip_file:
        return {info.filename: info for info in zip_file.infolist()}


def test_archive_holds_a_folder_per_obligation_with_record_and_evidence(made):
    names = set(members(made))

    assert {"manifest.json", "报告原文.txt", "汇总表.xlsx"} <= names
    folder = "1.1 推进依法行政"
    assert {
        f"{folder}/事项.txt",
        f"{folder}/记录.html",
        f"{folder}/时间线.csv",
        f"{folder}/历史.csv",
        f"{folder}/佐证材料/会议纪要.pdf",
        f"{folder}/佐证材料/会议纪要 (2).pdf",
        f"{folder}/佐证材料/已撤回/传错的文件.pdf",
    } <= names
    # The title's characters Windows refuses became "_".
    assert '1.2 加强执法监督：_审核__"复核"_/事项.txt'.replace('"', "_") in names


def test_evidence_files_are_stored_byte_for_byte(made):
    with zipfile.ZipFile(made) as zip_file:
        live = zip_file.read("1.1 推进依法行政/佐证材料/会议纪要 (2).pdf")
        withdrawn = zip_file.read("1.1 推进依法行政/佐证材料/已撤回/传错的文件.pdf")
    assert live == PDF + b"2"
    assert withdrawn == PDF + b"3"


def test_chinese_names_carry_the_utf8_flag_for_windows_explorer(made):
    for name, info in members(made).items():
        if not name.isascii():
            assert info.flag_bits & ZIP_UTF8_FLAG, name


def test_text_file_has_the_obligation_text_and_its_passage(made):
    with zipfile.ZipFile(made) as zip_file:
        text = zip_file.read("1.1 推进依法行政/事项.txt").decode("utf-8")
        source = zip_file.read("报告原文.txt").decode("utf-8")
    assert "1.1 推进依法行政" in text
    assert "【在报告中的原文】\n一是推进依法行政。" in text
    assert source == "一、总体情况\n一是推进依法行政。二是加强执法监督。"


def test_record_page_is_self_contained_and_marks_the_withdrawn_file(made):
    with zipfile.ZipFile(made) as zip_file:
        page = zip_file.read("1.1 推进依法行政/记录.html").decode("utf-8")
    assert "已完成初稿" in page
    assert "传错文件" in page  # the withdrawal reason
    assert 'class="withdrawn"' in page
    assert 'href="佐证材料/已撤回/传错的文件.pdf"' in page
    # Nothing loaded from elsewhere: no scripts, stylesheets, images or web links.
    for outside in ("<script", "<link", "<img", "src=", "http://", "https://", "//"):
        assert outside not in page.replace("</", "<"), outside


def test_timeline_csv_lists_the_entries_with_authors(made):
    with zipfile.ZipFile(made) as zip_file:
        data = zip_file.read("1.1 推进依法行政/时间线.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:3] == ["时间", "操作人", "操作"]
    assert ["张三", "进展更新", "已完成初稿"] == [rows[1][1], rows[1][2], rows[1][5]]
    assert any(row[2] == "撤回佐证材料" and row[5] == "传错文件" for row in rows)


def test_csv_cells_are_neutralised_like_the_exports(tmp_path, report, staff_a):
    obligation = report.obligations.get(code="1.1")
    obligation_add_note(
        obligation=obligation, user=staff_a, text='=HYPERLINK("http://x")'
    )
    path = tmp_path / "a.zip"
    archive_to(path, report)
    with zipfile.ZipFile(path) as zip_file:
        data = zip_file.read("1.1 推进依法行政/时间线.csv").decode("utf-8-sig")
    texts = [row[5] for row in csv.reader(io.StringIO(data))]
    assert '\'=HYPERLINK("http://x")' in texts
    assert '=HYPERLINK("http://x")' not in texts


def test_summary_sheet_has_a_row_per_obligation(made):
    with zipfile.ZipFile(made) as zip_file:
        book = load_workbook(io.BytesIO(zip_file.read("汇总表.xlsx")))
    rows = list(book["事项"].iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert [row[0] for row in rows[1:]] == ["1.1", "1.2"]
    # Live evidence 2, withdrawn 1, nothing missing.
    assert rows[1][11:14] == (2, 1, None)


def test_manifest_lists_every_file_with_size_and_sha256(made, report):
    with zipfile.ZipFile(made) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
        for info in zip_file.infolist():
            if info.filename == "manifest.json":
                continue
            entry = listed.pop(info.filename)
            assert entry["size"] == info.file_size
    assert listed == {}
    assert manifest["report"]["id"] == report.pk
    assert manifest["report"]["title"] == report.title
    assert manifest["archived_by"]["name"] == "系统"
    assert manifest["archived_at"]
    assert manifest["problems"] == []


def test_archiving_is_recorded_in_the_report_log(made, report):
    event = ReportEvent.objects.get(report=report)
    assert event.action == ReportEvent.Action.ARCHIVED
    assert "2 problems" not in event.reason


def test_verify_passes_on_the_archive_as_written(made):
    out, err = verify(made)
    assert "OK" in out or "通过" in out or "一致" in out
    assert err == ""


@pytest.mark.parametrize(
    "member",
    ["1.1 推进依法行政/佐证材料/会议纪要.pdf", "汇总表.xlsx", "报告原文.txt"],
)
def test_verify_names_a_file_changed_by_one_byte(tmp_path, made, member):
    changed = tmp_path / "changed.zip"
    rewrite(made, changed, change=member)

    message, err = verify_fails(changed)

    assert f"{member}" in err
    assert "1" in message


def test_verify_names_a_removed_file(tmp_path, made):
    member = "1.1 推进依法行政/佐证材料/已撤回/传错的文件.pdf"
    removed = tmp_path / "removed.zip"
    rewrite(made, removed, drop=member)

    _message, err = verify_fails(removed)

    assert member in err


def test_verify_names_an_added_file(tmp_path, made):
    added = tmp_path / "added.zip"
    rewrite(made, added, add="1.1 推进依法行政/佐证材料/后补的.pdf")

    _message, err = verify_fails(added)

    assert "1.1 推进依法行政/佐证材料/后补的.pdf" in err


def _edit_manifest(source, target, edit, *, redigest=False):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                edit(manifest)
                if redigest:
                    manifest["digest"] = archive.manifest_digest(manifest)
                data = json.dumps(manifest, ensure_ascii=False).encode()
            new.writestr(info, data)


def test_a_manifest_edited_to_match_a_changed_file_is_refused(tmp_path, made):
    member = "1.1 推进依法行政/佐证材料/会议纪要.pdf"
    changed = tmp_path / "changed.zip"
    rewrite(made, changed, change=member)
    with zipfile.ZipFile(changed) as zip_file:
        forged = hashlib.sha256(zip_file.read(member)).hexdigest()

    def edit(manifest):
        for entry in manifest["files"]:
            if entry["path"] == member:
                entry["sha256"] = forged

    tampered = tmp_path / "tampered.zip"
    _edit_manifest(changed, tampered, edit)
    message, _err = verify_fails(tampered)
    assert "manifest" in message.lower() or "清单" in message

    # Even with its digest recomputed, the signature gives it away.
    resigned = tmp_path / "resigned.zip"
    _edit_manifest(changed, resigned, edit, redigest=True)
    message, _err = verify_fails(resigned)
    assert "manifest" in message.lower() or "清单" in message


def test_another_installations_archive_is_checked_with_skip_signature(
    tmp_path, made, settings
):
    settings.SECRET_KEY = "another installation's key, long enough for Django"
    verify_fails(made)
    out, _err = verify(made, "--skip-signature")
    assert out


def test_a_zip_that_is_not_an_archive_gets_a_clear_message(tmp_path):
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as zip_file:
        zip_file.writestr("IMG_0001.jpg", b"\xff\xd8\xff")
    message, _err = verify_fails(other)
    assert "photos.zip" in message
    assert "manifest.json" in message


def test_a_file_that_is_not_a_zip_gets_a_clear_message(tmp_path):
    other = tmp_path / "report.zip"
    other.write_bytes(b"not a zip at all")
    message, _err = verify_fails(other)
    assert "report.zip" in message


def test_a_zip_with_someone_elses_manifest_is_not_taken_for_ours(tmp_path):
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zip_file:
        zip_file.writestr("manifest.json", json.dumps({"files": []}))
    message, _err = verify_fails(other)
    assert "other.zip" in message


def test_missing_evidence_file_still_writes_the_archive_and_exits_nonzero(
    tmp_path, report
):
    evidence = Evidence.objects.get(original_name="传错的文件.pdf")
    evidence.file.storage.delete(evidence.file.name)
    path = tmp_path / "a.zip"

    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "archive_report", str(report.pk), "--output", str(path),
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip

    assert "1" in str(raised.value)
    assert "传错的文件.pdf" in err.getvalue()
    with zipfile.ZipFile(path) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
        book = load_workbook(io.BytesIO(zip_file.read("汇总表.xlsx")))
        names = zip_file.namelist()
    [problem] = manifest["problems"]
    assert problem["original_name"] == "传错的文件.pdf"
    assert problem["recorded_sha256"] == evidence.sha256
    assert problem["kind"] == "missing"
    assert not any(name.endswith("传错的文件.pdf") for name in names)
    problems = list(book["问题"].iter_rows(values_only=True))
    assert problems[1][:3] == ("1.1", "缺失", "传错的文件.pdf")
    summary = list(book["事项"].iter_rows(values_only=True))
    assert summary[1][summary[0].index("缺失文件")] == "传错的文件.pdf"
    # The archive itself is whole: verifying it passes, and says what it lacked.
    out, err = verify(path)
    assert "传错的文件.pdf" in err


def test_an_evidence_file_changed_in_storage_is_archived_and_reported(tmp_path, report):
    evidence = Evidence.objects.get(original_name="传错的文件.pdf")
    with evidence.file.storage.open(evidence.file.name, "wb") as stored:
        stored.write(b"something else")
    path = tmp_path / "a.zip"
    with pytest.raises(CommandError):
        archive_to(path, report)
    with zipfile.ZipFile(path) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
    assert [p["kind"] for p in manifest["problems"]] == ["changed"]


def test_an_existing_output_file_is_never_overwritten(tmp_path, report):
    path = tmp_path / "a.zip"
    path.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="a.zip"):
        archive_to(path, report)
    assert path.read_bytes() == b"keep me"


def test_an_unknown_report_id_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="12345"):
        call_command("archive_report", "12345", "--output", str(tmp_path / "a.zip"))
    assert not (tmp_path / "a.zip").exists()


def test_archive_and_close_records_the_close_in_the_manifest(
    tmp_path, report, supervisor
):
    path = tmp_path / "a.zip"
    archive_to(path, report, "--user", "supervisor", "--close", "--reason", "年度归档")

    report.refresh_from_db()
    assert report.is_closed
    with zipfile.ZipFile(path) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
    assert manifest["report"]["closed_by"] == "王督查"
    assert manifest["archived_by"] == {"username": "supervisor", "name": "王督查"}
    actions = list(
        ReportEvent.objects.filter(report=report)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["closed", "archived"]


def test_staff_cannot_archive_under_their_name(tmp_path, report, staff_a):
    with pytest.raises(CommandError):
        archive_to(tmp_path / "a.zip", report, "--user", "staff_a")
    assert not (tmp_path / "a.zip").exists()


# --- Names safe on Windows ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("会议纪要.pdf", "会议纪要.pdf"),
        ('a<b>c:d"e/f\\g|h?i*j.pdf', "a_b_c_d_e_f_g_h_i_j.pdf"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.tar.gz", "_LPT1.tar.gz"),
        ("COM9", "_COM9"),
        ("CONSOLE.pdf", "CONSOLE.pdf"),
        ("报告. . ", "报告"),
        ("tab\there\x00.pdf", "tab_here_.pdf"),
        ("", "_"),
        ("...", "_"),
    ],
)
def test_windows_safe_name(name, expected):
    assert windows_safe_name(name, limit=80) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = windows_safe_name("很" * 200 + ".docx", limit=80)
    assert len(name) == 80
    assert name.endswith("很.docx")


def test_duplicate_names_are_numbered_as_windows_compares_them():
    book = NameBook()
    names = [
        book.take(name, limit=20)
        for name in ["Minutes.PDF", "minutes.pdf", "minutes.pdf", "很" * 30 + ".pdf"]
    ]
    assert names[:3] == ["Minutes.PDF", "minutes (2).pdf", "minutes (3).pdf"]
    assert len(names[3]) == 20
    assert len({name.casefold() for name in names}) == 4


def test_a_folder_name_has_no_extension_to_keep():
    book = NameBook(folders=True)
    assert book.take("1.2 推进", limit=60) == "1.2 推进"
    assert book.take("1.2 推进", limit=60) == "1.2 推进 (2)"
    assert windows_safe_name("1.12", limit=3, folder=True) == "1.1"


def test_obligations_with_the_same_folder_name_get_distinct_folders(tmp_path, db):
    report = ReportFactory(organization="甲县", year=2023)
    section = SectionFactory(report=report)
    long_title = "加强" * 40
    for position, code in enumerate(["1.1", "1.1 ", "NUL"]):
        ObligationFactory(
            report=report,
            section=section,
            code=code,
            title=long_title if code != "NUL" else "",
            position=position,
        )
    path = tmp_path / "a.zip"
    archive_to(path, report)
    folders = {name.split("/")[0] for name in members(path) if "/" in name}
    assert len(folders) == 3
    assert all(len(folder) <= archive.FOLDER_MAX for folder in folders)
    assert "_NUL" in folders


def test_withdrawn_subfolder_name_is_not_taken_by_an_evidence_file(
    tmp_path, report, staff_a
):
    obligation = report.obligations.get(code="1.1")
    evidence = upload(obligation, staff_a, name="x.pdf", content=PDF + b"x")
    Evidence.objects.filter(pk=evidence.pk).update(original_name="已撤回")
    path = tmp_path / "a.zip"
    archive_to(path, report)
    with zipfile.ZipFile(path) as zip_file:
        assert zip_file.read("1.1 推进依法行政/佐证材料/已撤回 (2)") == PDF + b"x"
    verify(path)


def test_archive_copies_evidence_written_to_storage_outside_the_upload(
    tmp_path, report
):
    # A large file is copied in chunks: bigger than one read.
    evidence = Evidence.objects.get(original_name="传错的文件.pdf")
    big = PDF + bytes(range(256)) * (archive.CHUNK // 64)
    evidence.file.storage.delete(evidence.file.name)
    evidence.file.storage.save(evidence.file.name, ContentFile(big))
    Evidence.objects.filter(pk=evidence.pk).update(
        sha256=hashlib.sha256(big).hexdigest(), size=len(big)
    )
    path = tmp_path / "a.zip"
    archive_to(path, report)
    with zipfile.ZipFile(path) as zip_file:
        assert zip_file.read("1.1 推进依法行政/佐证材料/已撤回/传错的文件.pdf") == big
    shutil.copy(path, tmp_path / "copy.zip")
    verify(tmp_path / "copy.zip")


def test_obligation_statuses_appear_in_the_summary(tmp_path, report):
    Obligation.objects.filter(code="1.2").update(status=Obligation.Status.DONE)
    path = tmp_path / "a.zip"
    archive_to(path, report)
    with zipfile.ZipFile(path) as zip_file:
        book = load_workbook(io.BytesIO(zip_file.read("汇总表.xlsx")))
    rows = list(book["事项"].iter_rows(values_only=True))
    assert rows[2][4] == "已办结"


def test_rating_given_at_approval_is_in_the_summary_and_the_record(tmp_path, report):
    # The year's archive is where the assessment is looked up later: an approved
    # item's rating and its comment must not be only a line of its timeline.
    Obligation.objects.filter(code="1.1").update(
        status=Obligation.Status.DONE,
        rating=Obligation.Rating.FAIR,
        rating_comment="会议纪要未附签到表",
    )
    path = tmp_path / "a.zip"
    archive_to(path, report)

    with zipfile.ZipFile(path) as zip_file:
        book = load_workbook(io.BytesIO(zip_file.read("汇总表.xlsx")))
        page = zip_file.read("1.1 推进依法行政/记录.html").decode("utf-8")
    rows = list(book["事项"].iter_rows(values_only=True))
    rating, comment = rows[0].index("考评结果"), rows[0].index("考评意见")
    assert (rows[1][rating], rows[1][comment]) == ("一般", "会议纪要未附签到表")
    assert (rows[2][rating], rows[2][comment]) == (None, None)
    assert "考评结果" in page and "一般" in page and "会议纪要未附签到表" in page


def test_archive_has_an_index_page_at_its_top_linking_every_record(made):
    with zipfile.ZipFile(made) as zip_file:
        names = set(zip_file.namelist())
        page = zip_file.read("index.html").decode("utf-8")
    hrefs = [unquote(href) for href in re.findall(r'href="([^"]+)"', page)]
    records = [href for href in hrefs if href.endswith("/记录.html")]
    assert len(records) == 2
    assert set(records) <= names
    assert "汇总表.xlsx" in hrefs
    assert "推进依法行政" in page


def test_every_record_links_back_to_the_index(made):
    with zipfile.ZipFile(made) as zip_file:
        records = [n for n in zip_file.namelist() if n.endswith("/记录.html")]
        pages = [zip_file.read(name).decode("utf-8") for name in records]
    assert len(pages) == 2
    assert all('href="../index.html"' in page for page in pages)


def test_index_page_needs_nothing_from_outside(made):
    with zipfile.ZipFile(made) as zip_file:
        page = zip_file.read("index.html").decode("utf-8")
    for outside in ("<script", "<link", "<img", "src=", "http://", "https://", "//"):
        assert outside not in page.replace("</", "<"), outside


def test_index_page_is_in_the_manifest_and_verifies(made):
    with zipfile.ZipFile(made) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
    assert "index.html" in {entry["path"] for entry in manifest["files"]}
    out, _err = verify(made)
    assert out


def test_summary_sheets_print_landscape_with_the_header_repeated(made):
    with zipfile.ZipFile(made) as zip_file:
        book = load_workbook(io.BytesIO(zip_file.read("汇总表.xlsx")))
    sheet = book["事项"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
