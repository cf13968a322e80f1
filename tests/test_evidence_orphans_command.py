"""manage.py evidence_orphans: finds files no Evidence row refers to."""

import os
import time
from io import StringIO

from django.core.management import call_command

from tests.workflow_helpers import upload


def _orphan(media_root, name="evidence/2023/01/lost.pdf", age_minutes=120):
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4\n")
    old = time.time() - age_minutes * 60
    os.utime(path, (old, old))
    return path


def _run(*args):
    out = StringIO()
    call_command("evidence_orphans", *args, stdout=out)
    return out.getvalue()


def test_lists_orphans_without_deleting(obligation, staff_a, _media_root):
    evidence = upload(obligation, staff_a)
    orphan = _orphan(_media_root)

    output = _run()

    assert "evidence/2023/01/lost.pdf" in output
    assert evidence.file.name not in output
    assert "2 files on disk, 1 referenced, 1 orphans." in output
    assert orphan.exists()


def test_delete_removes_orphans_and_keeps_referenced_files(
    obligation, staff_a, _media_root
):
    evidence = upload(obligation, staff_a)
    orphan = _orphan(_media_root)

    output = _run("--delete")

    assert "Deleted 1 orphan files." in output
    assert not orphan.exists()
    assert (_media_root / evidence.file.name).exists()


def test_delete_spares_files_of_uploads_that_may_still_be_in_flight(db, _media_root):
    fresh = _orphan(_media_root, age_minutes=0)

    output = _run("--delete", "--min-age", "10")

    assert "Deleted 0 orphan files. Kept 1 younger than 10 minutes." in output
    assert fresh.exists()


def test_no_evidence_folder_yet_reports_zero(db, _media_root):
    assert "0 files on disk, 0 referenced, 0 orphans." in _run()
