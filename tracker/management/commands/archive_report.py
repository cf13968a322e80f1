"""``python manage.py archive_report REPORT_ID --output FILE.zip``: a report's
一事一档 archive (``tracker.archive``).

The zip is written next to FILE under a temporary name and renamed when complete,
so FILE is either the whole archive or absent; an existing FILE is never
overwritten. An evidence file missing from storage does not stop the archive: it is
named in the manifest and the summary, on stderr, and the exit status is non-zero.
``--close`` closes the report first (the "archive and close" of the year's end), so
the archive records who closed it and when.
"""

import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from tracker import archive, permissions
from tracker.models import Report
from tracker.services.common import ServiceError, system_user
from tracker.services.reports import report_archived, report_close


class Command(BaseCommand):
    help = (
        "Write a report's archive (一事一档) as one zip: a folder per obligation with "
        "its text, record and evidence, the report's text, a summary sheet and a "
        "manifest of every file's SHA-256. Check it with verify_archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int, help="the report's id")
        parser.add_argument("--output", required=True, help="the zip to write")
        parser.add_argument(
            "--user",
            help="user name recorded as the archive's maker (a supervisor or an "
            "administrator); without it, the system account",
        )
        parser.add_argument(
            "--close",
            action="store_true",
            help="close the report first (needs --user); the archive records it",
        )
        parser.add_argument(
            "--reason",
            default="",
            help="why the report is closed (required with --close)",
        )

    def handle(self, *args, report_id, output, user, close, reason, **options):
        report = Report.objects.filter(pk=report_id).first()
        if report is None:
            raise CommandError(
                gettext("There is no report with id %(id)s.") % {"id": report_id}
            )
        maker = self._user(user) if user else system_user()
        if user and not permissions.can_archive_report(maker):
            raise CommandError(
                gettext(
                    "%(user)s may not archive a report: it holds every department's "
                    "evidence (supervisors and administrators only)."
                )
                % {"user": user}
            )
        if close and not user:
            raise CommandError(gettext("--close needs --user: who closes the report."))
        target = Path(output)
        if target.exists():
            raise CommandError(
                gettext("%(path)s already exists; nothing was written.")
                % {"path": target}
            )
        if not target.parent.is_dir():
            raise CommandError(
                gettext("The folder %(path)s does not exist; nothing was written.")
                % {"path": target.parent}
            )
        try:
            if close:
                report = report_close(report=report, user=maker, reason=reason)
            result = self._write(report, target, maker)
            report_archived(
                report=report, user=maker, note=archive.archive_note(result)
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            gettext("Archive written: %(path)s (%(files)d files, manifest %(digest)s)")
            % {"path": target, "files": result.files, "digest": result.digest[:16]}
        )
        if result.problems:
            for problem in result.problems:
                self.stderr.write(
                    f"{problem['obligation']} {problem['original_name']}: "
                    f"{problem['detail']}"
                )
            raise CommandError(
                gettext(
                    "%(count)d evidence files could not be archived as uploaded; the "
                    "manifest and the summary name them."
                )
                % {"count": len(result.problems)}
            )

    def _user(self, username):
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                gettext("No such user: %(user)s") % {"user": username}
            ) from None

    def _write(self, report, target, maker):
        # A temporary name in the same folder, renamed once complete: the output
        # is never half an archive.
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=".archive-", suffix=".partial"
        )
        try:
            with os.fdopen(handle, "w+b") as file:
                result = archive.write_archive(report, file, user=maker)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return result
