"""Issue 24, item 3: the daily reminders use each organization's own reminder
tiers (else those of the nearest organization above it that has some, else the
deployment's); and the supervisors the reminders and notifications reach."""

import datetime

import pytest

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tracker import workdays
from tracker.models import AccountProfile, Organization, ReminderTier
from tracker.permissions import supervisors_of
from tracker.services import reminders

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 2)  # a Wednesday, no holiday near


def _county(parent, name):
    county = Organization.objects.add_child(parent, {"name": name, "kind": "county"})
    report = ReportFactory(organization=name)
    report.organization_unit = county
    report.save()
    owner = UserFactory(username=f"staff-{name}", groups=["staff"])
    AccountProfile.objects.create(user=owner, organization=county)
    unit = DepartmentFactory(name=f"{name}公安局", organization=county)
    return county, report, unit, owner


def _reminded(owner):
    plan = reminders.plan(DAY)
    return [
        line.text
        for user, lines in plan.digests.items()
        if user == owner
        for line in lines
    ]


@pytest.fixture
def city():
    return Organization.objects.add_root({"name": "重庆市", "kind": "city"})


def test_a_countys_own_tiers_replace_the_deployments(city):
    own, own_report, own_unit, own_owner = _county(city, "巫溪县")
    other, other_report, other_unit, other_owner = _county(city, "巫山县")
    ReminderTier.objects.create(organization=own, kind="before", workdays=5)
    for report, unit, owner in (
        (own_report, own_unit, own_owner),
        (other_report, other_unit, other_owner),
    ):
        for ahead in (5, 3):
            ObligationFactory(
                report=report,
                department=unit,
                owner=owner,
                title=f"提前{ahead}日",
                due_date=workdays.add_workdays(DAY, ahead),
            )

    own_lines, other_lines = _reminded(own_owner), _reminded(other_owner)

    # 巫溪县: its own tier (5 working days before) and not the deployment's (3).
    assert [("提前5日" in line, "提前3日" in line) for line in own_lines] == [
        (True, False)
    ]
    # 巫山县 has none of its own: the deployment's 3 working days before.
    assert [("提前5日" in line, "提前3日" in line) for line in other_lines] == [
        (False, True)
    ]


def test_a_citys_tiers_reach_its_counties_without_their_own(city):
    county, report, unit, owner = _county(city, "巫溪县")
    ReminderTier.objects.create(organization=city, kind="before", workdays=7)
    ObligationFactory(
        report=report,
        department=unit,
        owner=owner,
        title="城市档位",
        due_date=workdays.add_workdays(DAY, 7),
    )

    assert ["城市档位" in line for line in _reminded(owner)] == [True]


def test_a_county_with_all_its_own_tiers_off_is_not_reminded(city):
    county, report, unit, owner = _county(city, "巫溪县")
    ReminderTier.objects.create(
        organization=county, kind="due", workdays=0, is_active=False
    )
    ObligationFactory(
        report=report, department=unit, owner=owner, due_date=DAY, title="今日到期"
    )

    assert _reminded(owner) == []


def test_supervisors_without_an_organization_act_on_a_single_countys_reports(db):
    report = ReportFactory()
    supervisor = UserFactory(username="supervisor", groups=["supervisor"])

    assert list(supervisors_of(report.pk)) == [supervisor]


def test_supervisors_without_an_organization_are_nobodys_once_there_are_several(
    city,
):
    _own, report, _unit, _owner = _county(city, "巫溪县")
    _county(city, "巫山县")
    county_supervisor = UserFactory(username="county_sup", groups=["supervisor"])
    AccountProfile.objects.create(user=county_supervisor, organization=_own)
    UserFactory(username="nowhere", groups=["supervisor"])

    assert list(supervisors_of(report.pk)) == [county_supervisor]
