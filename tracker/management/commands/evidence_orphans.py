"""``python manage.py evidence_orphans [--delete]``: files under MEDIA_ROOT/evidence
that no Evidence row refers to.

Uploads remove their file when their own transaction fails; this is the safety net
for the rest (a caller's outer transaction rolled back, a killed process). Files
younger than ``--min-age`` minutes are left alone when deleting, because an upload
still in its transaction has its file on disk but no committed row yet.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from tracker.models import Evidence


class Command(BaseCommand):
    help = "List (and with --delete remove) evidence files no Evidence row refers to."

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete", action="store_true", help="remove the orphan files"
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="only delete files older than this many minutes (default 60)",
        )

    def handle(self, *args, delete, min_age, **options):
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
