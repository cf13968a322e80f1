"""manage.py evidence_orphans: finds files no Evidence row refers to."""

import os
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.workflow_helpers import upload
from tracker.models import Evidence


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


def test_delete_spares_files_younger_than_the_minimum_age(db, _media_root):
    fresh = _orphan(_media_root, age_minutes=0)

    output = _run("--delete", "--min-age", "10")

    assert "Deleted 0 orphan files. Kept 1 younger than 10 minutes." in output
    assert fresh.exists()


def test_no_evidence_folder_yet_reports_zero(db, _media_root):
    assert "0 files on disk, 0 referenced, 0 orphans." in _run()


@pytest.mark.django_db(transaction=True)
def test_delete_never_removes_the_file_of_an_upload_still_in_its_transaction(
    obligation, staff_a, _media_root
):
    """The upload has written its file and holds its row uncommitted (another
    connection); a sweep with no age margin at all waits for it instead of
    deleting the file, and then finds it referenced."""
    written, release, outcome = threading.Event(), threading.Event(), {}

    def upload_and_hold():
        try:
            with transaction.atomic():
                outcome["evidence"] = upload(obligation, staff_a)
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def sweep():
        try:
            outcome["output"] = _run("--delete", "--min-age", "0")
        finally:
            connection.close()

    uploader = threading.Thread(target=upload_and_hold)
    uploader.start()
    try:
        assert written.wait(timeout=30)
        path = _media_root / outcome["evidence"].file.name
        sweeper = threading.Thread(target=sweep)
        sweeper.start()
        sweeper.join(timeout=1.5)
        assert sweeper.is_alive(), outcome.get("output")  # waiting for the upload
        assert path.exists()
    finally:
        release.set()
        uploader.join(timeout=30)
    sweeper.join(timeout=30)

    assert path.exists()
    assert Evidence.objects.get().file.name == outcome["evidence"].file.name
    assert "1 files on disk, 1 referenced, 0 orphans." in outcome["output"]


def test_delete_removes_the_file_an_outer_rollback_left_behind(
    obligation, staff_a, _media_root
):
    with pytest.raises(RuntimeError), transaction.atomic():
        evidence = upload(obligation, staff_a)
        raise RuntimeError("the caller fails after the upload")
    left = _media_root / evidence.file.name
    assert left.exists()
    assert not Evidence.objects.exists()

    output = _run("--delete", "--min-age", "0")

    assert "Deleted 1 orphan files." in output
    assert not left.exists()
