"""单位审核 over HTTP: a head's /my/ lists what waits for their sign-off, and the
head signs off on the item's page; the query count of /my/ stays flat."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory, UserFactory
from tests.pages import parse
from tests.workflow_helpers import post_status, set_status, upload
from tracker.models import Obligation

S = Obligation.Status
MY = reverse("tracker:my_work")


@pytest.fixture
def head(department_a):
    user = UserFactory(username="head1", first_name="钱局长", groups=["staff"])
    department_a.heads.add(user)
    department_a.signoff_required = True
    department_a.save()
    return user


def test_staff_submission_waits_on_the_heads_my_work(client, obligation, staff_a, head):
    upload(obligation, staff_a)
    obligation = set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)
    response = post_status(client, obligation, status=S.SIGNOFF, note="已完成")
    assert response.status_code == 302

    client.force_login(head)
    page = parse(in_english(client).get(MY))

    assert page.xpath("//li[@data-signoff=$pk]", pk=str(obligation.pk))


def test_head_signs_off_on_the_items_page(
    client, obligation, staff_a, head, supervisor
):
    upload(obligation, staff_a)
    obligation = set_status(obligation, S.SIGNOFF)
    client.force_login(head)
    page = parse(in_english(client).get(obligation.get_absolute_url()))
    assert set(page.xpath("//button[@name='status']/@value")) == {
        S.SUBMITTED,
        S.RETURNED,
    }

    response = post_status(client, obligation, status=S.SUBMITTED)

    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.status == S.SUBMITTED
    assert obligation.history.first().history_user == head


def test_staff_asking_for_review_directly_are_refused_with_a_message(
    client, obligation, staff_a, head
):
    upload(obligation, staff_a)
    obligation = set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)

    response = post_status(client, obligation, status=S.SUBMITTED, note="已完成")

    assert response.status_code == 400
    assert "requires its head&#x27;s sign-off" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_heads_my_work_query_count_does_not_grow(client, department_a, head):
    ObligationFactory.create_batch(2, department=department_a, status=S.SIGNOFF)
    client.force_login(head)
    client.get(MY)
    # Both pages computed: the factory writes without a service, which would
    # bump the revision /my/'s cache is keyed on.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(MY)
    ObligationFactory.create_batch(8, department=department_a, status=S.SIGNOFF)
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        response = client.get(MY)

    assert len(parse(response).xpath("//li[@data-signoff]")) == 10
    assert len(more) == len(few)
