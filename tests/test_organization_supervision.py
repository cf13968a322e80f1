"""Issue 24: a city's 催办 and 督办单 to a county as a whole, the county's answer,
the city's view of their state, and what the city may not do inside a county."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    DepartmentFactory,
    ObligationFactory,
    ReportFactory,
    UserFactory,
)
from tests.pages import parse
from tracker.models import (
    AccountProfile,
    Notification,
    Obligation,
    Organization,
    OrganizationSupervision,
)
from tracker.services.organization_supervision import organization_chase
from tracker.services.supervision import obligation_set_supervision

pytestmark = pytest.mark.django_db


def _county(parent, name):
    county = Organization.objects.add_child(
        parent, {"name": name, "kind": Organization.Kind.COUNTY}
    )
    report = ReportFactory(organization=name)
    report.organization_unit = county
    report.save()
    department = DepartmentFactory(name=f"{name}司法局", organization=county)
    ObligationFactory(report=report, department=department)
    return county


def _person(username, organization, group):
    user = UserFactory(username=username, groups=[group])
    AccountProfile.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def city():
    return Organization.objects.add_root(
        {"name": "重庆市", "kind": "city", "notice_prefix": "渝法督"}
    )


@pytest.fixture
def county(city):
    return _county(city, "巫溪县")


def _chase(client, county, note="请加快整改进度"):
    return client.post(
        reverse("tracker:organization_chase", args=[county.pk]), {"note": note}
    )


def _notice(client, county, level="yellow", note="多项任务逾期"):
    return client.post(
        reverse("tracker:organization_notice", args=[county.pk]),
        {"note": note, "level": level},
    )


def test_city_supervisor_chase_reaches_the_countys_supervisors_and_leaders_only(
    client, city, county
):
    supervisor = _person("supervisor", county, "supervisor")
    leader = _person("leader", county, "leader")
    staff = _person("staff1", county, "staff")
    client.force_login(_person("city", city, "supervisor"))

    response = _chase(client, county)

    assert response.status_code == 302
    chase = OrganizationSupervision.objects.get()
    assert (chase.kind, chase.organization, chase.issuer) == ("chase", county, city)
    told = set(
        Notification.objects.filter(organization_supervision=chase).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {supervisor.username, leader.username}
    assert staff.username not in told


def test_city_notice_is_numbered_in_the_citys_own_prefix(client, city, county):
    other = _county(city, "巫山县")
    client.force_login(_person("city", city, "supervisor"))

    _notice(client, county)
    _notice(client, other, level="red")

    year = timezone.localdate().year
    codes = list(
        OrganizationSupervision.objects.order_by("pk").values_list(
            "prefix", "year", "number", "level"
        )
    )
    assert codes == [("渝法督", year, 1, "yellow"), ("渝法督", year, 2, "red")]
    page = client.get(reverse("tracker:organization_supervision_list"))
    assert f"渝法督〔{year}〕2号" in page.content.decode()


def test_county_answers_and_the_city_sees_the_state(client, city, county):
    city_user = _person("city", city, "supervisor")
    county_supervisor = _person("supervisor", county, "supervisor")
    client.force_login(city_user)
    _notice(client, county)
    notice = OrganizationSupervision.objects.get()
    listing = client.get(reverse("tracker:organization_list"))
    assert 'data-supervision="1/1"' in listing.content.decode()

    client.force_login(county_supervisor)
    opened = client.get(
        reverse(
            "tracker:notification_open",
            args=[Notification.objects.get(recipient=county_supervisor).pk],
        )
    )
    assert opened["Location"] == notice.get_absolute_url()
    page = client.get(notice.get_absolute_url()).content.decode()
    answer_url = reverse("tracker:organization_supervision_answer", args=[notice.pk])
    assert f'action="{answer_url}"' in page
    answered = client.post(
        reverse("tracker:organization_supervision_answer", args=[notice.pk]),
        {"answer": "已召开专题会议部署整改"},
    )
    again = client.post(
        reverse("tracker:organization_supervision_answer", args=[notice.pk]),
        {"answer": "再次答复"},
    )

    assert answered.status_code == again.status_code == 302
    notice.refresh_from_db()
    assert notice.answer == "已召开专题会议部署整改"
    assert notice.answered_by == county_supervisor
    assert Notification.objects.filter(
        recipient=city_user, organization_supervision=notice
    ).exists()
    client.force_login(city_user)
    listing = client.get(reverse("tracker:organization_list"))
    assert 'data-supervision="1/0"' in listing.content.decode()
    detail = client.get(notice.get_absolute_url())
    assert 'data-state="answered"' in detail.content.decode()
    assert f'action="{answer_url}"' not in detail.content.decode()
    assert "已召开专题会议部署整改" in detail.content.decode()


def test_city_leader_may_chase_a_county(client, city, county):
    client.force_login(_person("city_leader", city, "leader"))

    assert _chase(client, county).status_code == 302
    assert OrganizationSupervision.objects.filter(organization=county).exists()


def test_county_of_another_city_answers_404_to_a_citys_supervisor(client, city):
    other_city = Organization.objects.add_root({"name": "成都市", "kind": "city"})
    theirs = _county(other_city, "金堂县")
    sent = OrganizationSupervision.objects.create(
        kind="chase",
        organization=theirs,
        note="x",
        sent_by=UserFactory(username="chengdu"),
    )
    client.force_login(_person("city", city, "supervisor"))

    assert _chase(client, theirs).status_code == 404
    assert _notice(client, theirs).status_code == 404
    assert client.get(sent.get_absolute_url()).status_code == 404
    assert OrganizationSupervision.objects.count() == 1


def test_county_staff_may_neither_read_nor_answer_the_citys_chase(client, city, county):
    client.force_login(_person("city", city, "supervisor"))
    _chase(client, county)
    chase = OrganizationSupervision.objects.get()
    client.force_login(_person("staff1", county, "staff"))

    assert client.get(chase.get_absolute_url()).status_code == 403
    answer = client.post(
        reverse("tracker:organization_supervision_answer", args=[chase.pk]),
        {"answer": "收到"},
    )
    assert answer.status_code == 403
    assert not OrganizationSupervision.objects.get().is_answered


def test_county_supervisor_cannot_chase_their_own_county_as_a_whole(
    client, city, county
):
    client.force_login(_person("supervisor", county, "supervisor"))

    assert _chase(client, county).status_code == 403
    assert not OrganizationSupervision.objects.exists()


def test_city_supervisor_gets_403_on_a_countys_internal_forms(client, city, county):
    item = Obligation.objects.get(report__organization_unit=county)
    client.force_login(_person("city", city, "supervisor"))

    chase = client.post(
        reverse("tracker:obligation_chase", args=[item.pk]), {"note": "请加快"}
    )
    supervision = client.post(
        reverse("tracker:obligation_supervision", args=[item.pk]),
        {"level": "red", "note": "逾期", "version": item.version},
    )

    assert chase.status_code == supervision.status_code == 403
    item.refresh_from_db()
    assert item.supervision_level == Obligation.SupervisionLevel.NONE
    assert not item.chases.exists()


def test_empty_chase_is_refused_with_a_message_and_nothing_sent(client, city, county):
    client.force_login(_person("city", city, "supervisor"))

    response = client.post(
        reverse("tracker:organization_chase", args=[county.pk]),
        {"note": "  "},
        follow=True,
    )

    assert response.status_code == 200
    assert list(response.context["messages"])
    assert not OrganizationSupervision.objects.exists()


def test_counties_sharing_a_prefix_share_one_sequence_of_numbers(city):
    """Two counties whose names start alike (巫溪县, 巫山县) both number their
    督办单 巫法督 by default: the numbers run on across them, never repeat."""
    numbers = []
    for name in ("巫溪县", "巫山县"):
        county = _county(city, name)
        supervisor = _person(f"sup-{county.pk}", county, "supervisor")
        item = Obligation.objects.get(report__organization_unit=county)
        notice = obligation_set_supervision(
            obligation=item, user=supervisor, level="yellow", note="逾期"
        ).new_notice
        numbers.append((notice.prefix, notice.number))

    assert numbers == [("巫法督", 1), ("巫法督", 2)]


def test_service_refuses_a_chase_of_a_county_outside_the_users_city(city):
    other_city = Organization.objects.add_root({"name": "成都市", "kind": "city"})
    theirs = _county(other_city, "金堂县")

    with pytest.raises(PermissionDenied):
        organization_chase(
            organization=theirs,
            user=_person("city", city, "supervisor"),
            note="请加快",
        )
    assert not OrganizationSupervision.objects.exists()


def test_the_list_pages_newest_first_and_keeps_the_county_chosen(
    client, city, county, settings
):
    other = _county(city, "巫山县")
    client.force_login(_person("city", city, "supervisor"))
    for number in range(51):
        _chase(client, county, note=f"第{number}次催办")
    _chase(client, other, note="巫山县的催办")
    url = reverse("tracker:organization_supervision_list")

    first = parse(client.get(url, {"organization": county.pk}))
    second = parse(client.get(url, {"organization": county.pk, "page": 2}))

    assert len(first.xpath("//tr[@data-supervision]")) == 50
    assert "第50次催办" in first.text_content()
    assert first.xpath("//a[@rel='next']/@href") == [
        f"?organization={county.pk}&page=2"
    ]
    assert len(second.xpath("//tr[@data-supervision]")) == 1
    assert "第0次催办" in second.text_content()
    assert "巫山县的催办" not in second.text_content()
