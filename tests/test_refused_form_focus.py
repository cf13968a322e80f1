"""After a refused form (400 or 409) the re-rendered page opens at that form: its
first invalid field, or its error block when the whole form was refused, has
autofocus, and a summary at the top of the page says nothing was saved and links
to it. What the user typed stays in the form."""

from django.urls import reverse

from tests.conftest import in_english
from tests.pages import parse, text
from tests.workflow_helpers import set_status, upload
from tracker.models import Obligation
from tracker.services.supervision import obligation_set_supervision

S = Obligation.Status


def _summary(page):
    (summary,) = parse(page).xpath("//*[contains(@class, 'error-summary')]")
    return summary


def _focused(page):
    (element,) = parse(page).xpath("//*[@autofocus]")
    return element


def test_refused_transition_opens_at_its_errors_with_a_summary_on_top(
    client, obligation, staff_a, supervisor
):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    set_status(obligation, S.SUBMITTED)
    client.force_login(supervisor)
    response = in_english(client).post(
        reverse("tracker:obligation_status", args=[obligation.pk]),
        {"version": obligation.version, "status": S.RETURNED, "note": " "},
    )
    assert response.status_code == 400
    summary = _summary(response)
    assert summary.get("role") == "alert"
    assert "Nothing was saved" in text(summary)
    (link,) = summary.xpath(".//a")
    assert link.get("href") == "#status-errors"
    focused = _focused(response)
    assert focused.get("id") == "status-errors"
    assert focused.get("tabindex") == "-1"
    assert "reason" in text(focused).lower()


def test_invalid_field_gets_the_focus_and_keeps_the_other_typed_text(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    response = in_english(client).post(
        reverse("tracker:evidence_upload", args=[obligation.pk]), {"note": "第一批台账"}
    )
    assert response.status_code == 400
    focused = _focused(response)
    assert focused.get("name") == "file"
    assert _summary(response).xpath(".//a")[0].get("href") == f"#{focused.get('id')}"
    (note,) = parse(response).xpath("//*[@id='evidence-note']")
    assert (note.text or note.get("value")).strip() == "第一批台账"


def test_stale_form_409_opens_at_the_conflict_and_keeps_the_typed_text(
    client, obligation, supervisor
):
    seen = obligation.version
    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="yellow", note="先黄色"
    )
    client.force_login(supervisor)
    response = in_english(client).post(
        reverse("tracker:obligation_supervision", args=[obligation.pk]),
        {"version": seen, "level": "red", "note": "逾期未办，红色督办"},
    )
    assert response.status_code == 409
    assert _summary(response).xpath(".//a")[0].get("href") == "#supervision-errors"
    assert _focused(response).get("id") == "supervision-errors"
    (note,) = parse(response).xpath("//*[@id='supervision-note']")
    assert note.text.strip() == "逾期未办，红色督办"


def test_a_page_nobody_refused_has_no_summary_and_no_autofocus(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    page = in_english(client).get(obligation.get_absolute_url())
    assert not parse(page).xpath("//*[contains(@class, 'error-summary')]")
    assert not parse(page).xpath("//*[@autofocus]")
