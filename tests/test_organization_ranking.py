"""Issue 24: the city ranks its counties with the department ranking's
indicators and score, in a fixed number of queries, and its 通报 shows the same
columns."""

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import parse
from tracker.models import AccountProfile, Obligation, Organization
from tracker.selectors.assessment import department_indicators, organization_indicators
from tracker.services.organization_supervision import (
    organization_chase,
    organization_notice,
)

pytestmark = pytest.mark.django_db

S = Obligation.Status
TODAY = date(2023, 9, 15)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _person(username, organization, group):
    user = UserFactory(username=username, groups=[group])
    AccountProfile.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def city():
    return Organization.objects.add_root({"name": "重庆市", "kind": "city"})


def _county(city, name, *, on_time=2, late=1, overdue=1, open_=1):
    """A county whose one unit holds every item of its 2023 report: finished on
    time (rated excellent), finished late (rated fair), overdue, open."""
    county = Organization.objects.add_child(city, {"name": name, "kind": "county"})
    report = ReportFactory(organization=name, year=2023)
    report.organization_unit = county
    report.save()
    unit = DepartmentFactory(name=f"{name}公安局", organization=county)
    approved = datetime.combine(date(2023, 6, 30), time(10), tzinfo=SHANGHAI)
    for _ in range(on_time):
        ObligationFactory(
            report=report,
            department=unit,
            status=S.DONE,
            due_date=date(2023, 6, 30),
            status_changed_at=approved,
            rating=Obligation.Rating.EXCELLENT,
        )
    for _ in range(late):
        ObligationFactory(
            report=report,
            department=unit,
            status=S.DONE,
            due_date=date(2023, 5, 31),
            status_changed_at=approved,
            rating=Obligation.Rating.FAIR,
        )
    for _ in range(overdue):
        ObligationFactory(report=report, department=unit, due_date=date(2023, 8, 31))
    for _ in range(open_):
        ObligationFactory(report=report, department=unit, due_date=date(2023, 12, 31))
    return county, report, unit


def _figures(row):
    return (
        row.assigned,
        row.finished,
        row.on_time,
        row.overdue,
        row.rating_average,
        row.yellow_notices,
        row.red_notices,
        row.chases,
        row.score,
    )


def test_a_county_with_one_unit_scores_as_that_unit_does_in_the_department_ranking(
    city,
):
    county, report, unit = _county(city, "巫溪县")

    (county_row,) = organization_indicators(
        organizations=[county], year=2023, today=TODAY
    )
    (unit_row,) = [
        row
        for row in department_indicators(report=report, today=TODAY)
        if row.department == unit
    ]

    assert _figures(county_row) == _figures(unit_row)
    # 5 items, 3 finished of which 2 on time, 1 overdue; ratings 100, 100, 60.
    assert _figures(county_row)[:5] == (5, 3, 2, 1, 86.7)
    assert county_row.percent_done == 60.0


def test_citys_chase_and_red_notice_count_for_the_county_and_lower_its_score(city):
    county, _report, _unit = _county(city, "巫溪县")
    twin, _report, _unit = _county(city, "巫山县")
    city_supervisor = _person("city", city, "supervisor")
    organization_chase(
        organization=county, user=city_supervisor, note="请加快整改进度", year=2023
    )
    organization_notice(
        organization=county,
        user=city_supervisor,
        level="red",
        note="多项任务逾期",
        year=2023,
    )

    rows = {
        row.organization.name: row
        for row in organization_indicators(
            organizations=[county, twin], year=2023, today=TODAY
        )
    }

    assert (rows["巫溪县"].chases, rows["巫溪县"].red_notices) == (1, 1)
    assert (rows["巫山县"].chases, rows["巫山县"].red_notices) == (0, 0)
    assert rows["巫溪县"].score < rows["巫山县"].score
    assert [rows["巫山县"].rank, rows["巫溪县"].rank] == [1, 2]


def test_ranking_page_and_circular_show_the_department_rankings_columns(client, city):
    _county(city, "巫溪县")
    _county(city, "巫山县", overdue=3)
    client.force_login(_person("city", city, "supervisor"))

    page = client.get(reverse("tracker:organization_ranking"))
    circular = client.get(reverse("tracker:organization_ranking"), {"_export": "docx"})

    html = page.content.decode()
    for figure in ("score", "on_time_rate", "return_rate", "average_workdays"):
        assert f'data-figure="{figure}"' in html
    # Every cell names its column where the table stacks on a phone, as the
    # department ranking's do; the header has one column per cell.
    row = parse(html).xpath("//tr[@data-organization='巫山县']")[0]
    cells = row.xpath("./td")
    assert all(cell.get("data-label") for cell in cells)
    assert len(parse(html).xpath("//thead//th")) == len(cells) + 1
    table = docx.Document(io.BytesIO(circular.content)).tables[0]
    header = [cell.text for cell in table.rows[0].cells]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert header == [
        "名次",
        "县（区）",
        "承办事项数",
        "已办结",
        "按期办结率",
        "当前逾期",
        "退回率",
        "督办单（黄/红）",
        "得分",
    ]
    assert [row[:2] for row in rows] == [["1", "巫溪县"], ["2", "巫山县"]]


def test_city_ranking_issues_the_same_queries_for_3_and_10_counties_of_any_size(
    client, city
):
    client.force_login(_person("city", city, "supervisor"))
    for n in range(3):
        _county(city, f"县{n:02d}", on_time=1, late=0, overdue=0, open_=1)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("tracker:organization_ranking"), {"year": 2023})
    for n in range(3, 10):
        _county(city, f"县{n:02d}", on_time=4, late=3, overdue=3, open_=2)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("tracker:organization_ranking"), {"year": 2023})

    assert len(response.context["ranked"]) == 10
    assert len(large) == len(small)
