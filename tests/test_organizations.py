"""Issue 24: organizations as a tree, every page scoped to the user's subtree,
and the city's pages (/organizations/, their ranking)."""

import io

import docx
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tracker.models import AccountProfile, Obligation, Organization

pytestmark = pytest.mark.django_db


def _county(city, name, *, done=0, open_=1):
    county = Organization.objects.add_child(
        city, {"name": name, "kind": Organization.Kind.COUNTY}
    )
    report = ReportFactory(organization=name)
    report.organization_unit = county
    report.save()
    department = DepartmentFactory(name=f"{name}公安局", organization=county)
    for status, count in ((Obligation.Status.DONE, done), ("not_started", open_)):
        for _ in range(count):
            ObligationFactory(report=report, department=department, status=status)
    return county


def _person(username, organization, group):
    user = UserFactory(username=username, groups=[group])
    AccountProfile.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def city():
    return Organization.objects.add_root({"name": "重庆市", "kind": "city"})


def _counties(city, number):
    return [_county(city, f"县{n:02d}", done=n % 3, open_=2) for n in range(number)]


def test_city_supervisor_sees_every_county_below_on_the_organizations_page(
    client, city
):
    _counties(city, 10)
    client.force_login(_person("city", city, "supervisor"))

    response = client.get(reverse("tracker:organization_list"))

    assert response.status_code == 200
    rows = [row for row in response.context["figures"] if row.card.total]
    assert len(rows) == 10
    assert response.content.decode().count('data-organization="县') == 10


def test_city_ranking_puts_the_county_without_overdue_items_first(client, city):
    late = _county(city, "甲县", done=3, open_=0)
    _county(city, "乙县", done=3, open_=0)
    Obligation.objects.filter(report__organization_unit=late).update(
        status="not_started", due_date="2020-01-31"
    )
    client.force_login(_person("city", city, "supervisor"))

    response = client.get(reverse("tracker:organization_ranking"))

    assert response.status_code == 200
    ranked = [(row.rank, row.organization.name) for row in response.context["ranked"]]
    assert ranked == [(1, "乙县"), (2, "甲县")]


@pytest.mark.parametrize("url_name", ["organization_list", "organization_ranking"])
def test_county_supervisor_may_not_open_the_city_pages(client, city, url_name):
    county = _county(city, "甲县")
    client.force_login(_person("supervisor", county, "supervisor"))

    assert client.get(reverse(f"tracker:{url_name}")).status_code == 403


@pytest.mark.parametrize("url_name", ["organization_list", "organization_ranking"])
def test_city_pages_issue_the_same_number_of_queries_for_3_and_10_counties(
    client, city, url_name
):
    supervisor = _person("city", city, "supervisor")
    _counties(city, 3)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse(f"tracker:{url_name}"))
    for n in range(3, 10):
        _county(city, f"县{n:02d}", done=1, open_=4)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(reverse(f"tracker:{url_name}"))

    if url_name == "organization_list":
        counted = [row for row in response.context["figures"] if row.card.total]
    else:
        counted = [row for row in response.context["ranked"] if row.assigned]
    assert len(counted) == 10
    assert len(ten) == len(three)


def test_county_supervisor_gets_404_on_another_countys_items(client, city):
    ours = _county(city, "甲县")
    theirs = _county(city, "乙县")
    item = Obligation.objects.filter(report__organization_unit=theirs).first()
    client.force_login(_person("supervisor", ours, "supervisor"))

    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.get(item.department.get_absolute_url()).status_code == 404
    assert client.get(item.report.get_absolute_url()).status_code == 404
    listed = client.get(reverse("tracker:obligation_list")).content.decode()
    assert item.title not in listed


def test_city_supervisor_reads_a_countys_item_but_may_not_work_it(client, city):
    county = _county(city, "甲县")
    item = Obligation.objects.get(report__organization_unit=county)
    client.force_login(_person("city", city, "supervisor"))

    page = client.get(item.get_absolute_url())
    response = client.post(
        reverse("tracker:obligation_supervision", args=[item.pk]),
        {"version": item.version, "level": "red", "note": "逾期"},
    )

    assert page.status_code == 200
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.supervision_level != Obligation.SupervisionLevel.RED
    assert item.notices.count() == 0


def test_account_without_organization_sees_nothing_once_there_are_several(client, city):
    _county(city, "甲县")
    client.force_login(UserFactory(username="nobody", groups=["supervisor"]))

    response = client.get(reverse("tracker:obligation_list"))

    assert response.status_code == 200
    assert Obligation.objects.visible_to(response.wsgi_request.user).count() == 0


@pytest.mark.django_db(transaction=True)
def test_upgrade_makes_one_organization_of_the_reports_and_attaches_everything():
    executor = MigrationExecutor(connection)
    before = [("tracker", "0016_organizations")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Report = apps.get_model("tracker", "Report")
    Department = apps.get_model("tracker", "Department")
    User = apps.get_model("auth", "User")
    for year in (2021, 2022):
        Report.objects.create(
            organization="巫溪县", year=year, title=f"{year}", source_text="x"
        )
    Department.objects.create(name="县公安局")
    User.objects.create(username="staff1")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    organization = Organization.objects.get()
    assert organization.name == "巫溪县"
    assert set(organization.reports.values_list("year", flat=True)) == {2021, 2022}
    assert organization.departments.get().name == "县公安局"
    assert AccountProfile.objects.get(user__username="staff1").organization == (
        organization
    )


def test_city_circular_opens_as_a_word_document_ranking_every_county(client, city):
    _counties(city, 3)
    client.force_login(_person("city", city, "supervisor"))

    response = client.get(reverse("tracker:organization_ranking"), {"_export": "docx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = "\n".join(
        cell.text
        for table in docx.Document(io.BytesIO(response.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert all(f"县{n:02d}" in text for n in range(3))


def test_reports_side_by_side_name_the_task_unfinished_in_every_county(client, city):
    for name, done in (("甲县", True), ("乙县", False)):
        county = Organization.objects.add_child(city, {"name": name})
        report = ReportFactory(organization=name)
        report.organization_unit = county
        report.save()
        ObligationFactory(
            report=report, code="1", title="完善行政执法制度", kind="task"
        )
        ObligationFactory(
            report=report,
            code="2",
            title="推进政务公开",
            kind="task",
            status="done" if done else "in_progress",
        )
    client.force_login(_person("city", city, "supervisor"))

    response = client.get(reverse("tracker:organization_reports"))

    assert response.status_code == 200
    everywhere = [item.code for item in response.context["unfinished_everywhere"]]
    assert everywhere == ["1"]
    assert len(response.context["items"]) == 2


def test_obligation_list_cached_for_one_county_is_not_served_to_another(client, city):
    ours = _county(city, "甲县")
    theirs = _county(city, "乙县")
    Obligation.objects.filter(report__organization_unit=ours).update(title="甲县的事项")
    Obligation.objects.filter(report__organization_unit=theirs).update(
        title="乙县的事项"
    )
    client.force_login(_person("ours", ours, "supervisor"))
    first = client.get(reverse("tracker:obligation_list")).content.decode()
    client.force_login(_person("theirs", theirs, "supervisor"))

    second = client.get(reverse("tracker:obligation_list")).content.decode()

    assert "甲县的事项" in first and "乙县的事项" not in first
    assert "乙县的事项" in second and "甲县的事项" not in second
    assert "甲县公安局" not in second


def test_department_ranking_lists_only_the_countys_own_units(client, city):
    ours = _county(city, "甲县")
    _county(city, "乙县")
    client.force_login(_person("ours", ours, "supervisor"))

    response = client.get(reverse("tracker:department_ranking"))

    names = [row.department.name for row in response.context["rows"]]
    assert names == ["甲县公安局"]


def test_city_leader_reads_the_organizations_page_and_ranking(client, city):
    _counties(city, 3)
    client.force_login(_person("city_leader", city, "leader"))

    listing = client.get(reverse("tracker:organization_list"))
    ranking = client.get(reverse("tracker:organization_ranking"))

    assert listing.status_code == ranking.status_code == 200
    assert listing.content.decode().count('data-organization="县') == 3


def test_county_leader_may_not_open_the_city_pages(client, city):
    county = _county(city, "县A")
    client.force_login(_person("county_leader", county, "leader"))

    assert client.get(reverse("tracker:organization_list")).status_code == 403
