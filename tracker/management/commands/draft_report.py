"""``python manage.py draft_report REPORT_ID --output FILE.docx``: the draft of the
report after this one, written from the finished work and its evidence.

A thin wrapper over ``selectors.reports.report_draft`` and
``documents.report_draft_docx`` (the report page's button gives the same file). A report
with no finished item, or an output that cannot be written or already exists, ends with
one line on stderr and a non-zero exit, and no file is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext

from tracker import documents
from tracker.models import Obligation, Report
from tracker.selectors.reports import report_draft


class Command(BaseCommand):
    help = (
        "Write a Word draft of next year's rule-of-law report from the report's "
        "finished work items and tasks, their progress notes and evidence."
    )

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int, help="the report's id")
        parser.add_argument("--output", required=True, help="the .docx file to write")

    def handle(self, *args, report_id, output, **options):
        report = Report.objects.filter(pk=report_id).first()
        if report is None:
            raise CommandError(gettext("No report with id %(id)s.") % {"id": report_id})
        output = Path(output)
        if not output.parent.is_dir():
            raise CommandError(
                gettext("The folder %(folder)s does not exist.")
                % {"folder": output.parent}
            )
        draft = report_draft(Obligation.objects.all(), report=report)
        try:
            content = documents.report_draft_docx(draft, today=timezone.localdate())
        except documents.DocumentError as error:
            raise CommandError(str(error)) from None
        try:
            # "x": the draft is edited where it is written; a second run must not
            # replace the writer's work (archive_report refuses the same way).
            with output.open("xb") as file:
                file.write(content)
        except FileExistsError:
            raise CommandError(
                gettext("%(path)s already exists; nothing was written.")
                % {"path": output}
            ) from None
        self.stdout.write(
            gettext("Wrote %(path)s (%(size)d bytes): %(title)s")
            % {"path": output, "size": len(content), "title": report.title}
        )
