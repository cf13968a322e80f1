"""manage.py setup_demo --city: the issue 24 done-when checks on the city demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tracker.models import Department, Evidence, Obligation, SupervisionNotice

# One run for the whole module: building ten counties through the services takes
# a while, and every test only reads.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def city_demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("setup_demo", "--city", stdout=out)
        yield out.getvalue()
        # The module's data must not leak into the next test module.
        call_command("flush", "--no-input", verbosity=0)


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))


def test_city_sees_ten_counties_on_the_organizations_page(client, city_demo):
    _login(client, "city")

    response = client.get(reverse("tracker:organization_list"))

    assert response.status_code == 200
    counties = [row for row in response.context["figures"] if row.report_id]
    assert len(counties) == 10
    assert all(row.organization.depth == 2 for row in counties)


def test_city_sees_ten_counties_ranked_and_the_circular_opens_in_word(
    client, city_demo
):
    _login(client, "city")

    ranking = client.get(reverse("tracker:organization_ranking"))
    circular = client.get(reverse("tracker:organization_ranking"), {"_export": "docx"})

    # Ranked as departments are: equal scores share a rank (1, 2, 2, 4).
    ranks = [row.rank for row in ranking.context["ranked"]]
    assert len(ranks) == 10 and None not in ranks
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert circular.status_code == 200
    assert circular["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("url_name", ["organization_list", "organization_ranking"])
def test_county_supervisor_gets_403_on_the_city_pages(client, city_demo, url_name):
    _login(client, "supervisor")

    assert client.get(reverse(f"tracker:{url_name}")).status_code == 403


def test_county_supervisor_gets_404_on_everything_of_another_county(client, city_demo):
    _login(client, "supervisor")
    theirs = Obligation.objects.filter(report__organization="云阳县")
    evidence = Evidence.objects.filter(obligation__in=theirs).first()
    notice = SupervisionNotice.objects.filter(obligation__in=theirs).first()
    department = Department.objects.get(organization__name="云阳县", name="县司法局")

    urls = [
        theirs.first().get_absolute_url(),
        reverse("tracker:evidence_download", args=[evidence.pk]),
        reverse("tracker:notice_detail", args=[notice.pk]),
        department.get_absolute_url(),
        theirs.first().report.get_absolute_url(),
    ]

    assert [client.get(url).status_code for url in urls] == [404] * len(urls)


def test_one_county_demo_accounts_stay_in_wuxi(client, city_demo):
    _login(client, "supervisor")

    response = client.get(reverse("tracker:dashboard"))

    assert response.status_code == 200
    assert [report.organization for report in response.context["reports"]] == ["巫溪县"]


def test_the_city_has_chased_one_county_and_sent_a_notice_to_another(client, city_demo):
    _login(client, "city")

    page = client.get(reverse("tracker:organization_supervision_list"))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("data-supervision=") == 2
    assert "秀山县" in html and "石柱县" in html
    # Running it again, as `make run` does (without --city) or with it, adds
    # nothing: the demo stays as it was (a second run once failed on the units
    # every county has by the same name).
    call_command("setup_demo", stdout=StringIO())
    call_command("setup_demo", "--city", stdout=StringIO())
    again = client.get(reverse("tracker:organization_supervision_list"))
    assert again.content.decode().count("data-supervision=") == 2
