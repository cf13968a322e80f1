"""``python manage.py snapshot_status [--backfill]``: the daily status counts that
the dashboard's completion-over-time chart reads (``StatusSnapshot``).

Without options: today's counts of every report, replacing what was taken earlier
today (``send_reminders`` does the same every morning, and the dashboard whenever
it computes a report's figures). With ``--backfill``: the days before today that
have no counts yet, rebuilt from each report's timeline; run it once after
upgrading to the release that introduced the snapshots (days already recorded are
kept, so a second run writes nothing).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.models import Report
from tracker.services.dashboard import (
    report_invalidate_dashboard,
    status_snapshots_backfill,
    status_snapshots_take,
)


class Command(BaseCommand):
    help = "Record today's status counts per report; --backfill the days before."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="Rebuild the counts of the days before today that have none, "
            "from the timeline.",
        )

    def handle(self, *args, backfill, **options):
        today = timezone.localdate()
        if backfill:
            for report in Report.objects.order_by("pk"):
                days = status_snapshots_backfill(
                    report=report, until=today - timedelta(days=1)
                )
                if days:
                    # The completion chart of a dashboard cached today shows the
                    # days only once its figures are computed again.
                    report_invalidate_dashboard(report_id=report.pk)
                self.stdout.write(f"{report}: {days} days backfilled")
        reports = status_snapshots_take(day=today)
        self.stdout.write(f"Counts of {today.isoformat()} taken for {reports} reports.")
