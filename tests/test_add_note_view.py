"""POST /obligations/<pk>/update/: a progress note by the working staff."""

from django.urls import reverse

from tests.conftest import in_english
from tests.pages import errors
from tracker.models import ProgressUpdate
from tracker.services.supervision import obligation_set_supervision


def _url(obligation):
    return reverse("tracker:obligation_add_note", args=[obligation.pk])


def test_working_staff_posts_a_progress_note(client, obligation, staff_a):
    client.force_login(staff_a)
    response = in_english(client).post(_url(obligation), {"text": "已召开专题会议"})
    assert response.status_code == 302
    entry = ProgressUpdate.objects.get(action=ProgressUpdate.Action.COMMENT)
    assert (entry.action, entry.author, entry.text) == (
        ProgressUpdate.Action.COMMENT,
        staff_a,
        "已召开专题会议",
    )
    page = in_english(client).get(response["Location"]).content.decode()
    assert "Progress update posted." in page
    assert "已召开专题会议" in page


def test_empty_note_is_400_on_the_text_field(client, obligation, staff_a):
    client.force_login(staff_a)
    response = client.post(_url(obligation), {"text": ""})
    assert response.status_code == 400
    assert errors(response, "note-text")
    assert not ProgressUpdate.objects.exists()


def test_version_that_is_not_a_number_is_400(client, obligation, staff_a):
    client.force_login(staff_a)
    response = client.post(_url(obligation), {"text": "进展", "version": "x"})
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_a_note_with_an_older_version_is_still_accepted(
    client, obligation, staff_a, supervisor
):
    # A note overwrites nothing, so there is no conflict to report.
    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="white", note="提醒", version=1
    )
    assert obligation.version == 2
    client.force_login(staff_a)
    response = client.post(_url(obligation), {"text": "进展", "version": 1})
    assert response.status_code == 302
    assert obligation.updates.filter(text="进展").exists()
