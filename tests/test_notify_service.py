"""services.notify and the events that call it: who hears about what, in the
transaction of the change."""

import pytest
from django.db import transaction

from tests.factories import ObligationFactory, UserFactory
from tests.notify_helpers import EVERY_EVENT, choose_email
from tests.workflow_helpers import approve, set_status, upload
from tracker.models import (
    Notification,
    NotificationPreference,
    Obligation,
    OutboundMessage,
)
from tracker.notifications.events import notify
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_assign, obligation_transition

S = Obligation.Status
Kind = Notification.Kind


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


@pytest.fixture
def email_on(settings):
    settings.EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_assigning_a_department_notifies_its_members_and_the_owner(
    obligation, department_b, staff_a, staff_b, supervisor
):
    owner = UserFactory(username="owner", first_name="赵责任人", groups=["staff"])
    department_b.members.add(owner)

    obligation_assign(
        obligation=obligation, user=supervisor, department=department_b, owner=owner
    )

    assert [n.kind for n in inbox(staff_b)] == [Kind.ASSIGNED]
    assert [n.kind for n in inbox(owner)] == [Kind.ASSIGNED]
    assert inbox(staff_a) == []  # the department that lost it
    assert inbox(supervisor) == []  # nobody hears about their own action
    text = inbox(staff_b)[0].text
    assert "王督查" in text and "县政务服务管理办公室" in text
    assert inbox(staff_b)[0].obligation == obligation


def test_changing_only_the_owner_notifies_the_new_owner_alone(
    obligation, staff_a, supervisor
):
    owner = UserFactory(username="owner", groups=["staff"])
    obligation.department.members.add(owner)

    obligation_assign(obligation=obligation, user=supervisor, owner=owner)

    assert [n.kind for n in inbox(owner)] == [Kind.ASSIGNED]
    assert inbox(staff_a) == []


def test_changing_only_the_due_date_notifies_nobody(obligation, staff_a, supervisor):
    import datetime

    obligation_assign(
        obligation=obligation, user=supervisor, due_date=datetime.date(2030, 6, 30)
    )

    assert Notification.objects.count() == 0


def test_submitting_for_review_notifies_the_supervisors(
    obligation, staff_a, supervisor
):
    other_supervisor = UserFactory(username="sv2", groups=["supervisor"])
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)

    obligation_transition(
        obligation=obligation, user=staff_a, to_status=S.SUBMITTED, note="已完成"
    )

    assert [n.kind for n in inbox(supervisor)] == [Kind.SUBMITTED]
    assert [n.kind for n in inbox(other_supervisor)] == [Kind.SUBMITTED]
    assert inbox(staff_a) == []
    assert "张三" in inbox(supervisor)[0].text and "已完成" in inbox(supervisor)[0].text


def test_returning_notifies_the_working_staff_with_the_reason(
    obligation, staff_a, supervisor
):
    set_status(obligation, S.SUBMITTED)

    obligation_transition(
        obligation=obligation, user=supervisor, to_status=S.RETURNED, note="材料不全"
    )

    [notification] = inbox(staff_a)
    assert notification.kind == Kind.RETURNED
    assert "材料不全" in notification.text


def test_approving_notifies_the_working_staff(obligation, staff_a, supervisor):
    set_status(obligation, S.SUBMITTED)

    approve(obligation, supervisor)

    assert [n.kind for n in inbox(staff_a)] == [Kind.APPROVED]


def test_starting_work_notifies_nobody(obligation, staff_a, supervisor):
    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    assert Notification.objects.count() == 0


def test_raising_supervision_notifies_the_working_staff(
    obligation, staff_a, supervisor
):
    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.YELLOW,
        note="进度滞后",
    )

    [notification] = inbox(staff_a)
    assert notification.kind == Kind.SUPERVISION
    assert "黄色督办" in notification.text and "进度滞后" in notification.text


def test_lowering_supervision_notifies_nobody(obligation, staff_a, supervisor):
    Obligation.objects.filter(pk=obligation.pk).update(
        supervision_level=Obligation.SupervisionLevel.RED
    )
    obligation.refresh_from_db()

    obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.WHITE,
        note="已整改",
    )

    assert Notification.objects.count() == 0


def test_inactive_accounts_are_not_notified(obligation, staff_a, supervisor):
    staff_a.is_active = False
    staff_a.save()
    set_status(obligation, S.SUBMITTED)

    approve(obligation, supervisor)

    assert Notification.objects.count() == 0


def test_a_change_that_rolls_back_writes_and_sends_nothing(
    obligation,
    department_a,
    staff_a,
    supervisor,
    email_on,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)
    department_a.webhook_url = "http://127.0.0.1:9/robot"
    department_a.save()
    set_status(obligation, S.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            approve(obligation, supervisor)
            assert Notification.objects.count() == 1  # written with the change
            raise RuntimeError("the request failed after the service")

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert OutboundMessage.objects.count() == 0
    assert mailoutbox == []
    assert Obligation.objects.get(pk=obligation.pk).status == S.SUBMITTED


def test_every_event_by_email_queues_an_email_for_after_the_commit(
    obligation,
    staff_a,
    supervisor,
    email_on,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    choose_email(staff_a, EVERY_EVENT)
    set_status(obligation, S.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve(obligation, supervisor)
        assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    [mail] = mailoutbox
    assert mail.to == ["zhangsan@example.cn"]
    assert "审核通过" in mail.subject and obligation.code in mail.subject
    assert f"/obligations/{obligation.pk}/" in mail.body
    assert OutboundMessage.objects.get().state == OutboundMessage.State.SENT


@pytest.mark.parametrize(
    ("choice", "address", "digest_pending", "emails"),
    [
        (None, "a@example.cn", True, 0),  # the default: a daily digest
        (NotificationPreference.Email.DAILY_DIGEST, "a@example.cn", True, 0),
        (NotificationPreference.Email.EVERY_EVENT, "a@example.cn", False, 1),
        (NotificationPreference.Email.INBOX_ONLY, "a@example.cn", False, 0),
        (NotificationPreference.Email.EVERY_EVENT, "", False, 0),  # no address
    ],
)
def test_notify_follows_the_recipients_choice(
    obligation, staff_a, email_on, choice, address, digest_pending, emails
):
    if choice:
        NotificationPreference.objects.create(user=staff_a, email=choice)
    staff_a.email = address
    staff_a.save()

    [row] = notify(
        recipients=[staff_a], obligation=obligation, kind=Kind.REMINDER, text="提醒"
    )

    assert row.digest_pending is digest_pending
    assert OutboundMessage.objects.filter(recipient=staff_a).count() == emails


def test_without_a_mail_server_everyone_gets_the_inbox_only(
    obligation, staff_a, settings
):
    settings.EMAIL_ENABLED = False
    choose_email(staff_a, EVERY_EVENT)

    [row] = notify(
        recipients=[staff_a], obligation=obligation, kind=Kind.REMINDER, text="提醒"
    )

    assert not row.digest_pending
    assert OutboundMessage.objects.count() == 0


def test_notify_without_email_writes_the_inbox_only(obligation, staff_a, email_on):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save()

    notify(
        recipients=[staff_a, staff_a],
        obligation=obligation,
        kind=Kind.REMINDER,
        text="提醒",
        email=False,
    )

    [row] = inbox(staff_a)  # a recipient named twice gets one row
    assert not row.digest_pending
    assert OutboundMessage.objects.count() == 0


def test_an_obligation_with_nobody_responsible_notifies_nobody(staff_b, supervisor):
    UserFactory(username="no_department", groups=["staff"])
    unassigned = ObligationFactory()
    set_status(unassigned, S.SUBMITTED)

    obligation_transition(
        obligation=unassigned, user=supervisor, to_status=S.RETURNED, note="退回"
    )

    assert Notification.objects.count() == 0
