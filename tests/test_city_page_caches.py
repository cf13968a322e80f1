"""Issue 27: the city's pages (the ranking, its 通报, the list, the 催办 and 督办单)
are cached on the revisions of the reports they show; a write through a service
shows on the next view, and each reader sees what they may."""

import io

import docx
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import parse
from tracker.models import (
    AccountProfile,
    Obligation,
    Organization,
    OrganizationSupervision,
)
from tracker.services.organization_supervision import (
    organization_chase,
    organization_supervision_answer,
)
from tracker.services.workflow import obligation_transition

pytestmark = pytest.mark.django_db

S = Obligation.Status
RANKING = reverse("tracker:organization_ranking")
LIST = reverse("tracker:organization_list")
SUPERVISION = reverse("tracker:organization_supervision_list")


def _person(username, organization, group):
    user = UserFactory(username=username, groups=[group])
    AccountProfile.objects.create(user=user, organization=organization)
    return user


def _county(city, name, *, submitted=1, open_=2):
    county = Organization.objects.add_child(city, {"name": name, "kind": "county"})
    report = ReportFactory(organization=name, year=2023)
    report.organization_unit = county
    report.save()
    unit = DepartmentFactory(name=f"{name}公安局", organization=county)
    for _ in range(submitted):
        ObligationFactory(report=report, department=unit, status=S.SUBMITTED)
    for _ in range(open_):
        ObligationFactory(report=report, department=unit)
    return county


@pytest.fixture
def city():
    return Organization.objects.add_root({"name": "重庆市", "kind": "city"})


def _ranked(client):
    response = client.get(RANKING, {"year": 2023})
    assert response.status_code == 200
    return {
        row.xpath("@data-organization")[0]: row
        for row in parse(response).xpath("//tr[@data-organization]")
    }


def _finished(row):
    (cell,) = row.xpath(".//*[@data-figure='finished']")
    return cell.text_content().strip()


def test_an_approval_in_one_county_shows_in_the_city_ranking_and_its_circular(
    client, city
):
    wuxi = _county(city, "巫溪县")
    _county(city, "巫山县")
    client.force_login(_person("city", city, "supervisor"))
    before = _ranked(client)
    client.get(RANKING, {"year": 2023, "_export": "docx"})  # cached too

    item = Obligation.objects.get(report__organization_unit=wuxi, status=S.SUBMITTED)
    obligation_transition(
        obligation=item,
        user=_person("wuxi", wuxi, "supervisor"),
        to_status=S.DONE,
        rating=Obligation.Rating.GOOD,
    )
    after = _ranked(client)
    circular = client.get(RANKING, {"year": 2023, "_export": "docx"})

    assert _finished(before["巫溪县"]) == "0"
    assert _finished(after["巫溪县"]) == "1"
    assert _finished(after["巫山县"]) == "0"
    table = docx.Document(io.BytesIO(circular.content)).tables[0]
    rows = {row.cells[1].text: row.cells[3].text for row in table.rows[1:]}
    assert rows == {"巫溪县": "1", "巫山县": "0"}


def test_the_city_s_chase_shows_in_the_ranking_the_list_and_the_supervision_list(
    client, city
):
    wuxi = _county(city, "巫溪县")
    city_user = _person("city", city, "supervisor")
    client.force_login(city_user)
    ranking = client.get(RANKING, {"year": 2023})
    listing = client.get(LIST, {"year": 2023})
    supervision = client.get(SUPERVISION)

    organization_chase(organization=wuxi, user=city_user, note="请加快进度", year=2023)
    ranking_after = client.get(RANKING, {"year": 2023})
    listing_after = client.get(LIST, {"year": 2023})
    supervision_after = client.get(SUPERVISION)

    (row,) = ranking.context["ranked"]
    (row_after,) = ranking_after.context["ranked"]
    assert (row.city_chases, row_after.city_chases) == (0, 1)
    assert 'data-supervision="0/0"' in listing.content.decode()
    assert 'data-supervision="1/1"' in listing_after.content.decode()
    assert "请加快进度" not in supervision.content.decode()
    assert 'data-state="open"' in supervision_after.content.decode()


def test_the_county_s_answer_shows_in_the_city_s_list_and_supervision_list(
    client, city
):
    wuxi = _county(city, "巫溪县")
    city_user = _person("city", city, "supervisor")
    chase = organization_chase(organization=wuxi, user=city_user, note="请加快进度")
    client.force_login(city_user)
    client.get(LIST)
    client.get(SUPERVISION)

    organization_supervision_answer(
        supervision=chase,
        user=_person("wuxi", wuxi, "supervisor"),
        answer="已部署整改",
    )
    listing = client.get(LIST).content.decode()
    supervision = client.get(SUPERVISION).content.decode()

    assert 'data-supervision="1/0"' in listing
    assert 'data-state="answered"' in supervision


def test_a_county_supervisor_gets_no_city_ranking_from_the_city_s_cache(city):
    wuxi = _county(city, "巫溪县")
    city_client, county_client = Client(), Client()
    city_client.force_login(_person("city", city, "supervisor"))
    county_client.force_login(_person("wuxi", wuxi, "supervisor"))

    assert city_client.get(RANKING, {"year": 2023}).status_code == 200
    assert city_client.get(LIST, {"year": 2023}).status_code == 200

    assert county_client.get(RANKING, {"year": 2023}).status_code == 403
    assert county_client.get(LIST, {"year": 2023}).status_code == 403


def test_two_cities_rank_and_list_only_their_own_counties(city):
    other = Organization.objects.add_root({"name": "成都市", "kind": "city"})
    _county(city, "巫溪县")
    _county(other, "金堂县")
    chongqing, chengdu = Client(), Client()
    chongqing.force_login(_person("cq", city, "supervisor"))
    chengdu.force_login(_person("cd", other, "supervisor"))

    for client, own, foreign in (
        (chongqing, "巫溪县", "金堂县"),
        (chengdu, "金堂县", "巫溪县"),
    ):
        ranking = client.get(RANKING, {"year": 2023}).content.decode()
        listing = client.get(LIST, {"year": 2023}).content.decode()
        assert f'data-organization="{own}"' in ranking
        assert f'data-organization="{foreign}"' not in ranking
        assert f'data-organization="{own}"' in listing
        assert f'data-organization="{foreign}"' not in listing


def test_each_city_reader_chases_with_their_own_csrf_token_from_the_cached_list(city):
    wuxi = _county(city, "巫溪县")
    for username in ("first", "second"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(_person(username, city, "supervisor"))
        page = parse(client.get(LIST, {"year": 2023}))
        form = page.xpath(
            f"//form[@action='{reverse('tracker:organization_chase', args=[wuxi.pk])}']"
        )[0]
        token = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]

        response = client.post(
            reverse("tracker:organization_chase", args=[wuxi.pk]),
            {"csrfmiddlewaretoken": token, "note": f"{username}的催办", "year": 2023},
        )

        assert response.status_code == 302
    notes = OrganizationSupervision.objects.filter(organization=wuxi).values_list(
        "note", flat=True
    )
    assert sorted(notes) == ["first的催办", "second的催办"]


def test_a_leader_and_a_county_see_the_forms_their_role_gives(city):
    wuxi = _county(city, "巫溪县")
    supervisor, leader = Client(), Client()
    supervisor.force_login(_person("city", city, "supervisor"))
    leader.force_login(_person("city_leader", city, "leader"))

    for client in (supervisor, leader):
        page = parse(client.get(LIST, {"year": 2023}))
        # The city's own row has no forms, the county's has them.
        assert page.xpath(f"//details[@data-supervise='{wuxi.pk}']")
        assert not page.xpath(f"//details[@data-supervise='{city.pk}']")
