"""``python manage.py evidence_orphans [--delete]``: files under MEDIA_ROOT/evidence
that no Evidence row refers to.

Uploads remove their file when their own transaction fails; this is the safety net
for the rest (a caller's outer transaction rolled back, a killed process).

The rule that keeps it from deleting a file whose upload may still commit: the
listing and the deletions happen while holding the evidence storage lock
exclusively (``services.evidence.evidence_storage_lock``), which every upload holds from
before it writes its file until its transaction ends. So the sweep waits for every
upload in progress to commit (its file is then referenced) or roll back (its file
is then a true orphan), and no upload starts until the sweep is done.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.models import Evidence
from tracker.services.evidence import evidence_storage_lock

# Not what protects an upload in progress (the lock does): a margin for files put
# under MEDIA_ROOT by other means, e.g. a restore copying files before their rows.
ORPHAN_MIN_AGE_MINUTES = 60


class Command(BaseCommand):
    help = "List (and with --delete remove) evidence files no Evidence row refers to."

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="remove the orphan files"
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=ORPHAN_MIN_AGE_MINUTES,
            help="only delete files older than this many minutes "
            f"(default {ORPHAN_MIN_AGE_MINUTES})",
        )

    def handle(self, *args, delete, min_age, **options):
        with transaction.atomic():
            evidence_storage_lock(exclusive=True)
            self._sweep(delete=delete, min_age=min_age)

    def _sweep(self, *, delete, min_age):
        media_root = Path(settings.MEDIA_ROOT)
        folder = media_root / "evidence"
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        referenced = set(Evidence.objects.values_list("file", flat=True))
        orphans = [
            p for p in files if p.relative_to(media_root).as_posix() not in referenced
        ]
        for path in orphans:
            self.stdout.write(path.relative_to(media_root).as_posix())
        self.stdout.write(
            f"{len(files)} files on disk, {len(files) - len(orphans)} referenced, "
            f"{len(orphans)} orphans."
        )
        if not delete:
            return
        cutoff = time.time() - min_age * 60
        deleted = 0
        for path in orphans:
            if path.stat().st_mtime <= cutoff:
                path.unlink()
                deleted += 1
        kept = len(orphans) - deleted
        message = f"Deleted {deleted} orphan files."
        if kept:
            message += f" Kept {kept} younger than {min_age} minutes."
        self.stdout.write(message)
