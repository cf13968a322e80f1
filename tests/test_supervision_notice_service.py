"""Raising the supervision level to white, yellow or red issues a numbered supervision
notice (督办单); the department replies to it. services.obligation_set_supervision,
notice_reply."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tests.factories import ObligationFactory, ReportFactory
from tests.workflow_helpers import simultaneously
from tracker import workdays
from tracker.models import (
    NoticeCounter,
    Notification,
    Obligation,
    OutboundMessage,
    ProgressUpdate,
    SupervisionNotice,
)
from tracker.services.common import ServiceError
from tracker.services.supervision import notice_reply, obligation_set_supervision

Level = Obligation.SupervisionLevel
YEAR = timezone.localdate().year


def escalate(obligation, user, level, note="进度滞后"):
    return obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=user,
        level=level,
        note=note,
    )


def test_raising_to_yellow_issues_notice_number_one_of_the_year(obligation, supervisor):
    result = escalate(obligation, supervisor, Level.YELLOW, note="两个月无进展")

    notice = SupervisionNotice.objects.get()
    assert result.new_notice == notice
    assert notice.code == f"测法督〔{YEAR}〕1号"
    assert notice.level == Level.YELLOW
    assert notice.department == obligation.department
    assert notice.reason == "两个月无进展"
    assert notice.issued_by == supervisor
    today = timezone.localdate()
    assert notice.issued_on == today
    assert notice.reply_due == workdays.add_workdays(today, 5)


def test_the_supervision_timeline_entry_names_the_notice(obligation, supervisor):
    escalate(obligation, supervisor, Level.RED)

    entry = obligation.updates.get(action=ProgressUpdate.Action.SUPERVISION)
    assert f"测法督〔{YEAR}〕1号" in entry.text


def test_notices_are_numbered_one_after_the_other(department_a, supervisor):
    obligations = ObligationFactory.create_batch(3, department=department_a)

    for obligation in obligations:
        escalate(obligation, supervisor, Level.YELLOW)
    escalate(obligations[0], supervisor, Level.RED)

    numbers = list(SupervisionNotice.objects.order_by("pk").values_list("number"))
    assert numbers == [(1,), (2,), (3,), (4,)]


def test_the_report_prefix_set_in_the_admin_is_used(department_a, supervisor):
    report = ReportFactory(organization="巫溪县", notice_prefix="巫府督")
    obligation = ObligationFactory(report=report, department=department_a)

    escalate(obligation, supervisor, Level.RED)

    assert SupervisionNotice.objects.get().code == f"巫府督〔{YEAR}〕1号"


def test_each_prefix_has_its_own_sequence(department_a, supervisor):
    wuxi = ObligationFactory(report=ReportFactory(organization="巫溪县"))
    other = ObligationFactory(report=ReportFactory(organization="奉节县"))

    escalate(wuxi, supervisor, Level.YELLOW)
    escalate(other, supervisor, Level.YELLOW)

    codes = set(SupervisionNotice.objects.values_list("prefix", "number"))
    assert codes == {("巫法督", 1), ("奉法督", 1)}


def test_raising_to_white_issues_a_numbered_white_notice(obligation, supervisor):
    result = escalate(obligation, supervisor, Level.WHITE, note="需加快进度")

    notice = SupervisionNotice.objects.get()
    assert result.new_notice == notice
    assert notice.code == f"测法督〔{YEAR}〕1号"
    assert notice.level == Level.WHITE
    assert notice.reply_due == workdays.add_workdays(timezone.localdate(), 5)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Level.RED, Level.YELLOW),
        (Level.YELLOW, Level.NONE),
        (Level.RED, Level.WHITE),
        (Level.WHITE, Level.NONE),
    ],
)
def test_lowering_issues_no_notice(obligation, supervisor, before, after):
    Obligation.objects.filter(pk=obligation.pk).update(supervision_level=before)

    result = escalate(obligation, supervisor, after)

    assert result.supervision_level == after
    assert result.new_notice is None
    assert not SupervisionNotice.objects.exists()


def test_a_rolled_back_escalation_consumes_no_number(department_a, supervisor):
    first, second = ObligationFactory.create_batch(2, department=department_a)

    with pytest.raises(RuntimeError), transaction.atomic():
        escalate(first, supervisor, Level.RED)
        raise RuntimeError("the caller's transaction fails after the escalation")

    assert not SupervisionNotice.objects.exists()
    escalate(second, supervisor, Level.RED)
    assert SupervisionNotice.objects.get().number == 1
    first.refresh_from_db()
    assert first.supervision_level == Level.NONE


def test_the_department_is_notified_of_the_notice(obligation, supervisor, staff_a):
    notice = escalate(obligation, supervisor, Level.RED).new_notice

    (notification,) = Notification.objects.filter(recipient=staff_a)
    assert notification.kind == Notification.Kind.SUPERVISION
    assert notice.code in notification.text


def test_a_rolled_back_escalation_notifies_nobody(obligation, supervisor, staff_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        escalate(obligation, supervisor, Level.RED)
        raise RuntimeError("the caller's transaction fails after the escalation")

    assert not Notification.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_a_refused_escalation_consumes_no_number(obligation, supervisor):
    Obligation.objects.filter(pk=obligation.pk).update(supervision_level=Level.RED)

    with pytest.raises(ServiceError):
        escalate(obligation, supervisor, Level.RED)

    assert not SupervisionNotice.objects.exists()
    assert not NoticeCounter.objects.filter(last_number__gt=0).exists()


def test_staff_cannot_escalate_and_no_notice_is_issued(obligation, staff_a):
    with pytest.raises(PermissionDenied):
        escalate(obligation, staff_a, Level.RED)
    assert not SupervisionNotice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_escalations_get_numbers_without_gaps_or_duplicates(
    department_a, supervisor
):
    """Several supervisors escalate different obligations at the same moment, each
    on its own database connection: the numbers are 1..N, each once. (On SQLite the
    writers queue on the database lock; on PostgreSQL on the counter row.)"""
    count = 6
    obligations = ObligationFactory.create_batch(count, department=department_a)

    outcomes = simultaneously(
        obligations,
        lambda mine: obligation_set_supervision(
            obligation=mine, user=supervisor, level=Level.RED, note="集中督办"
        ),
        load=lambda o: Obligation.objects.get(pk=o.pk),
        timeout=60,
    )

    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert errors == []
    numbers = sorted(SupervisionNotice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, count + 1))
    assert NoticeCounter.objects.get().last_number == count
    assert set(SupervisionNotice.objects.values_list("obligation", flat=True)) == {
        o.pk for o in obligations
    }


# --- Replies -----------------------------------------------------------------------


@pytest.fixture
def notice(obligation, supervisor):
    return escalate(obligation, supervisor, Level.RED).new_notice


def test_department_member_replies_and_the_timeline_shows_it(notice, staff_a):
    notice_reply(notice=notice, user=staff_a, text="已召开专题会议，月底前完成整改。")

    notice.refresh_from_db()
    assert notice.reply == "已召开专题会议，月底前完成整改。"
    assert notice.replied_by == staff_a
    assert notice.replied_at is not None
    entry = notice.obligation.updates.get(action=ProgressUpdate.Action.NOTICE_REPLY)
    assert entry.author == staff_a
    assert notice.code in entry.text
    assert "月底前完成整改" in entry.text
    assert notice.history.latest().history_user == staff_a


def test_staff_of_another_department_cannot_reply(notice, staff_b):
    with pytest.raises(PermissionDenied) as refused:
        notice_reply(notice=notice, user=staff_b, text="代为反馈")

    assert notice.code in str(refused.value)
    notice.refresh_from_db()
    assert notice.reply == ""
    assert not ProgressUpdate.objects.filter(
        action=ProgressUpdate.Action.NOTICE_REPLY
    ).exists()


def test_the_supervisor_who_issued_it_cannot_reply(notice, supervisor):
    with pytest.raises(PermissionDenied):
        notice_reply(notice=notice, user=supervisor, text="代为反馈")


def test_an_empty_reply_is_refused(notice, staff_a):
    with pytest.raises(ServiceError):
        notice_reply(notice=notice, user=staff_a, text="   ")
    notice.refresh_from_db()
    assert not notice.is_replied


def test_a_notice_is_replied_to_once(notice, staff_a):
    notice_reply(notice=notice, user=staff_a, text="第一次反馈")

    with pytest.raises(ServiceError):
        notice_reply(notice=notice, user=staff_a, text="第二次反馈")

    notice.refresh_from_db()
    assert notice.reply == "第一次反馈"
