"""Issue 25's small things: 全部 for the filters' empty choice, the filters
folded until used, and where a supervisor lands after signing in."""

import pytest
from django.urls import reverse

from tests.factories import ObligationFactory, UserFactory
from tests.pages import parse, text
from tracker.permissions import SUPERVISOR_GROUP

PASSWORD = "demo-pass-123"


def _disclosure(response):
    (details,) = parse(response).xpath(
        "//details[contains(@class, 'filter-disclosure')]"
    )
    return details


def test_empty_filter_choices_read_all_in_chinese(client, supervisor):
    ObligationFactory()
    client.force_login(supervisor)
    page = parse(client.get("/obligations/"))
    for name in ("report", "kind", "department", "owner", "rating", "overdue"):
        (first,) = page.xpath(f"//select[@name='{name}']/option[1]")
        assert (first.get("value"), text(first)) == ("", "全部"), name
    assert "---------" not in client.get("/obligations/").content.decode()


def test_empty_filter_choices_read_all_in_english(sv_client, db):
    page = parse(sv_client.get("/obligations/"))
    (first,) = page.xpath("//select[@name='kind']/option[1]")
    assert text(first) == "All"


def test_filters_are_folded_until_used(sv_client, db):
    assert _disclosure(sv_client.get("/obligations/")).get("open") is None


def test_filters_are_open_when_one_is_active(sv_client, db):
    details = _disclosure(sv_client.get("/obligations/?kind=task"))
    assert details.get("open") is not None


def test_filters_are_open_when_one_is_wrong(sv_client, db):
    details = _disclosure(sv_client.get("/obligations/?due_after=xx"))
    assert details.get("open") is not None


def _log_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def test_a_supervisor_lands_on_their_queue_after_login(client, db):
    user = UserFactory(username="reviewer", groups=[SUPERVISOR_GROUP])
    response = _log_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == reverse("tracker:my_work")


def test_a_department_head_lands_on_their_queue_after_login(
    client, staff_a, department_a
):
    department_a.heads.add(staff_a)
    response = _log_in(client, staff_a)
    assert response["Location"] == reverse("tracker:my_work")


def test_staff_land_on_the_dashboard_after_login(client, staff_a):
    response = _log_in(client, staff_a)
    assert response["Location"] == reverse("tracker:dashboard")


@pytest.mark.parametrize("next_url", ["/obligations/", "/notices/"])
def test_a_next_address_wins_over_the_landing_page(client, db, next_url):
    user = UserFactory(username="reviewer", groups=[SUPERVISOR_GROUP])
    response = _log_in(client, user, next_url)
    assert response["Location"] == next_url
