"""The archive of 1,000 obligations with evidence is written with bounded memory:
evidence is copied in chunks, the obligations are read in batches. Measured with
tracemalloc (Python's allocations, which is where a whole-file read or a cached
queryset would show), not timed."""

import hashlib
import os
import tracemalloc
import zipfile

import pytest
from django.core.management import call_command

from tests.factories import ReportFactory, SectionFactory, UserFactory
from tracker import archive
from tracker.models import Evidence, Obligation

# 300 obligations (three of the archive's batches of 100) with 128 KB each: 38 MB
# of evidence, more than twice the bound. `make bench` runs the 1,000-obligation
# version (64 MB), which took 41 s of every `make test`.
OBLIGATIONS = 300
EVIDENCE_BYTES = 128 * 1024
# Far below the 64 MB of evidence, and what it is for any evidence size: a few
# chunks, one batch of obligations, the manifest's list and the summary's rows.
PEAK_BOUND = 16 * 2**20


@pytest.fixture
def big_report(db, settings, request):
    obligations_count, evidence_bytes = getattr(
        request, "param", (OBLIGATIONS, EVIDENCE_BYTES)
    )
    report = ReportFactory(organization="丙县", year=2024, source_text="一、工作" * 10)
    section = SectionFactory(report=report)
    uploader = UserFactory(username="uploader")
    obligations = Obligation.objects.bulk_create(
        Obligation(
            report=report,
            section=section,
            kind=Obligation.Kind.WORK_ITEM,
            code=f"1.{n}",
            title=f"事项{n}",
            body=f"事项{n}的正文。",
            position=n,
        )
        for n in range(obligations_count)
    )
    folder = settings.MEDIA_ROOT / "evidence"
    folder.mkdir()
    rows = []
    for n, obligation in enumerate(obligations):
        # Distinct content per file (compression or deduplication cannot help).
        content = os.urandom(evidence_bytes)
        name = f"evidence/{n}.pdf"
        (settings.MEDIA_ROOT / name).write_bytes(content)
        rows.append(
            Evidence(
                obligation=obligation,
                file=name,
                original_name=f"佐证{n}.pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content_type="application/pdf",
                uploaded_by=uploader,
            )
        )
    Evidence.objects.bulk_create(rows)
    return report, uploader


def test_archive_of_300_obligations_is_written_with_bounded_memory(
    tmp_path, big_report
):
    check_bounded(tmp_path, big_report, OBLIGATIONS, EVIDENCE_BYTES)


@pytest.mark.bench
@pytest.mark.parametrize("big_report", [(1_000, 64 * 1024)], indirect=True)
def test_archive_of_1000_obligations_is_written_with_bounded_memory(
    tmp_path, big_report
):
    check_bounded(tmp_path, big_report, 1_000, 64 * 1024)


def check_bounded(tmp_path, big_report, obligations, evidence_bytes):
    report, uploader = big_report
    path = tmp_path / "big.zip"

    tracemalloc.start()
    try:
        with open(path, "wb") as output:
            result = archive.write_archive(report, output, user=uploader)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    total_evidence = obligations * evidence_bytes
    assert result.problems == []
    assert path.stat().st_size > total_evidence
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MB"
    with zipfile.ZipFile(path) as written:
        evidence = [n for n in written.namelist() if "/佐证材料/" in n]
    assert len(evidence) == obligations
    call_command("verify_archive", str(path))
