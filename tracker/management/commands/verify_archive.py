"""``python manage.py verify_archive FILE.zip``: check an archive made by
``archive_report`` (or the admin, or the report page) against its manifest.

Every file the manifest lists is re-hashed; the exit status is non-zero, and each
line names the file, when one is missing, changed or not in the manifest. A zip that
is not such an archive, or whose manifest was edited, ends with one message saying
so."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from tracker import archive


class Command(BaseCommand):
    help = "Check a report archive (一事一档 zip) against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive (.zip)")
        parser.add_argument(
            "--skip-signature",
            action="store_true",
            help="do not require this installation's signature on the manifest "
            "(for an archive made by another installation)",
        )

    def handle(self, *args, path, skip_signature, **options):
        try:
            result = archive.verify_archive(path, check_signature=not skip_signature)
        except archive.ArchiveError as error:
            raise CommandError(str(error)) from None
        report = result.manifest.get("report", {})
        maker = result.manifest.get("archived_by", {})
        for label, names in (
            (gettext("missing"), result.missing),
            (gettext("changed"), result.changed),
            (gettext("extra"), result.extra),
        ):
            for name in names:
                self.stderr.write(f"{label}: {name}")
        if not result.ok:
            raise CommandError(
                gettext(
                    "The archive does not match its manifest: %(missing)d missing, "
                    "%(changed)d changed, %(extra)d extra."
                )
                % {
                    "missing": len(result.missing),
                    "changed": len(result.changed),
                    "extra": len(result.extra),
                }
            )
        self.stdout.write(
            gettext(
                "OK: %(count)d files match the manifest of “%(title)s”, archived at "
                "%(when)s by %(who)s."
            )
            % {
                "count": result.checked,
                "title": report.get("title", ""),
                "when": result.manifest.get("archived_at", ""),
                "who": maker.get("name", ""),
            }
        )
        for problem in result.recorded_problems:
            self.stderr.write(
                gettext("Already missing when archived: %(path)s (%(detail)s)")
                % {"path": problem.get("path"), "detail": problem.get("detail")}
            )
