"""The ranking's weights: edited in the admin, summing to 100, every edit in the
history with who and why (services.assessment_weights_set)."""

import pytest
from django.core.exceptions import PermissionDenied

from tracker.models import AssessmentWeights
from tracker.services.assessment import assessment_weights_set
from tracker.services.common import ServiceError

URL = "/admin/tracker/assessmentweights/"


def post(client, **values):
    data = {
        "on_time": 40,
        "rating": 40,
        "returns": 10,
        "supervision": 10,
        "chases": 0,
        "change_reason": "县委依法治县办印发考核办法",
    }
    data.update(values)
    saved = AssessmentWeights.objects.first()
    url = f"{URL}{saved.pk}/change/" if saved else f"{URL}add/"
    return client.post(url, data)


def test_the_admin_opens_the_form_with_the_defaults(tracker_admin_client):
    response = tracker_admin_client.get(URL, follow=True)
    assert response.redirect_chain[-1][0] == f"{URL}add/"
    form = response.context["adminform"].form
    assert [form[name].value() for name in AssessmentWeights.DEFAULTS] == [
        40,
        40,
        10,
        10,
        0,
    ]


def test_weights_that_do_not_sum_to_100_are_refused_and_nothing_is_saved(
    tracker_admin_client,
):
    response = post(tracker_admin_client, on_time=50)
    assert response.status_code == 200
    assert "The weights add up to 110; they must add up to 100." in (
        response.content.decode()
    )
    assert not AssessmentWeights.objects.exists()
    assert AssessmentWeights.current().as_dict() == AssessmentWeights.DEFAULTS


def test_a_weight_refused_on_its_own_is_not_summed_as_its_default(
    tracker_admin_client,
):
    # 110 + (-10) + 0 + 0 is 100: the message used to add the default 40 kept in
    # place of the refused -10 and say the weights "add up to 150".
    response = post(
        tracker_admin_client, on_time=110, rating=-10, returns=0, supervision=0
    )

    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in page
    assert "add up to 150" not in page
    assert not AssessmentWeights.objects.exists()


def test_an_edit_is_saved_and_kept_in_the_history_with_who_and_why(
    tracker_admin_client, tracker_admin
):
    assert post(tracker_admin_client).status_code == 302
    response = post(
        tracker_admin_client, on_time=50, rating=30, change_reason="按期办结权重提高"
    )
    assert response.status_code == 302
    assert AssessmentWeights.current().as_dict() == {
        "on_time": 50,
        "rating": 30,
        "returns": 10,
        "supervision": 10,
        "chases": 0,
    }
    history = AssessmentWeights.history.order_by("history_date")
    assert [(h.on_time, h.history_change_reason) for h in history] == [
        (40, "县委依法治县办印发考核办法"),
        (50, "按期办结权重提高"),
    ]
    assert {h.history_user for h in history} == {tracker_admin}
    # One row only: the list leads to it, a second one cannot be added.
    assert tracker_admin_client.get(URL).url == f"{URL}1/change/"
    assert tracker_admin_client.get(f"{URL}add/").status_code == 403


def test_the_reason_is_required(tracker_admin_client):
    response = post(tracker_admin_client, change_reason="")
    assert response.status_code == 200
    assert not AssessmentWeights.objects.exists()


def test_the_weights_cannot_be_deleted(tracker_admin_client):
    post(tracker_admin_client)
    response = tracker_admin_client.post(f"{URL}1/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AssessmentWeights.objects.exists()


@pytest.mark.usefixtures("english")
def test_the_service_refuses_a_wrong_sum(tracker_admin):
    with pytest.raises(ServiceError, match="add up to 99"):
        assessment_weights_set(
            user=tracker_admin,
            on_time=40,
            rating=40,
            returns=10,
            supervision=9,
            reason="调整",
        )
    assert not AssessmentWeights.objects.exists()


def test_only_an_administrator_sets_the_weights(supervisor):
    with pytest.raises(PermissionDenied):
        assessment_weights_set(
            user=supervisor,
            on_time=100,
            rating=0,
            returns=0,
            supervision=0,
            reason="调整",
        )
    assert not AssessmentWeights.objects.exists()
