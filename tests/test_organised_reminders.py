"""The daily reminders of issue 22's work: a co-operating unit's overdue or
unacknowledged part, and the progress reports (调度) due soon or missed."""

from datetime import date, timedelta

import pytest

from tests.factories import DepartmentFactory, UserFactory
from tracker.models import Notification, OutboundMessage, Part, Schedule
from tracker.services import reminders
from tracker.services.parts import part_add
from tracker.services.schedules import progress_report_file

pytestmark = pytest.mark.usefixtures("english")

DAY = date(2026, 12, 22)  # a Tuesday; December's period is due on the 25th


@pytest.fixture
def town1(db):
    township = DepartmentFactory(name="城关镇", kind="township")
    user = UserFactory(username="town1", groups=["staff"])
    township.members.add(user)
    return user


def _texts(plan, user):
    return [line.text for line in plan.digests.get(user, [])]


def test_an_overdue_part_reminds_the_co_operating_unit(
    obligation, supervisor, town1, staff_a
):
    part = part_add(
        obligation=obligation,
        user=supervisor,
        department=town1.departments.get(),
    )
    Part.objects.filter(pk=part.pk).update(
        due_date=DAY - timedelta(days=7), status=Part.Status.IN_PROGRESS
    )

    plan = reminders.plan(DAY)

    assert any("the part of 城关镇 is overdue" in t for t in _texts(plan, town1))
    assert not any("城关镇" in t for t in _texts(plan, staff_a))


def test_a_progress_report_due_soon_is_reminded_until_filed(
    obligation, staff_a, today_is
):
    Schedule.objects.create(
        report=obligation.report, starts_on=date(2026, 12, 1), day=25
    )

    plan = reminders.plan(DAY)
    assert any(
        "file the progress report for 2026-12" in t for t in _texts(plan, staff_a)
    )

    today_is(DAY)
    progress_report_file(obligation=obligation, user=staff_a, progress="进展顺利")
    plan = reminders.plan(DAY)
    assert not any("progress report" in t for t in _texts(plan, staff_a))


def test_a_missed_period_is_said_to_be_not_filed_on_time(obligation, staff_a):
    Schedule.objects.create(
        report=obligation.report, starts_on=date(2026, 11, 1), day=20
    )

    plan = reminders.plan(date(2026, 12, 23))

    assert any("2026-12 was not filed on time" in t for t in _texts(plan, staff_a))


def test_a_run_sends_the_part_reminder_once_and_not_to_the_lead_units_chat(
    obligation, supervisor, town1, department_a, staff_a
):
    department_a.webhook_url = "http://127.0.0.1:9/robot"
    department_a.save()
    # The item itself is overdue too, so the lead unit's chat gets a digest.
    obligation.due_date = DAY - timedelta(days=1)
    obligation.save()
    part = part_add(
        obligation=obligation, user=supervisor, department=town1.departments.get()
    )
    Part.objects.filter(pk=part.pk).update(
        due_date=DAY - timedelta(days=7), status=Part.Status.IN_PROGRESS
    )

    reminders.run(DAY, force=True)
    reminders.run(DAY, force=True)

    sent = Notification.objects.filter(recipient=town1, kind=Notification.Kind.REMINDER)
    assert sent.count() == 1 and "城关镇" in sent.get().text
    chat = OutboundMessage.objects.filter(channel=OutboundMessage.Channel.WEBHOOK)
    assert chat.exists()
    assert not chat.filter(body__contains="城关镇").exists()
