"""Zip bombs: every upload that is a zip is refused before anything is unpacked.

The bombs are real: a member of 1,000 MB of zeros, about 1 MB on disk. They are
built here without compressing 1,000 MB (seconds per bomb): one MB of zeros is
compressed once into a self-contained, byte-aligned run of deflate blocks
(Z_FULL_FLUSH), repeated a thousand times and closed with an empty final block.
"""

import functools
import io
import struct
import tracemalloc
import zipfile
import zlib
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.conftest import in_english
from tests.job_helpers import job_page, start_job
from tests.workflow_helpers import files_on_disk
from tracker import importing, safezip
from tracker.models import Evidence, Job, ProgressUpdate, Report

MB = 1024 * 1024
BOMB_MB = 1000
# What a refused bomb may cost the worker, request and response included.
MEMORY_BUDGET = 8 * MB


@functools.cache
def _zeros(megabytes):
    """(raw deflate data, crc32, size) of ``megabytes`` MB of zeros."""
    chunk = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # empty last block
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return block * megabytes + final, crc, megabytes * MB


def _deflated(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def build_zip(members):
    """A zip of ``{name: (raw deflate data, crc32, size)}``, written by hand
    because zipfile cannot store data that is already compressed."""
    out, directory = io.BytesIO(), []
    for name, (data, crc, size) in members.items():
        offset, encoded = out.tell(), name.encode()
        # version 20, no flags, deflate, 1980-01-01 00:00
        common = (20, 0, 8, 0, 33, crc, len(data), size, len(encoded))
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *common, 0))
        out.write(encoded + data)
        entry = (b"PK\x01\x02", 20, *common, 0, 0, 0, 0, 0, offset)
        directory.append(struct.pack("<4sH5H3L5H2L", *entry) + encoded)
    start, central = out.tell(), b"".join(directory)
    count = len(members)
    out.write(central)
    out.write(
        struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0
        )
    )
    return out.getvalue()


def _small(text):
    return _deflated(text.encode())


_CONTENT_TYPES = _small('<?xml version="1.0"?><Types/>')
# For each format, the member a reader of that format opens first, made the bomb.
BOMBS = {
    "docx": {"[Content_Types].xml": _CONTENT_TYPES, "word/document.xml": None},
    "xlsx": {"[Content_Types].xml": _CONTENT_TYPES, "xl/workbook.xml": None},
    "pptx": {"[Content_Types].xml": _CONTENT_TYPES, "ppt/presentation.xml": None},
    "odt": {"mimetype": None},
    "ods": {"mimetype": None},
    "odp": {"mimetype": None},
    "zip": {"mimetype": None},
}


def bomb(ext):
    members = {name: content or _zeros(BOMB_MB) for name, content in BOMBS[ext].items()}
    return build_zip(members)


@pytest.fixture
def unpacked(monkeypatch):
    """Counts the bytes any zip member yields while the test runs.

    A deterministic stand-in for "refused within a second": unpacking the bomb is
    what would take the time, so the test asserts it is never unpacked instead of
    timing a request on a machine whose load it does not control.
    """
    counter = {"bytes": 0}
    original = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = original(self, n)
        counter["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counter


def _peak_growth(action):
    """(result of ``action()``, peak bytes allocated above the start meanwhile)."""
    tracemalloc.start()
    try:
        before, _peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = action()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - before


def test_the_test_bomb_really_declares_a_thousand_mb_in_a_small_file():
    data = bomb("odt")
    assert len(data) < 2 * MB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("mimetype").file_size == BOMB_MB * MB
        with archive.open("mimetype") as member:  # valid deflate: it does unpack
            assert member.read(4 * MB) == bytes(4 * MB)


@pytest.mark.parametrize("ext", list(BOMBS))
def test_zip_bomb_upload_is_refused_with_400_quickly_and_cheaply(
    client, obligation, staff_a, _media_root, ext, unpacked
):
    client.force_login(staff_a)
    upload = SimpleUploadedFile(f"bomb.{ext}", bomb(ext))
    url = reverse("tracker:evidence_upload", args=[obligation.pk])

    # Warm up (templates compiled, caches filled) so the measure is the refusal's.
    in_english(client).post(url, {"file": SimpleUploadedFile(f"empty.{ext}", b"")})
    unpacked["bytes"] = 0
    response, growth = _peak_growth(
        lambda: in_english(client).post(url, {"file": upload, "note": "x"})
    )

    assert response.status_code == 400
    page = response.content.decode()
    if ext in ("odp", "zip"):  # not accepted types at all
        assert "Files of this type are not accepted." in page
    else:
        # filesizeformat keeps "256.0 MB" together with a no-break space.
        assert f"The .{ext} file unpacks to more than 256.0\xa0MB" in page
    assert growth < MEMORY_BUDGET, f"{growth / MB:.1f} MB"
    assert unpacked["bytes"] <= 64 * 1024, unpacked  # of the 1,000 MB declared
    assert Evidence.objects.count() == 0
    assert not ProgressUpdate.objects.exists()
    assert files_on_disk(_media_root) == []


def test_zip_bomb_refusal_is_in_chinese_for_chinese_users(
    client, obligation, staff_a, _media_root
):
    client.force_login(staff_a)
    url = reverse("tracker:evidence_upload", args=[obligation.pk])
    upload = SimpleUploadedFile("bomb.odt", bomb("odt"))
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert "解压后超过" in response.content.decode()


def test_zip_with_too_many_members_is_refused(client, obligation, staff_a, _media_root):
    client.force_login(staff_a)
    empty = _small("")
    members = {"[Content_Types].xml": _CONTENT_TYPES}
    members.update({f"word/{n}.xml": empty for n in range(5001)})
    upload = SimpleUploadedFile("many.docx", build_zip(members))
    url = reverse("tracker:evidence_upload", args=[obligation.pk])
    response = in_english(client).post(url, {"file": upload})
    assert response.status_code == 400
    assert "holds more than 5000 parts" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_member_lying_about_its_size_is_read_no_further_than_the_cap():
    data, crc, _size = _zeros(4)
    lying = build_zip({"mimetype": (data, crc, 40)})  # says 40 bytes, holds 4 MB
    limits = safezip.ZipLimits(max_members=10, max_unpacked=MB, max_directory=MB)
    with safezip.open_bounded(io.BytesIO(lying), limits) as archive:
        with pytest.raises(zipfile.BadZipFile):  # stops at 40 bytes: bad CRC
            safezip.read_member(archive, "mimetype", 256)


# --- Report import (.docx read by python-docx) ------------------------------------


@pytest.fixture
def docx_bomb(tmp_path):
    path = tmp_path / "巫溪县2022年法治政府建设情况报告.docx"
    path.write_bytes(bomb("docx"))
    return path


def _refusal(path):
    with pytest.raises(importing.ReportFormatError) as error:
        importing.read_report(path)
    return str(error.value)


def test_importer_refuses_a_docx_bomb_before_python_docx_opens_it(docx_bomb, english):
    message, growth = _peak_growth(lambda: _refusal(docx_bomb))
    assert "Refused: the .docx file unpacks to more than 64 MB" in message
    assert growth < MEMORY_BUDGET, f"{growth / MB:.1f} MB"


def test_import_report_command_refuses_a_docx_bomb_with_one_line(
    db, docx_bomb, english
):
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_report", str(docx_bomb), stdout=out)
    message = str(error.value)
    assert "\n" not in message
    assert "unpacks to more than" in message
    assert not Report.objects.exists()


def test_admin_import_refuses_a_docx_bomb(tracker_admin_client, docx_bomb):
    upload = SimpleUploadedFile(docx_bomb.name, docx_bomb.read_bytes())
    # A .docx is read by the worker (a job): the refusal is on the job's page.
    job = start_job(
        tracker_admin_client,
        reverse("admin:tracker_report_import"),
        {"file": upload, "preview": "1"},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert (
        "unpacks to more than" in job_page(tracker_admin_client, job).content.decode()
    )
    assert not Report.objects.exists()


# --- The attack as reported: a small .docx padding its text to 150 MB ---------------

PADDING_MB = 150


def _padded_document_xml():
    """(raw deflate data, crc32, size) of a word/document.xml of one paragraph
    followed by 150 MB of spaces, compressed as one stream without compressing
    150 MB: the prefix, a 1 MB block of spaces repeated, and the suffix are each
    flushed to a byte boundary, so they concatenate into one valid stream."""
    prefix = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>巫溪县2022年法治政府建设情况报告</w:t></w:r></w:p>"
    ).encode()
    suffix = b"</w:body></w:document>"
    spaces = b" " * MB

    def flushed(data):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    block = flushed(spaces)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = flushed(prefix) + block * PADDING_MB + last.compress(suffix) + last.flush()
    crc = zlib.crc32(prefix)
    for _ in range(PADDING_MB):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(suffix, crc)
    return data, crc, len(prefix) + PADDING_MB * MB + len(suffix)


@pytest.fixture(scope="module")
def padded_docx_bytes(tmp_path_factory):
    """A real .docx (python-docx's) whose word/document.xml is padded to 150 MB."""
    import docx

    plain = tmp_path_factory.mktemp("docx") / "plain.docx"
    docx.Document().save(plain)
    members = {}
    with zipfile.ZipFile(plain) as archive:
        for name in archive.namelist():
            members[name] = _deflated(archive.read(name))
    members["word/document.xml"] = _padded_document_xml()
    return build_zip(members)


def test_the_padded_docx_is_small_and_really_unpacks_to_150_mb(padded_docx_bytes):
    assert len(padded_docx_bytes) < 300 * 1024
    with zipfile.ZipFile(io.BytesIO(padded_docx_bytes)) as archive:
        member = archive.getinfo("word/document.xml")
        assert member.file_size > PADDING_MB * MB
        with archive.open(member) as stream:  # valid deflate: it does unpack
            assert b"</w:t>" in stream.read(4096)


def test_a_small_docx_padded_to_150_mb_is_refused_quickly_and_cheaply(
    tmp_path, padded_docx_bytes, english, unpacked
):
    path = tmp_path / "巫溪县2022年法治政府建设情况报告.docx"
    path.write_bytes(padded_docx_bytes)

    message, growth = _peak_growth(lambda: _refusal(path))

    assert "Refused: the .docx file unpacks to more than 64 MB" in message
    assert growth < MEMORY_BUDGET, f"{growth / MB:.1f} MB"
    # It took 254 s and 8.7 GB before the guard: now nothing of it is unpacked.
    assert unpacked["bytes"] == 0, unpacked


def test_a_padded_docx_that_understates_its_size_is_read_no_further(
    tmp_path, padded_docx_bytes, english
):
    # The same bytes, declaring 1 MB: zipfile stops at the declared size, so the
    # CRC fails and python-docx never holds more than that.
    data, crc, _size = _padded_document_xml()
    members = {}
    with zipfile.ZipFile(io.BytesIO(padded_docx_bytes)) as archive:
        for name in archive.namelist():
            if name != "word/document.xml":
                members[name] = _deflated(archive.read(name))
    members["word/document.xml"] = (data, crc, MB)
    path = tmp_path / "report.docx"
    path.write_bytes(build_zip(members))

    message, growth = _peak_growth(lambda: _refusal(path))

    assert "Not a readable .docx file" in message
    assert growth < 4 * MB + MEMORY_BUDGET, f"{growth / MB:.1f} MB"
