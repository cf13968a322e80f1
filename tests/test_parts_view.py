"""The parts of co-operating units over HTTP: /my/ of a township's staff, 签收 in
one click, the lead unit's submission refused while a part is open, the item's
page, and /my/'s query count with more parts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tests.pages import parse
from tests.test_export import csv_rows
from tests.workflow_helpers import post_status, set_status, upload
from tracker.models import Obligation, Part
from tracker.services.parts import part_add, part_transition
from tracker.services.supervision import obligation_set_supervision

S = Obligation.Status
P = Part.Status
MY = reverse("tracker:my_work")


@pytest.fixture
def township(db):
    return DepartmentFactory(name="城关镇", kind="township")


@pytest.fixture
def town1(township):
    user = UserFactory(username="town1", first_name="周乡镇", groups=["staff"])
    township.members.add(user)
    return user


@pytest.fixture
def part(obligation, supervisor, township, town1):
    return part_add(obligation=obligation, user=supervisor, department=township)


def _my(client, user):
    client.force_login(user)
    response = in_english(client).get(MY)
    assert response.status_code == 200
    return parse(response)


def test_township_staff_see_their_part_of_an_item_led_by_another_unit(
    client, obligation, part, town1
):
    page = _my(client, town1)

    row = page.xpath("//tr[@data-part=$pk]", pk=str(part.pk))
    assert row, "the part is listed on /my/"
    assert obligation.title in row[0].text_content()
    assert "县司法局" in row[0].text_content()  # the lead unit


def test_township_staff_acknowledge_a_part_from_my_work(client, part, town1):
    client.force_login(town1)
    response = in_english(client).post(
        reverse("tracker:part_status", args=[part.pk]),
        {"status": P.IN_PROGRESS, "version": part.version, "next": MY},
    )

    assert response.status_code == 302 and response["Location"] == MY
    part.refresh_from_db()
    assert part.status == P.IN_PROGRESS and part.acknowledged_by == town1


def test_lead_unit_cannot_submit_while_a_part_is_open(
    client, obligation, part, staff_a
):
    upload(obligation, staff_a)
    obligation = set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)

    response = post_status(client, obligation, status=S.SUBMITTED, note="已完成")

    assert response.status_code == 400
    assert "城关镇 are not accepted yet" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_the_submit_button_says_the_parts_are_missing(
    client, obligation, part, staff_a
):
    upload(obligation, staff_a)
    obligation = set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)
    page = parse(in_english(client).get(obligation.get_absolute_url()))

    button = page.xpath("//button[@name='status'][@value='submitted']")[0]
    assert button.get("disabled") is not None
    assert (
        "part is accepted or waived"
        in page.xpath("//div[@class='checklist']")[0].text_content()
    )


def test_the_item_page_shows_each_part_with_its_status(
    client, obligation, part, sv_client
):
    page = parse(sv_client.get(obligation.get_absolute_url()))

    card = page.xpath("//article[@id=$id]", id=f"part-{part.pk}")[0]
    assert "城关镇" in card.text_content()
    assert card.get("data-part-status") == P.NOT_ACKNOWLEDGED


def test_the_lead_unit_accepts_a_submitted_part_from_the_page(
    client, obligation, part, town1, staff_a
):
    part_transition(part=part, user=town1, to_status=P.IN_PROGRESS)
    part = part_transition(part=part, user=town1, to_status=P.SUBMITTED, note="完成")
    page = _my(client, staff_a)
    assert page.xpath("//li[@data-part-to-accept=$pk]", pk=str(part.pk))

    response = client.post(
        reverse("tracker:part_status", args=[part.pk]),
        {"status": P.ACCEPTED, "version": part.version},
    )

    assert response.status_code == 302
    part.refresh_from_db()
    assert part.status == P.ACCEPTED


def test_a_refused_part_submission_shows_why_and_changes_nothing(
    client, obligation, part, town1
):
    part_transition(part=part, user=town1, to_status=P.IN_PROGRESS)
    part.refresh_from_db()
    client.force_login(town1)

    response = in_english(client).post(
        reverse("tracker:part_status", args=[part.pk]),
        {"status": P.SUBMITTED, "version": part.version, "note": ""},
    )

    assert response.status_code == 400
    assert "Describe what the unit did" in response.content.decode()
    part.refresh_from_db()
    assert part.status == P.IN_PROGRESS


def _parts_for(township, supervisor, count):
    for _ in range(count):
        obligation = ObligationFactory(department=DepartmentFactory())
        part_add(obligation=obligation, user=supervisor, department=township)


def test_my_work_query_count_does_not_grow_with_parts(
    client, town1, township, supervisor
):
    _parts_for(township, supervisor, 2)
    client.force_login(town1)
    client.get(MY)
    # Both pages computed, not one of them from /my/'s cache.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(MY)
    _parts_for(township, supervisor, 8)
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        response = client.get(MY)

    assert len(parse(response).xpath("//tr[@data-part]")) == 10
    assert len(more) == len(few)


def test_the_list_filters_by_co_operating_unit(sv_client, obligation, part, township):
    other = ObligationFactory(department=obligation.department)

    page = parse(sv_client.get(f"/obligations/?co_operating_unit={township.pk}"))

    shown = set(page.xpath("//tr/@data-pk"))
    assert str(obligation.pk) in shown and str(other.pk) not in shown


def test_the_export_names_the_co_operating_units(
    sv_client, obligation, part, supervisor
):
    second = DepartmentFactory(name="东城街道", kind="township")
    part_add(obligation=obligation, user=supervisor, department=second)

    rows = csv_rows(sv_client.get("/obligations/?_export=csv"))

    column = rows[0].index("Co-operating units")
    row = next(row for row in rows[1:] if row[0] == obligation.code)
    assert set(row[column].split("、")) == {"城关镇", "东城街道"}


def test_the_supervision_notice_names_the_co_operating_units(
    sv_client, obligation, part, supervisor
):
    notice = obligation_set_supervision(
        obligation=obligation,
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="逾期未办",
    ).new_notice

    page = parse(sv_client.get(notice.get_absolute_url()))

    row = page.xpath("//tr[@data-co-operating-units]")[0]
    assert "城关镇" in row.text_content()
    assert "县司法局" in page.xpath("//p[@class='notice-addressee']")[0].text_content()
