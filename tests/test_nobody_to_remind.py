"""Departments with open items and nobody to remind (no member; or no member with
an email address and no group chat robot): named on the dashboard for admins and
supervisors, and by ``send_reminders``."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tests.workflow_helpers import rename_in_admin
from tracker.models import Obligation
from tracker.selectors.reminders import unreachable_departments
from tracker.services.accounts import account_create
from tracker.services.dashboard import report_invalidate_dashboard
from tracker.services.workflow import obligation_assign

DAY = datetime.date(2026, 12, 2)


@pytest.fixture
def report(db):
    return ReportFactory()


@pytest.fixture
def empty(report):
    department = DepartmentFactory(name="县统计局")
    ObligationFactory(report=report, department=department)
    ObligationFactory(report=report, department=department)
    return department


@pytest.fixture
def inbox_only(report):
    department = DepartmentFactory(name="县档案馆")
    department.members.add(UserFactory(username="no_address", email=""))
    ObligationFactory(report=report, department=department)
    return department


def names(rows):
    return [row.department.name for row in rows]


def test_a_department_with_open_items_and_no_member_is_named(empty):
    [row] = unreachable_departments()
    assert (row.department, row.open_items, row.reaches_nobody) == (empty, 2, True)


def test_members_without_address_and_no_robot_reach_the_inbox_only(inbox_only):
    [row] = unreachable_departments()
    assert (row.department, row.members, row.reaches_nobody) == (inbox_only, 1, False)


def test_a_robot_or_an_address_is_enough(inbox_only):
    inbox_only.webhook_url = "http://127.0.0.1:9/robot"
    inbox_only.save()
    assert unreachable_departments() == []
    inbox_only.webhook_url = ""
    inbox_only.save()
    inbox_only.members.add(UserFactory(username="has_address", email="a@x.cn"))
    assert unreachable_departments() == []


def test_a_deactivated_member_does_not_count(report):
    department = DepartmentFactory(name="县统计局")
    department.members.add(UserFactory(username="gone", is_active=False))
    ObligationFactory(report=report, department=department)
    assert names(unreachable_departments()) == ["县统计局"]


def test_done_items_and_closed_reports_need_no_reminder(report):
    department = DepartmentFactory(name="县统计局")
    ObligationFactory(
        report=report, department=department, status=Obligation.Status.DONE
    )
    closed = ReportFactory(year=2021, closed_at=timezone.now())
    ObligationFactory(report=closed, department=department)
    DepartmentFactory(name="县档案馆")  # nothing assigned
    assert unreachable_departments() == []


def test_dashboard_names_them_for_supervisors(sv_client, empty, inbox_only):
    content = sv_client.get(reverse("tracker:dashboard")).content.decode()
    assert 'data-warning="nobody-to-remind"' in content
    assert "县统计局" in content and "no member: its reminders go to nobody" in content
    assert "县档案馆" in content and "reminders reach the inbox only" in content


def test_dashboard_names_them_for_admins_with_a_link_to_the_admin(
    tracker_admin_client, empty
):
    content = tracker_admin_client.get(reverse("tracker:dashboard")).content.decode()
    assert 'data-warning="nobody-to-remind"' in content
    assert reverse("admin:tracker_department_change", args=[empty.pk]) in content


def test_staff_do_not_see_the_warning(client, staff_a, empty):
    client.force_login(staff_a)
    content = client.get(reverse("tracker:dashboard")).content.decode()
    assert "nobody-to-remind" not in content


def test_no_warning_when_every_department_is_reachable(sv_client, report, staff_a):
    staff_a.email = "zhangsan@example.cn"
    staff_a.save()
    ObligationFactory(report=report, department=staff_a.departments.get())
    content = sv_client.get(reverse("tracker:dashboard")).content.decode()
    assert "nobody-to-remind" not in content


def test_send_reminders_names_them(empty, inbox_only):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", "--date", DAY.isoformat(), stdout=out, stderr=err)
    assert "Nobody to remind in 2 departments with open items" in err.getvalue()
    assert "县统计局: 2 open items, no member" in err.getvalue()
    assert "县档案馆: 1 open items, no member with an email address" in err.getvalue()


def test_dry_run_names_them_too(empty):
    err = io.StringIO()
    call_command(
        "send_reminders",
        "--date",
        DAY.isoformat(),
        "--dry-run",
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "县统计局: 2 open items, no member" in err.getvalue()


def open_items_named(client):
    """{department name: open items} as the supervisor's dashboard names them."""
    content = client.get(reverse("tracker:dashboard")).content.decode()
    return {
        name: int(count)
        for name, count in re.findall(r">([^<]+)</a>:\s*(\d+) open item", content)
    }


def test_dashboard_counts_follow_an_assignment_on_the_next_request(
    sv_client, supervisor, empty, inbox_only
):
    assert open_items_named(sv_client) == {"县统计局": 2, "县档案馆": 1}
    moved = Obligation.objects.filter(department=empty).first()

    obligation_assign(obligation=moved, user=supervisor, department=inbox_only)

    assert open_items_named(sv_client) == {"县统计局": 1, "县档案馆": 2}


def test_dashboard_counts_follow_an_import_on_the_next_request(sv_client, empty):
    assert open_items_named(sv_client) == {"县统计局": 2}
    later = ReportFactory(year=2023)
    ObligationFactory(report=later, department=empty)
    # What an import does once its obligations are written.
    report_invalidate_dashboard(report_id=later.pk)

    assert open_items_named(sv_client) == {"县统计局": 3}


def test_supervisors_get_no_link_to_the_admin_they_cannot_enter(sv_client, empty):
    content = sv_client.get(reverse("tracker:dashboard")).content.decode()
    assert "县统计局" in content
    assert reverse("admin:tracker_department_change", args=[empty.pk]) not in content


def test_the_warning_follows_a_new_member_and_a_new_name_on_the_next_request(
    sv_client, tracker_admin, empty, inbox_only
):
    # The warning is cached with the reports' revisions: a member or a name,
    # written the ways an administrator writes them, must still show at once.
    assert open_items_named(sv_client) == {"县统计局": 2, "县档案馆": 1}
    account_create(
        user=get_user_model()(username="with_address", email="a@example.cn"),
        role="staff",
        departments=[inbox_only],
        temporary_password=False,
    )
    assert open_items_named(sv_client) == {"县统计局": 2}
    response = rename_in_admin(tracker_admin, empty, "县统计局（更名）")
    assert response.status_code == 302

    assert open_items_named(sv_client) == {"县统计局（更名）": 2}


def test_a_member_deactivated_in_the_admin_shows_on_the_next_request(
    sv_client, tracker_admin, report
):
    department = DepartmentFactory(name="县审计局")
    member = UserFactory(username="only_member", email="m@example.cn")
    department.members.add(member)
    ObligationFactory(report=report, department=department)
    assert open_items_named(sv_client) == {}
    admin = Client()
    admin.force_login(tracker_admin)

    admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [member.pk]},
    )

    assert open_items_named(sv_client) == {"县审计局": 1}


def test_an_administrators_warning_is_never_shown_to_a_supervisor(
    tracker_admin, supervisor, empty
):
    link = reverse("admin:tracker_department_change", args=[empty.pk])
    admin_client, supervisor_client = Client(), Client()
    admin_client.force_login(tracker_admin)
    supervisor_client.force_login(supervisor)
    assert link in admin_client.get(reverse("tracker:dashboard")).content.decode()

    content = supervisor_client.get(reverse("tracker:dashboard")).content.decode()

    assert "县统计局" in content and link not in content


def test_with_several_open_years_a_county_sees_only_its_own_departments(db, client):
    """The dashboard's side-by-side years named every county's departments, not
    the reader's: the warning is scoped like the one-year dashboard."""
    from tracker.models import AccountProfile, Organization

    city = Organization.objects.add_root({"name": "重庆市", "kind": "city"})
    counties = {}
    for name in ("甲县", "乙县"):
        county = Organization.objects.add_child(
            city, {"name": name, "kind": Organization.Kind.COUNTY}
        )
        department = DepartmentFactory(name=f"{name}统计局", organization=county)
        for year in (2022, 2023):
            report = ReportFactory(organization=name, year=year)
            report.organization_unit = county
            report.save()
            ObligationFactory(report=report, department=department)
        counties[name] = county
    reader = UserFactory(username="jia_supervisor", groups=["supervisor"])
    AccountProfile.objects.create(user=reader, organization=counties["甲县"])
    client.force_login(reader)

    content = client.get(reverse("tracker:dashboard")).content.decode()

    assert 'id="open-years"' in content  # both of its years, side by side
    assert "甲县统计局" in content and "乙县统计局" not in content
