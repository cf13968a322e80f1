"""延期申请 over HTTP: staff ask on the obligation page, supervisors decide there
and find the pending requests on the dashboard and the list."""

from datetime import timedelta

from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tracker.models import ExtensionRequest, Obligation, ProgressUpdate


def _ask(client, obligation, requested, reason="需要补充调研"):
    return in_english(client).post(
        reverse("tracker:extension_request", args=[obligation.pk]),
        {
            "version": obligation.version,
            "requested_due_date": requested.isoformat(),
            "reason": reason,
        },
    )


def _decide(client, extension, decision, reason=""):
    return in_english(client).post(
        reverse("tracker:extension_decide", args=[extension.pk]),
        {
            "version": Obligation.objects.get(pk=extension.obligation_id).version,
            "decision": decision,
            "reason": reason,
        },
    )


def test_staff_request_shows_as_pending_on_the_page(client, obligation, due, staff_a):
    client.force_login(staff_a)
    assert (
        "Request the extension"
        in in_english(client).get(obligation.get_absolute_url()).content.decode()
    )

    response = _ask(client, obligation, due + timedelta(days=20))

    assert response.status_code == 302
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert 'data-extension="pending"' in page
    assert (due + timedelta(days=20)).isoformat() in page
    assert "Request the extension" not in page  # one pending at a time


def test_an_earlier_date_is_a_form_error_and_nothing_is_written(
    client, obligation, due, staff_a
):
    client.force_login(staff_a)
    response = _ask(client, obligation, due - timedelta(days=1))
    assert response.status_code == 400
    assert "later than the current due date" in response.content.decode()
    assert not ExtensionRequest.objects.exists()
    assert not ProgressUpdate.objects.exists()


def test_a_missing_date_is_a_form_error(client, obligation, due, staff_a):
    client.force_login(staff_a)
    response = in_english(client).post(
        reverse("tracker:extension_request", args=[obligation.pk]),
        {"version": obligation.version, "requested_due_date": "明天", "reason": "x"},
    )
    assert response.status_code == 400
    assert not ExtensionRequest.objects.exists()


def test_a_second_request_is_refused_with_a_message(client, obligation, due, staff_a):
    client.force_login(staff_a)
    _ask(client, obligation, due + timedelta(days=20))
    obligation.refresh_from_db()
    response = _ask(client, obligation, due + timedelta(days=40))
    assert response.status_code == 400
    assert "already pending" in response.content.decode()
    assert ExtensionRequest.objects.count() == 1


def test_supervisor_approves_and_the_due_date_moves(
    client, obligation, due, staff_a, supervisor
):
    client.force_login(staff_a)
    _ask(client, obligation, due + timedelta(days=20))
    extension = ExtensionRequest.objects.get()
    client.force_login(supervisor)
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert "Approve the extension" in page

    response = _decide(client, extension, "approve")

    assert response.status_code == 302
    assert Obligation.objects.get(pk=obligation.pk).due_date == due + timedelta(20)
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert 'data-extension="approved"' in page
    assert "Approve the extension" not in page


def test_refusing_without_a_reason_is_a_form_error(
    client, obligation, due, staff_a, supervisor
):
    client.force_login(staff_a)
    _ask(client, obligation, due + timedelta(days=20))
    client.force_login(supervisor)
    response = _decide(client, ExtensionRequest.objects.get(), "refuse")
    assert response.status_code == 400
    assert "reason is required" in response.content.decode()
    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.PENDING


def test_supervisor_refuses_with_a_reason(client, obligation, due, staff_a, supervisor):
    client.force_login(staff_a)
    _ask(client, obligation, due + timedelta(days=20))
    client.force_login(supervisor)
    response = _decide(client, ExtensionRequest.objects.get(), "refuse", "理由不充分")
    assert response.status_code == 302
    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.REFUSED
    assert Obligation.objects.get(pk=obligation.pk).due_date == due
    page = in_english(client).get(obligation.get_absolute_url()).content.decode()
    assert "理由不充分" in page


def test_pending_requests_are_listed_next_to_awaiting_review(
    client, obligation, due, staff_a, supervisor
):
    other = ObligationFactory(report=obligation.report, title="无申请事项")
    client.force_login(staff_a)
    _ask(client, obligation, due + timedelta(days=20))
    client.force_login(supervisor)
    page = in_english(client).get(reverse("tracker:dashboard")).content.decode()
    panel = page.split('id="pending-extensions"')[1].split("</section>")[0]
    assert 'data-figure="pending-extensions">1<' in panel
    assert f'data-pk="{obligation.pk}"' in panel
    listed = (
        in_english(client)
        .get(reverse("tracker:obligation_list"), {"extension": "pending"})
        .content.decode()
    )
    assert obligation.title in listed
    assert other.title not in listed
