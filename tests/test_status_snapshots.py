"""StatusSnapshot: the daily counts the completion-over-time chart reads, taken by
the daily run and the dashboard, and rebuilt once from the timeline (backfill).
Every expected number is worked out by hand from the rows the test writes."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ObligationFactory, ReportFactory
from tests.pages import parse, text
from tracker.models import Obligation, ProgressUpdate, StatusSnapshot
from tracker.services.dashboard import status_snapshots_backfill, status_snapshots_take

S = Obligation.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def counts(report, day):
    return dict(
        StatusSnapshot.objects.filter(report=report, day=day).values_list(
            "status", "count"
        )
    )


def change(obligation, user, old, new, when):
    ProgressUpdate.objects.create(
        obligation=obligation,
        author=user,
        action=ProgressUpdate.Action.STATUS,
        from_status=old,
        to_status=new,
        created_at=when,
    )


@pytest.fixture
def history(db, staff_a):
    """Three obligations created on 1 March 2024 (Shanghai): A is started on the
    2nd and done at 23:30 on the 3rd; B is started at 00:30 on the 4th (16:30 UTC on
    the 3rd); C never moves. A fourth, D, is only created on the 4th."""
    report = ReportFactory()
    a, b, c = (
        ObligationFactory(report=report, status=status)
        for status in (S.DONE, S.IN_PROGRESS, S.NOT_STARTED)
    )
    d = ObligationFactory(report=report)
    # created_at is set on insert (auto_now_add): moved back by an update.
    Obligation.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(
        created_at=datetime(2024, 3, 1, 9, tzinfo=SHANGHAI)
    )
    Obligation.objects.filter(pk=d.pk).update(
        created_at=datetime(2024, 3, 4, 10, tzinfo=SHANGHAI)
    )
    change(
        a,
        staff_a,
        S.NOT_STARTED,
        S.IN_PROGRESS,
        datetime(2024, 3, 2, 10, tzinfo=SHANGHAI),
    )
    change(
        a, staff_a, S.IN_PROGRESS, S.DONE, datetime(2024, 3, 3, 23, 30, tzinfo=SHANGHAI)
    )
    change(
        b,
        staff_a,
        S.NOT_STARTED,
        S.IN_PROGRESS,
        datetime(2024, 3, 3, 16, 30, tzinfo=ZoneInfo("UTC")),
    )
    return report, (a, b, c, d)


def test_backfill_rebuilds_each_days_counts_from_the_timeline(history):
    report, _obligations = history

    written = status_snapshots_backfill(report=report, until=date(2024, 3, 5))

    assert written == 5
    assert counts(report, date(2024, 3, 1)) == {
        "not_started": 3,
        "in_progress": 0,
        "signoff": 0,
        "submitted": 0,
        "done": 0,
        "returned": 0,
    }
    assert counts(report, date(2024, 3, 2))["in_progress"] == 1
    assert counts(report, date(2024, 3, 3)) == {
        "not_started": 2,
        "in_progress": 0,
        "signoff": 0,
        "submitted": 0,
        "done": 1,
        "returned": 0,
    }
    # B started at 00:30 Shanghai time on the 4th; D exists from the 4th.
    assert counts(report, date(2024, 3, 4)) == {
        "not_started": 2,
        "in_progress": 1,
        "signoff": 0,
        "submitted": 0,
        "done": 1,
        "returned": 0,
    }
    assert counts(report, date(2024, 3, 5)) == counts(report, date(2024, 3, 4))
    assert not StatusSnapshot.objects.filter(day__lt=date(2024, 3, 1)).exists()


def test_backfill_keeps_the_days_already_recorded(history):
    report, _obligations = history
    StatusSnapshot.objects.create(
        report=report, day=date(2024, 3, 3), status=S.DONE, count=7
    )

    first = status_snapshots_backfill(report=report, until=date(2024, 3, 4))
    second = status_snapshots_backfill(report=report, until=date(2024, 3, 4))

    assert (first, second) == (3, 0)
    assert counts(report, date(2024, 3, 3)) == {"done": 7}


def test_taking_the_days_counts_replaces_what_was_taken_earlier_that_day(history):
    report, (a, b, c, d) = history
    day = date(2026, 11, 27)

    status_snapshots_take(day=day)
    Obligation.objects.filter(pk=c.pk).update(status=S.SUBMITTED)
    status_snapshots_take(day=day)

    assert counts(report, day) == {
        "not_started": 1,
        "in_progress": 1,
        "signoff": 0,
        "submitted": 1,
        "done": 1,
        "returned": 0,
    }
    assert StatusSnapshot.objects.filter(report=report).count() == len(S)


def test_the_chart_reads_the_snapshots_and_todays_count(sv_client):
    report = ReportFactory()
    ObligationFactory.create_batch(2, report=report, status=S.DONE)
    ObligationFactory(report=report)
    today = timezone.localdate()
    for days_ago, done in ((9, 1), (8, 1), (7, 3), (6, 2)):
        StatusSnapshot.objects.create(
            report=report,
            day=today - timedelta(days=days_ago),
            status=S.DONE,
            count=done,
        )

    page = sv_client.get("/").content.decode()

    rows = parse(page).xpath("//table[contains(@class, 'over-time-data')]//tr[td]")
    assert [[text(cell) for cell in row.xpath("./td")] for row in rows] == [
        [(today - timedelta(days=9)).isoformat(), "1", "1"],
        [(today - timedelta(days=7)).isoformat(), "2", "3"],
        [(today - timedelta(days=6)).isoformat(), "-1", "2"],
    ]
    # Today's count (2 done) equals the last day's: no new row. The page stored
    # nothing: today's snapshot is the daily command's to take.
    assert counts(report, today) == {}


def test_send_reminders_takes_the_days_counts_even_on_a_day_off(history, today_is):
    report, _obligations = history
    sunday = today_is(date(2026, 11, 29))
    out = io.StringIO()

    call_command("send_reminders", stdout=out)

    assert "not a working day" in out.getvalue()
    assert counts(report, sunday) == {
        "not_started": 2,
        "in_progress": 1,
        "signoff": 0,
        "submitted": 0,
        "done": 1,
        "returned": 0,
    }


def test_a_dry_run_of_send_reminders_takes_no_counts(history):
    call_command("send_reminders", "--dry-run", stdout=io.StringIO())

    assert not StatusSnapshot.objects.exists()


def test_snapshot_status_backfill_command_says_what_it_wrote(history):
    report, _obligations = history
    out = io.StringIO()

    call_command("snapshot_status", "--backfill", stdout=out)
    again = io.StringIO()
    call_command("snapshot_status", "--backfill", stdout=again)

    assert StatusSnapshot.objects.filter(report=report, day=date(2024, 3, 1)).exists()
    assert f"{report}: 0 days backfilled" in again.getvalue()
    assert "days backfilled" in out.getvalue()


def test_backfilled_days_show_on_a_dashboard_cached_before(sv_client, history):
    report, _obligations = history
    url = f"/?report={report.pk}"

    def days():
        page = parse(sv_client.get(url).content.decode())
        cells = page.xpath("//table[contains(@class, 'over-time-data')]//td[1]")
        return [text(cell) for cell in cells]

    assert "2024-03-03" not in days()

    call_command("snapshot_status", "--backfill", stdout=io.StringIO())

    assert "2024-03-03" in days()
