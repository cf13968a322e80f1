"""Bombs of each kind a county's report may arrive as: each is refused with the
job's message, within the read's time limit, and the worker's own memory
grows by less than 64 MB (the reading happens in a limited child process,
tracker.isolation, or is refused before anything is unpacked, tracker.safezip)."""

import io
import tracemalloc
import zipfile
import zlib

from tests.test_admin_import import post

PEAK_GROWTH = 64 * 2**20


def _measured(client, button, content, name):
    tracemalloc.start()
    try:
        response = post(client, button, content, name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def _pdf_with_a_flate_bomb(unpacked_megabytes):
    """A one-page PDF whose content stream is 'q Q' repeated, deflated: a few
    hundred KB that unpack to ``unpacked_megabytes`` of drawing operators."""
    packer = zlib.compressobj(9)
    chunk = b"q Q\n" * (2**20 // 4)
    stream = b"".join(packer.compress(chunk) for _ in range(unpacked_megabytes))
    stream += packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _docx_with_a_bomb(unpacked_megabytes):
    """A .docx whose word/document.xml unpacks to ``unpacked_megabytes``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as document:
            for _ in range(unpacked_megabytes):
                document.write(b" " * 2**20)
    return out.getvalue()


def test_a_pdf_that_unpacks_to_300_mb_is_refused_without_the_web_process_growing(
    tracker_admin_client, settings
):
    settings.JOB_READ_SECONDS = 4
    bomb = _pdf_with_a_flate_bomb(300)
    assert len(bomb) < 2 * 2**20

    response, peak = _measured(tracker_admin_client, "preview", bomb, "report.pdf")

    # Refused on the job's page: the worker read it (in its limited child).
    assert response.status_code == 200
    assert "Refused" in response.content.decode()
    assert peak < PEAK_GROWTH, f"peak {peak / 2**20:.1f} MB"


def test_a_docx_that_unpacks_to_200_mb_is_refused_before_anything_is_unpacked(
    tracker_admin_client,
):
    bomb = _docx_with_a_bomb(200)
    assert len(bomb) < 2 * 2**20

    response, peak = _measured(tracker_admin_client, "preview", bomb, "report.docx")

    # Refused on the job's page: the worker read it (in its limited child).
    assert response.status_code == 200
    assert "Refused" in response.content.decode()
    assert peak < PEAK_GROWTH, f"peak {peak / 2**20:.1f} MB"
