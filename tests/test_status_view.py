"""POST /obligations/<pk>/status/: the status form over HTTP."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import in_english
from tests.pages import description, form, parse, text, value
from tests.workflow_helpers import (
    post_status,
    set_status,
    status_url,
    submit_and_return,
    upload,
)
from tracker.models import Obligation, ProgressUpdate
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_add_note

S = Obligation.Status


def test_working_staff_starts_work_and_is_told_so(client, obligation, staff_a):
    client.force_login(staff_a)
    response = post_status(client, obligation, status=S.IN_PROGRESS)
    assert response.status_code == 302
    assert response["Location"] == obligation.get_absolute_url()
    page = in_english(client).get(response["Location"]).content.decode()
    assert "The obligation is now “In progress”." in page
    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS
    assert obligation.version == 2


def test_submit_with_evidence_and_note_records_the_note_in_the_timeline(
    client, obligation, staff_a
):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)
    response = post_status(
        client, obligation, status=S.SUBMITTED, note="已完成全部整改"
    )
    assert response.status_code == 302
    entry = obligation.updates.filter(action=ProgressUpdate.Action.STATUS).get()
    assert (entry.from_status, entry.to_status) == (S.IN_PROGRESS, S.SUBMITTED)
    assert entry.text == "已完成全部整改"
    assert entry.author == staff_a


def test_staff_of_another_department_gets_403_and_nothing_changes(
    client, obligation, staff_b
):
    client.force_login(staff_b)
    response = post_status(client, obligation, status=S.IN_PROGRESS)
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.NOT_STARTED
    assert not obligation.updates.exists()


def test_working_staff_cannot_approve_their_own_submission(client, obligation, staff_a):
    set_status(obligation, S.SUBMITTED)
    client.force_login(staff_a)
    assert post_status(client, obligation, status=S.DONE).status_code == 403
    obligation.refresh_from_db()
    assert obligation.status == S.SUBMITTED


def test_unknown_status_is_400_with_the_error_next_to_the_form(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    response = post_status(client, obligation, status="finished")
    assert response.status_code == 400
    assert "Select a valid choice." in text(form(response, status_url(obligation)))
    obligation.refresh_from_db()
    assert obligation.status == S.NOT_STARTED


@pytest.mark.parametrize("version", ["abc", "1.5", "", "-1"])
def test_version_that_is_not_a_positive_number_is_400(
    client, obligation, staff_a, version
):
    client.force_login(staff_a)
    response = post_status(client, obligation, status=S.IN_PROGRESS, version=version)
    assert response.status_code == 400
    assert "The page was out of date" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.NOT_STARTED


def test_transition_not_in_the_table_is_400_with_the_services_message(
    client, obligation, staff_a
):
    client.force_login(staff_a)
    response = post_status(client, obligation, status=S.SUBMITTED, note="完成")
    assert response.status_code == 400
    assert "cannot be moved to" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.NOT_STARTED


def test_submit_without_evidence_is_400_and_the_note_is_kept_in_the_form(
    client, obligation, staff_a
):
    set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)
    response = post_status(client, obligation, status=S.SUBMITTED, note="请审核")
    assert response.status_code == 400
    status_form = form(response, status_url(obligation))
    assert "Upload at least one piece of evidence" in description(status_form)
    assert value(status_form, "note") == "请审核"
    obligation.refresh_from_db()
    assert obligation.status == S.IN_PROGRESS


def test_return_without_a_reason_is_400(client, obligation, supervisor):
    set_status(obligation, S.SUBMITTED)
    client.force_login(supervisor)
    response = post_status(client, obligation, status=S.RETURNED, note="  ")
    assert response.status_code == 400
    assert "A reason is required." in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.SUBMITTED


def test_stale_version_is_409_naming_who_changed_it_and_nothing_is_overwritten(
    client, obligation, staff_a, supervisor
):
    seen_version = obligation.version
    obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=supervisor,
        level=Obligation.SupervisionLevel.RED,
        note="严重滞后",
        version=seen_version,
    )
    client.force_login(staff_a)
    response = in_english(client).post(
        status_url(obligation),
        {"status": S.IN_PROGRESS, "note": "开始", "version": seen_version},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "王督查" in page
    assert "严重滞后" in page
    assert "nothing was saved" in page
    current = Obligation.objects.get(pk=obligation.pk)
    assert current.status == S.NOT_STARTED
    assert current.supervision_level == Obligation.SupervisionLevel.RED
    assert current.version == seen_version + 1
    assert not current.updates.filter(action=ProgressUpdate.Action.STATUS).exists()
    # The re-rendered form carries the current version, so a deliberate resend works.
    assert value(form(response, status_url(obligation)), "version") == str(
        current.version
    )


def test_post_without_csrf_token_is_refused(obligation, staff_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    response = client.post(
        status_url(obligation), {"status": S.IN_PROGRESS, "version": obligation.version}
    )
    assert response.status_code == 403
    obligation.refresh_from_db()
    assert obligation.status == S.NOT_STARTED


def test_post_with_csrf_token_from_the_page_is_accepted(obligation, staff_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a)
    page = client.get(obligation.get_absolute_url())
    token = value(form(page, status_url(obligation)), "csrfmiddlewaretoken")
    response = client.post(
        status_url(obligation),
        {
            "status": S.IN_PROGRESS,
            "version": obligation.version,
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302


def test_get_is_not_allowed(client, obligation, staff_a):
    client.force_login(staff_a)
    assert client.get(status_url(obligation)).status_code == 405


def test_unknown_obligation_is_404(client, staff_a):
    client.force_login(staff_a)
    url = reverse("tracker:obligation_status", args=[999999])
    assert client.post(url, {"status": S.IN_PROGRESS, "version": 1}).status_code == 404


def _status_form(client, obligation):
    response = in_english(client).get(obligation.get_absolute_url())
    return response, form(response, status_url(obligation))


def _button(status_form, status):
    (button,) = status_form.xpath(".//button[@value=$v]", v=status)
    return button


def test_submit_button_lists_what_is_missing_before_the_click(
    client, obligation, staff_a
):
    set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)

    _response, status_form = _status_form(client, obligation)

    button = _button(status_form, S.SUBMITTED)
    assert button.get("disabled") is not None
    checklist = description(button)
    assert "At least one evidence file is uploaded. (missing)" in checklist
    assert "The note says what was done." in checklist


def test_submit_button_is_enabled_once_evidence_is_there(client, obligation, staff_a):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)
    client.force_login(staff_a)

    _response, status_form = _status_form(client, obligation)

    button = _button(status_form, S.SUBMITTED)
    assert button.get("disabled") is None
    assert "(missing)" not in description(button)


def test_return_reason_is_shown_at_the_top_until_resubmitted(
    client, obligation, staff_a, supervisor
):
    submit_and_return(obligation, staff_a, supervisor, "请补充整改前后对比照片")
    client.force_login(staff_a)

    response, status_form = _status_form(client, obligation)
    (card,) = parse(response).xpath("//section[@id='return-reason']")
    assert "请补充整改前后对比照片" in text(card)
    assert "王督查" in text(card)
    resubmit = _button(status_form, S.SUBMITTED)
    assert resubmit.get("disabled") is not None
    assert "added since the return. (missing)" in description(resubmit)

    obligation_add_note(obligation=obligation, user=staff_a, text="已补充")
    _response, status_form = _status_form(client, obligation)
    assert _button(status_form, S.SUBMITTED).get("disabled") is None
    response = post_status(
        client,
        Obligation.objects.get(pk=obligation.pk),
        status=S.SUBMITTED,
        note="已按意见修改",
    )
    assert response.status_code == 302

    page = parse(in_english(client).get(obligation.get_absolute_url()))
    assert not page.xpath("//section[@id='return-reason']")
    assert Obligation.objects.get(pk=obligation.pk).status == S.SUBMITTED


def test_resubmit_without_rework_is_400_with_the_reason(
    client, obligation, staff_a, supervisor
):
    submit_and_return(obligation, staff_a, supervisor, "材料不全")
    client.force_login(staff_a)
    current = Obligation.objects.get(pk=obligation.pk)

    response = post_status(client, current, status=S.SUBMITTED, note="再次提交")

    assert response.status_code == 400
    assert "about the rework before resubmitting" in text(response)
    assert Obligation.objects.get(pk=obligation.pk).status == S.RETURNED
