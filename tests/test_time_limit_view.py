"""限时办结 from the obligation page's assign form and the admin's bulk assign: a
due date or a limit in working days; bad input is a form error, nothing saved."""

from datetime import date

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import errors, parse, text
from tracker.models import Obligation, ProgressUpdate


@pytest.fixture
def sept_24(today_is):
    return today_is(date(2026, 9, 24))


def _assign(client, obligation, **data):
    return in_english(client).post(
        reverse("tracker:obligation_assign", args=[obligation.pk]),
        {"version": obligation.version, **data},
    )


def test_a_limit_of_15_working_days_is_shown_as_the_date_with_its_countdown(
    sv_client, obligation, sept_24
):
    response = _assign(sv_client, obligation, due_date="", limit_workdays="15")
    assert response.status_code == 302
    assert Obligation.objects.get(pk=obligation.pk).due_date == date(2026, 10, 22)
    page = text(sv_client.get(obligation.get_absolute_url()))
    assert "2026-10-22 15 working days left" in page
    assert "— → 2026-10-22（15 个工作日）" in page  # the timeline says both


@pytest.mark.parametrize("limit", ["0", "1000"])
def test_a_limit_out_of_range_is_a_field_error(sv_client, obligation, limit):
    response = _assign(sv_client, obligation, limit_workdays=limit)
    assert response.status_code == 400
    assert errors(response, "assign-limit_workdays")
    assert Obligation.objects.get(pk=obligation.pk).due_date is None
    assert not ProgressUpdate.objects.exists()


def test_a_new_due_date_and_a_limit_together_are_refused(
    sv_client, obligation, sept_24
):
    response = _assign(
        sv_client, obligation, due_date="2026-12-31", limit_workdays="10"
    )
    assert response.status_code == 400
    assert "not both" in text(response)
    assert Obligation.objects.get(pk=obligation.pk).due_date is None


def test_a_due_date_in_the_past_is_refused(sv_client, obligation, sept_24):
    response = _assign(sv_client, obligation, due_date="2026-09-23")
    assert response.status_code == 400
    assert "2026-09-23 is in the past" in text(response)
    assert not ProgressUpdate.objects.exists()


def _bulk(client, obligations, **data):
    return in_english(client).post(
        reverse("admin:tracker_obligation_changelist"),
        {
            "action": "assign_selected",
            helpers.ACTION_CHECKBOX_NAME: [o.pk for o in obligations],
            **{f"version_{o.pk}": o.version for o in obligations},
            "apply": "1",
            **data,
        },
    )


def test_admin_bulk_assign_sets_a_limit_on_every_selected_obligation(
    tracker_admin_client, sept_24
):
    obligations = ObligationFactory.create_batch(2)
    response = _bulk(tracker_admin_client, obligations, limit_workdays="15")
    assert response.status_code == 302
    dates = set(Obligation.objects.values_list("due_date", flat=True))
    assert dates == {date(2026, 10, 22)}


def test_admin_bulk_assign_refuses_a_date_and_a_limit(tracker_admin_client, sept_24):
    obligations = ObligationFactory.create_batch(2)
    response = _bulk(
        tracker_admin_client, obligations, due_date="2026-12-31", limit_workdays="5"
    )
    assert response.status_code == 200
    assert "not both" in text(parse(response))
    assert not Obligation.objects.filter(due_date__isnull=False).exists()


def test_admin_bulk_assign_refuses_a_past_date_and_writes_nothing(
    tracker_admin_client, sept_24
):
    obligations = ObligationFactory.create_batch(2)
    response = _bulk(tracker_admin_client, obligations, due_date="2026-09-01")
    assert response.status_code == 302
    messages = [
        str(m)
        for m in tracker_admin_client.get(response["Location"]).context["messages"]
    ]
    assert any("2026-09-01 is in the past" in m for m in messages)
    assert not Obligation.objects.filter(due_date__isnull=False).exists()
