"""manage.py setup_demo: demo accounts and data for `make run`, idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tracker.models import (
    Chase,
    Department,
    Instruction,
    LeaderLevel,
    Obligation,
    Part,
    ProgressUpdate,
    Report,
    Schedule,
    SupervisionNotice,
)
from tracker.selectors.schedules import schedule_table

User = get_user_model()


def _run():
    out = StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def first_run(db):
    return _run()


def test_creates_the_demo_accounts_with_their_roles(first_run):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("demo-admin-2023")
    supervisor = User.objects.get(username="supervisor")
    assert list(supervisor.groups.values_list("name", flat=True)) == ["supervisor"]
    staff1 = User.objects.get(username="staff1")
    assert list(staff1.groups.values_list("name", flat=True)) == ["staff"]
    assert list(staff1.departments.values_list("name", flat=True)) == ["县司法局"]
    staff2 = User.objects.get(username="staff2")
    assert list(staff2.departments.values_list("name", flat=True)) == [
        "县政务服务管理办公室"
    ]


def test_prints_the_credentials_as_demo_only(first_run):
    assert "DEMO ONLY" in first_run
    assert "demo-admin-2023" in first_run


def test_loads_the_wuxi_report_and_assigns_a_subset_through_the_services(first_run):
    assert Report.objects.get().organization == "巫溪县"
    assigned = Obligation.objects.exclude(department=None)
    assert 10 <= assigned.count() < Obligation.objects.count()
    admin = User.objects.get(username="admin")
    entries = ProgressUpdate.objects.filter(action=ProgressUpdate.Action.ASSIGN)
    assert entries.exists()
    assert set(entries.values_list("author", flat=True)) == {admin.pk}
    assert Obligation.objects.filter(status=Obligation.Status.IN_PROGRESS).exists()
    sample = assigned.first()
    assert sample.history.latest().history_user is not None


def test_demo_approvals_are_rated_through_the_service_one_of_each(first_run):
    done = Obligation.objects.filter(status=Obligation.Status.DONE)
    assert sorted(done.values_list("rating", flat=True)) == sorted(
        Obligation.Rating.values
    )
    for obligation in done:
        approval = obligation.updates.get(to_status=Obligation.Status.DONE)
        assert approval.author.username == "supervisor"
        assert f"考评结果：{obligation.get_rating_display()}" in approval.text
    unexplained = done.filter(
        rating__in=[Obligation.Rating.FAIR, Obligation.Rating.POOR], rating_comment=""
    )
    assert not unexplained.exists()


def test_second_run_keeps_passwords_and_data(first_run):
    admin = User.objects.get(username="admin")
    admin.set_password("changed-by-the-admin")
    admin.save()
    obligation = Obligation.objects.exclude(department=None).first()
    obligation.due_date = None
    obligation.save()
    counts = (
        User.objects.count(),
        Department.objects.count(),
        Report.objects.count(),
        ProgressUpdate.objects.count(),
    )

    _run()

    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-admin")
    obligation.refresh_from_db()
    assert obligation.due_date is None
    assert counts == (
        User.objects.count(),
        Department.objects.count(),
        Report.objects.count(),
        ProgressUpdate.objects.count(),
    )


def test_town1_holds_a_part_of_an_item_led_by_the_justice_bureau(first_run):
    part = Part.objects.get(department__members__username="town1")
    assert part.department.kind == Department.Kind.TOWNSHIP
    assert part.obligation.department.name == "县司法局"
    assert part.status == Part.Status.NOT_ACKNOWLEDGED


def test_head1_has_one_submission_waiting_for_sign_off(first_run):
    head1 = User.objects.get(username="head1")
    bureau = Department.objects.get(name="县司法局")
    assert bureau.signoff_required
    assert list(head1.headed_departments.all()) == [bureau]
    waiting = Obligation.objects.filter(
        status=Obligation.Status.SIGNOFF, department__heads=head1
    )
    assert waiting.count() == 1


def test_the_demo_has_a_chased_item(first_run):
    assert Chase.objects.get().chased_by.username == "supervisor"


def test_the_demo_schedule_has_one_missed_period(first_run):
    schedule = Schedule.objects.get()
    table = schedule_table(schedule, today=timezone.localdate())
    assert len(table.periods) == 2
    assert {row.cells[0] for row in table.rows} == {"missing"}


def test_creates_a_principal_leader_account(first_run):
    leader = User.objects.get(username="leader")
    assert list(leader.groups.values_list("name", flat=True)) == ["leader"]
    assert leader.account_profile.leader_level == LeaderLevel.PRINCIPAL
    assert leader.check_password("demo-leader-2023")
    assert "demo-leader-2023" in first_run


def test_a_red_notice_is_issued_in_the_leaders_name(first_run):
    leader = User.objects.get(username="leader")
    notice = SupervisionNotice.objects.get(leader=leader)
    assert notice.level == Obligation.SupervisionLevel.RED
    assert notice.is_signed
    assert Instruction.objects.filter(author=leader).count() == 1


def test_a_second_run_issues_no_second_leaders_notice(first_run):
    _run()
    assert SupervisionNotice.objects.filter(leader__isnull=False).count() == 1
    assert Instruction.objects.count() == 1
