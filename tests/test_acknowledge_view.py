"""签收 over HTTP: one click on the obligation page or on /my/, and what the
supervisors see of the assignments nobody acknowledged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tracker.models import Obligation, ProgressUpdate, Report


def _acknowledge(client, obligation, **extra):
    url = reverse("tracker:obligation_acknowledge", args=[obligation.pk])
    return in_english(client).post(url, {"version": obligation.version, **extra})


def test_member_acknowledges_from_the_obligation_page(client, obligation, staff_a):
    client.force_login(staff_a)
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert 'data-acknowledgement="pending"' in page
    assert "Acknowledge (签收)" in page

    response = _acknowledge(client, obligation)

    assert response.status_code == 302
    assert response["Location"] == obligation.get_absolute_url()
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert 'data-acknowledgement="done"' in page
    assert "by 张三" in page
    assert "Acknowledge (签收)" not in page


def test_member_acknowledges_from_my_work_and_comes_back(client, obligation, staff_a):
    client.force_login(staff_a)
    my_work = reverse("tracker:my_work")
    assert "Acknowledge (签收)" in in_english(client).get(my_work).content.decode()

    response = _acknowledge(client, obligation, next=my_work)

    assert response.status_code == 302
    assert response["Location"] == my_work
    page = in_english(client).get(my_work).content.decode()
    assert "Acknowledge (签收)" not in page
    assert "Acknowledged" in page


def test_a_next_address_elsewhere_is_ignored(client, obligation, staff_a):
    client.force_login(staff_a)
    response = _acknowledge(client, obligation, next="https://evil.example/")
    assert response["Location"] == obligation.get_absolute_url()


def test_acknowledging_a_stale_page_answers_409_and_changes_nothing(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    stale = Obligation.objects.get(pk=obligation.pk)
    Obligation.objects.filter(pk=obligation.pk).update(version=obligation.version + 1)
    response = _acknowledge(client, stale)
    assert response.status_code == 409
    assert Obligation.objects.get(pk=obligation.pk).acknowledged_at is None


def test_acknowledging_twice_answers_400_with_the_reason(client, obligation, staff_a):
    client.force_login(staff_a)
    _acknowledge(client, obligation)
    obligation.refresh_from_db()
    response = _acknowledge(client, obligation)
    assert response.status_code == 400
    assert "already been acknowledged" in response.content.decode()
    assert (
        obligation.updates.filter(action=ProgressUpdate.Action.ACKNOWLEDGE).count() == 1
    )


def test_supervisors_see_unacknowledged_assignments_on_the_dashboard(
    client, supervisor, obligation, staff_a, department_a
):
    acknowledged = ObligationFactory(report=obligation.report, department=department_a)
    client.force_login(staff_a)
    _acknowledge(client, acknowledged)
    client.force_login(supervisor)
    page = in_english(client).get(reverse("tracker:dashboard")).content.decode()
    panel = page.split('id="unacknowledged"')[1].split("</section>")[0]
    assert 'data-figure="unacknowledged">1<' in panel
    assert f'data-pk="{obligation.pk}"' in panel
    assert f'data-pk="{acknowledged.pk}"' not in panel


@pytest.mark.parametrize(("value", "expected"), [("no", "open"), ("yes", "acked")])
def test_list_filters_on_acknowledgement(
    client, supervisor, staff_a, department_a, value, expected
):
    rows = {
        "open": ObligationFactory(department=department_a, title="待签收事项"),
        "acked": ObligationFactory(department=department_a, title="已签收事项"),
        "unassigned": ObligationFactory(title="未分配事项"),
    }
    client.force_login(staff_a)
    _acknowledge(client, rows["acked"])
    client.force_login(supervisor)
    page = (
        in_english(client)
        .get(reverse("tracker:obligation_list"), {"acknowledged": value})
        .content.decode()
    )
    shown = {name for name, row in rows.items() if row.title in page}
    assert shown == {expected}


def test_acknowledging_a_done_obligation_is_refused_and_records_nothing(
    client, obligation, staff_a
):
    # A POST that skips the page (which offers no button) is refused by the service
    # with the same rule: 400 with the reason, no acknowledgement, no timeline entry.
    Obligation.objects.filter(pk=obligation.pk).update(status=Obligation.Status.DONE)
    obligation.refresh_from_db()
    client.force_login(staff_a)

    response = _acknowledge(client, obligation)

    assert response.status_code == 400
    assert "nothing left to acknowledge" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.acknowledged_at is None
    assert not obligation.updates.filter(
        action=ProgressUpdate.Action.ACKNOWLEDGE
    ).exists()


def test_acknowledging_a_closed_reports_obligation_is_refused(
    client, obligation, staff_a, supervisor
):
    Report.objects.filter(pk=obligation.report_id).update(
        closed_at=timezone.now(), closed_by=supervisor
    )
    obligation.refresh_from_db()
    client.force_login(staff_a)

    response = _acknowledge(client, obligation)

    assert response.status_code in (400, 409)
    obligation.refresh_from_db()
    assert obligation.acknowledged_at is None
    page = in_english(client).get(reverse("tracker:my_work")).content.decode()
    assert "Acknowledge (签收)" not in page
