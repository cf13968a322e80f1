"""POST /obligations/<pk>/supervision/: 三色督办 by a reviewer, reason required."""

from django.urls import reverse

from tests.conftest import in_english
from tests.pages import errors
from tracker.models import Obligation, ProgressUpdate

Level = Obligation.SupervisionLevel


def _url(obligation):
    return reverse("tracker:obligation_supervision", args=[obligation.pk])


def test_supervisor_sets_red_supervision_with_a_reason(client, obligation, supervisor):
    client.force_login(supervisor)
    response = in_english(client).post(
        _url(obligation),
        {"level": Level.RED, "note": "连续两月无进展", "version": obligation.version},
    )
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.supervision_level == Level.RED
    entry = obligation.updates.get(action=ProgressUpdate.Action.SUPERVISION)
    assert entry.author == supervisor
    assert "连续两月无进展" in entry.text
    page = in_english(client).get(response["Location"]).content.decode()
    assert "Supervision level set to “Red supervision”." in page


def test_missing_reason_is_400_on_the_reason_field(client, obligation, supervisor):
    client.force_login(supervisor)
    response = client.post(
        _url(obligation), {"level": Level.RED, "version": obligation.version}
    )
    assert response.status_code == 400
    assert errors(response, "supervision-note")
    obligation.refresh_from_db()
    assert obligation.supervision_level == Level.NONE


def test_unknown_level_is_400(client, obligation, supervisor):
    client.force_login(supervisor)
    response = client.post(
        _url(obligation),
        {"level": "purple", "note": "x", "version": obligation.version},
    )
    assert response.status_code == 400
    assert errors(response, "supervision-level")


def test_working_staff_may_not_escalate(client, obligation, staff_a):
    client.force_login(staff_a)
    response = client.post(
        _url(obligation),
        {"level": Level.WHITE, "note": "x", "version": obligation.version},
    )
    assert response.status_code == 403
    obligation.refresh_from_db()
    assert obligation.supervision_level == Level.NONE
