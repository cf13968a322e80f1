"""``manage.py send_reminders``: reminder tiers in working days, one digest per person,
the supervisors' lists, idempotence through the Reminder log (also across two
concurrent runs), --dry-run, escalation rules, and bad input."""

import datetime
import io
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ObligationFactory, UserFactory
from tests.notify_helpers import DAILY_DIGEST, choose_email
from tests.workflow_helpers import simultaneously
from tracker import workdays
from tracker.models import (
    EscalationRule,
    ExtensionRequest,
    Notification,
    Obligation,
    ProgressUpdate,
    Reminder,
    ReminderTier,
    SupervisionNotice,
)
from tracker.permissions import STAFF_GROUP
from tracker.services import reminders
from tracker.services.common import SYSTEM_USERNAME

Level = Obligation.SupervisionLevel
Status = Obligation.Status
# A Wednesday with no public holiday within two weeks either side.
DAY = datetime.date(2026, 12, 2)


def run(*args):
    out = io.StringIO()
    call_command("send_reminders", "--date", DAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def due_in(workdays_ahead):
    """The due date that is ``workdays_ahead`` working days after DAY (negative:
    overdue by that many)."""
    if workdays_ahead >= 0:
        return workdays.add_workdays(DAY, workdays_ahead)
    day = DAY
    while workdays.workdays_between(day, DAY) < -workdays_ahead:
        day -= timedelta(days=1)
    return day


def lines_of(user):
    return [
        line
        for notification in Notification.objects.filter(
            recipient=user, kind=Notification.Kind.REMINDER
        )
        for line in notification.text.splitlines()
    ]


def test_default_tiers_are_3_before_on_the_day_and_every_3_overdue(db):
    tiers = set(ReminderTier.objects.values_list("kind", "workdays", "is_active"))
    assert tiers == {("before", 3, True), ("due", 0, True), ("overdue", 3, True)}
    assert not EscalationRule.objects.filter(is_active=True).exists()


@pytest.mark.parametrize(
    ("ahead", "reminded"),
    [(4, False), (3, True), (2, False), (0, True), (-1, True), (-2, False), (-4, True)],
)
def test_tiers_fire_on_their_working_day(department_a, staff_a, ahead, reminded):
    ObligationFactory(
        department=department_a, owner=staff_a, title="规范执法", due_date=due_in(ahead)
    )

    run()

    assert bool(lines_of(staff_a)) is reminded


def test_owner_gets_one_digest_listing_all_their_items(department_a, staff_a):
    for ahead, title in ((3, "甲事项"), (0, "乙事项"), (-1, "丙事项")):
        ObligationFactory(
            department=department_a, owner=staff_a, title=title, due_date=due_in(ahead)
        )

    run()

    (notification,) = Notification.objects.filter(recipient=staff_a)
    text = notification.text
    assert "甲事项" in text and "3 个工作日" in text
    assert "乙事项" in text and "今日到期" in text
    assert "丙事项" in text and "超期 1 个工作日" in text
    assert Reminder.objects.filter(recipient=staff_a, day=DAY).count() == 3


def test_department_members_are_reminded_when_nobody_owns_the_item(
    department_a, staff_a, staff_b
):
    colleague = UserFactory(groups=[STAFF_GROUP])
    department_a.members.add(colleague)
    ObligationFactory(department=department_a, title="无人认领", due_date=due_in(0))

    run()

    assert any("无人认领" in line for line in lines_of(staff_a))
    assert any("无人认领" in line for line in lines_of(colleague))
    assert lines_of(staff_b) == []


def test_owner_only_when_the_item_has_one(department_a, staff_a):
    owner = UserFactory(groups=[STAFF_GROUP])
    ObligationFactory(department=department_a, owner=owner, due_date=due_in(0))

    run()

    assert lines_of(owner)
    assert lines_of(staff_a) == []


def test_supervisors_get_overdue_review_extension_and_unacknowledged_lists(
    department_a, staff_a, supervisor
):
    ObligationFactory(department=department_a, title="超期事项", due_date=due_in(-2))
    waiting = ObligationFactory(
        department=department_a,
        title="久待审核",
        status=Status.SUBMITTED,
        status_changed_at=timezone.make_aware(
            datetime.datetime.combine(due_in(-3), datetime.time(10))
        ),
    )
    ObligationFactory(
        department=department_a,
        title="刚提交",
        status=Status.SUBMITTED,
        status_changed_at=timezone.make_aware(
            datetime.datetime.combine(due_in(-1), datetime.time(10))
        ),
    )
    extended = ObligationFactory(
        department=department_a, title="申请延期", due_date=due_in(8)
    )
    ExtensionRequest.objects.create(
        obligation=extended,
        requested_by=staff_a,
        previous_due_date=extended.due_date,
        requested_due_date=extended.due_date + timedelta(days=30),
        reason="需要等待上级批复",
    )
    ObligationFactory(
        department=department_a,
        title="未签收事项",
        department_assigned_at=timezone.make_aware(
            datetime.datetime.combine(due_in(-2), datetime.time(9))
        ),
    )

    run()

    text = "\n".join(lines_of(supervisor))
    assert "超期事项" in text
    assert "久待审核" in text and waiting.code in text
    assert "刚提交" not in text
    assert "申请延期" in text
    assert "未签收事项" in text
    # The department is reminded to acknowledge.
    assert any("未签收事项" in line for line in lines_of(staff_a))


def test_the_digest_email_lists_every_item_once_a_day(settings, department_a, staff_a):
    mail.outbox = []
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    choose_email(staff_a, DAILY_DIGEST)
    for ahead, title in ((3, "甲事项"), (-1, "丙事项")):
        ObligationFactory(
            department=department_a, owner=staff_a, title=title, due_date=due_in(ahead)
        )

    run()
    run()

    (email,) = mail.outbox
    assert email.to == ["zhangsan@example.cn"]
    assert "甲事项" in email.body and "丙事项" in email.body
    assert "/obligations/" in email.body


def test_running_twice_the_same_day_sends_once(department_a, staff_a, supervisor):
    ObligationFactory(department=department_a, owner=staff_a, due_date=due_in(-1))

    run()
    second = run()

    assert Notification.objects.filter(recipient=staff_a).count() == 1
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert Reminder.objects.count() == 2
    assert "0 digests, 0 reminders sent; 2 already sent today." in second


def test_the_next_tier_day_reminds_again(department_a, staff_a):
    obligation = ObligationFactory(
        department=department_a, owner=staff_a, due_date=due_in(3)
    )

    run()
    later = workdays.add_workdays(DAY, 3)
    call_command("send_reminders", "--date", later.isoformat(), stdout=io.StringIO())

    assert (
        Reminder.objects.filter(obligation=obligation, recipient=staff_a).count() == 2
    )


def test_dry_run_prints_the_digests_and_writes_nothing(
    department_a, staff_a, supervisor
):
    EscalationRule.objects.update(is_active=True)
    ObligationFactory(
        department=department_a, owner=staff_a, title="超期很久", due_date=due_in(-10)
    )

    out = run("--dry-run")

    assert "Dry run, nothing written or sent" in out
    assert "超期很久" in out
    assert "Would raise" in out
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    assert not SupervisionNotice.objects.exists()
    assert not Obligation.objects.exclude(supervision_level=Level.NONE).exists()


def test_a_non_working_day_is_skipped_unless_forced(department_a, staff_a):
    saturday = datetime.date(2026, 12, 5)
    ObligationFactory(department=department_a, owner=staff_a, due_date=saturday)

    out = io.StringIO()
    call_command("send_reminders", "--date", saturday.isoformat(), stdout=out)
    assert "not a working day" in out.getvalue()
    assert not Reminder.objects.exists()

    call_command(
        "send_reminders", "--date", saturday.isoformat(), "--force", stdout=out
    )
    assert Reminder.objects.exists()


def test_a_date_that_is_not_a_date_is_a_clear_error(db):
    with pytest.raises(CommandError) as refused:
        call_command("send_reminders", "--date", "2026-13-01")
    assert "'2026-13-01' is not a date; write it as YYYY-MM-DD" in str(refused.value)


def test_a_bad_date_on_the_command_line_prints_no_traceback():
    done = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--date", "tomorrow"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "is not a date; write it as YYYY-MM-DD" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_run_retries_pending_deliveries(db, monkeypatch):
    calls = []
    monkeypatch.setattr(
        reminders,
        "deliver_pending",
        lambda **kwargs: calls.append(kwargs) or (0, 0),
    )

    run()

    assert len(calls) == 1


# --- Escalation rules ----------------------------------------------------------------


@pytest.fixture
def rules_on(db):
    EscalationRule.objects.update(is_active=True)


def test_escalation_rules_are_off_by_default(department_a, staff_a):
    obligation = ObligationFactory(department=department_a, due_date=due_in(-12))

    run()

    obligation.refresh_from_db()
    assert obligation.supervision_level == Level.NONE


@pytest.mark.parametrize(
    ("overdue", "level"),
    [(4, Level.NONE), (5, Level.YELLOW), (9, Level.YELLOW), (10, Level.RED)],
)
def test_rules_raise_the_level_by_working_days_overdue(
    rules_on, department_a, overdue, level
):
    obligation = ObligationFactory(department=department_a, due_date=due_in(-overdue))

    run()

    obligation.refresh_from_db()
    assert obligation.supervision_level == level


def test_an_automatic_escalation_is_signed_by_the_system_and_issues_a_notice(
    rules_on, department_a, staff_a
):
    obligation = ObligationFactory(department=department_a, due_date=due_in(-5))

    out = run()

    entry = obligation.updates.get(action=ProgressUpdate.Action.SUPERVISION)
    assert entry.author.username == SYSTEM_USERNAME
    assert entry.author.get_full_name() == "系统"
    assert "超期 5 个工作日" in entry.text
    notice = SupervisionNotice.objects.get(obligation=obligation)
    assert notice.level == Level.YELLOW
    assert notice.issued_by == entry.author
    assert f"Raised {obligation.code} to yellow" in out


def test_the_system_user_cannot_log_in(client, rules_on, department_a):
    ObligationFactory(department=department_a, due_date=due_in(-5))
    run()
    system = get_user_model().objects.get(username=SYSTEM_USERNAME)

    assert not system.is_active
    assert not system.has_usable_password()
    response = client.post(
        "/accounts/login/", {"username": SYSTEM_USERNAME, "password": ""}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_rules_never_lower_a_level(rules_on, department_a):
    obligation = ObligationFactory(
        department=department_a, due_date=due_in(-5), supervision_level=Level.RED
    )

    run()

    obligation.refresh_from_db()
    assert obligation.supervision_level == Level.RED
    assert not obligation.updates.exists()
    assert not SupervisionNotice.objects.exists()


def test_a_second_run_does_not_escalate_again(rules_on, department_a):
    obligation = ObligationFactory(department=department_a, due_date=due_in(-10))

    run()
    run()

    assert obligation.updates.filter(action=ProgressUpdate.Action.SUPERVISION).count()
    assert SupervisionNotice.objects.filter(obligation=obligation).count() == 1


# --- Cost -------------------------------------------------------------------------


def _obligations(count, department, owner):
    for n in range(count):
        ObligationFactory(
            department=department,
            owner=owner if n % 2 else None,
            due_date=due_in((-1, 0, 3, -4)[n % 4]),
        )


def test_query_count_does_not_grow_with_the_number_of_obligations(
    department_a, staff_a, supervisor
):
    def queries_for(count):
        Reminder.objects.all().delete()
        Notification.objects.all().delete()
        Obligation.objects.update(due_date=None)
        _obligations(count, department_a, staff_a)
        with CaptureQueriesContext(connection) as captured:
            run()
        assert Reminder.objects.count() > count  # everything was sent
        return len(captured)

    small = queries_for(8)
    large = queries_for(80)

    assert small == large


# --- Two servers at once -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(department_a, staff_a, supervisor):
    for ahead in (3, 0, -1, -4):
        ObligationFactory(
            department=department_a, owner=staff_a, due_date=due_in(ahead)
        )

    results = simultaneously(
        ["server 1", "server 2"], lambda _server: reminders.run(DAY), timeout=60
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    sent = [sum(len(lines) for lines in r.sent.values()) for r in results]
    # staff_a: 4 deadline reminders; the supervisor: 2 overdue items.
    assert sorted(sent) == [0, 6]
    assert Reminder.objects.count() == 6
    assert Notification.objects.filter(recipient=staff_a).count() == 1
    assert Notification.objects.filter(recipient=supervisor).count() == 1


@pytest.mark.parametrize("far", ["9999-12-31", "0001-01-01"])
def test_a_far_date_on_the_command_line_is_one_line_and_a_failure(far):
    done = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--date", far],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "too far from today" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_digest_subject_is_dated_by_the_runs_date(settings, department_a, staff_a):
    mail.outbox = []
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    choose_email(staff_a, DAILY_DIGEST)
    ObligationFactory(department=department_a, owner=staff_a, due_date=due_in(3))
    assert DAY != timezone.localdate()

    run()

    (email,) = mail.outbox
    assert f"{DAY.isoformat()} 每日汇总" in email.subject
