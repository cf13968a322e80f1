"""``manage.py send_reminders [--date YYYY-MM-DD] [--dry-run] [--force]``: the daily
reminders, digests and escalation rules (tracker.reminders), then the retry of
failed emails and group-chat posts. Run every morning (docs/deploy.md): it also
records the day's status counts, also on days that are not working days; safe to
run twice, or on every app server at once."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import dates
from tracker.models import display_name
from tracker.selectors.reminders import unreachable_departments
from tracker.services import reminders
from tracker.services.dashboard import status_snapshots_take


def _date(value):
    """The ``--date`` given, checked here rather than by argparse, so that a bad
    value is one line (``CommandError: …``) and a non-zero exit, not a usage text or
    a traceback. A day far from today (9999-12-31, 0001-01-01) is refused: the run
    would date its reminders and escalations by it."""
    if value is None:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-30"
        ) from None
    first, last = dates.window(timezone.localdate().year)
    if not first <= day <= last:
        raise CommandError(
            f"{value} is too far from today; give a day from {first} to {last}."
        )
    return day


class Command(BaseCommand):
    help = (
        "Send the day's reminders (one digest per person), apply the escalation "
        "rules and retry failed emails and group-chat posts. Skips days that are "
        "not working days unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="The day to run for (YYYY-MM-DD); default: today in Asia/Shanghai.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent and escalated; write and send nothing.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even if the day is not a working day.",
        )

    def handle(self, *args, date, dry_run, force, **options):
        date = _date(date)
        today = timezone.localdate()
        if not dry_run and date in (None, today):
            # Every day, working or not (the timer fires daily): the day's status
            # counts for the dashboard's completion chart (StatusSnapshot).
            status_snapshots_take(day=today)
        result = reminders.run(date, dry_run=dry_run, force=force)
        day = result.day.isoformat()
        if result.skipped:
            self.stdout.write(
                f"{day} is not a working day: nothing sent (--force runs anyway)."
            )
            return
        head = "Dry run, nothing written or sent" if dry_run else "Sent"
        self.stdout.write(f"{head}: reminders of {day}")
        verb = "Would raise" if dry_run else "Raised"
        for escalation in result.escalated:
            obligation = escalation.obligation
            self.stdout.write(
                f"{verb} {obligation.code} to {escalation.level} "
                f"(overdue {escalation.overdue_workdays} working days)"
            )
        for user, lines in result.sent.items():
            name = display_name(user)
            self.stdout.write(f"{name} <{user.email or 'no email'}>: {len(lines)}")
            for number, line in enumerate(lines, 1):
                self.stdout.write(f"  {number}. {line.text}")
        self.stdout.write(
            f"{len(result.sent)} digests, "
            f"{sum(len(lines) for lines in result.sent.values())} reminders"
            + (" to send" if dry_run else " sent")
            + f"; {result.already_sent} already sent today."
        )
        if not dry_run:
            self.stdout.write(
                f"Wrote {result.digests_delivered} other digests and "
                f"handed {result.messages_delivered} pending messages to the worker."
            )
        self._warn_unreachable()

    def _warn_unreachable(self):
        # On stderr, so that a cron mail or the journal shows it apart from the
        # day's routine output: these items reminded nobody, or only the inbox.
        rows = unreachable_departments()
        if not rows:
            return
        self.stderr.write(
            f"Nobody to remind in {len(rows)} departments with open items "
            "(add members with an email address, or a group chat robot):"
        )
        for row in rows:
            why = (
                "no member"
                if row.reaches_nobody
                else "no member with an email address, no group chat robot"
            )
            self.stderr.write(
                f"  {row.department.name}: {row.open_items} open items, {why}"
            )
