"""Suggested task -> problem links on a task's page, and confirming one
(obligation_confirm_link): only supervisors and admins confirm; the confirmation is
recorded like every change (timeline entry, history row, version checked)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import ObligationFactory
from tests.pages import parse, text
from tests.seed_report import SEED_TEXT
from tracker import importing
from tracker.models import Obligation, ProgressUpdate
from tracker.selectors import obligations as obligation_selectors
from tracker.services.common import ServiceError
from tracker.services.importing import report_import
from tracker.services.workflow import obligation_confirm_link


@pytest.fixture
def seed(db):
    report_import(tree=importing.parse_report(SEED_TEXT))
    return {o.code: o for o in Obligation.objects.all()}


def _confirm(client, task, problem, version=None):
    return client.post(
        reverse("tracker:obligation_confirm_link", args=[task.pk]),
        {"problem": problem.pk, "version": version or task.version},
    )


def test_task_page_shows_suggested_problems_with_the_shared_wording(sv_client, seed):
    page = parse(sv_client.get(seed["4.4"].get_absolute_url()))

    card = page.get_element_by_id("suggested-links")
    assert "Suggested problems" in text(card)
    links = [a.get("href") for a in card.xpath(".//a")]
    # Best first: 3.2, joined by a synonym the thesaurus knows; then 3.1.
    assert links[:2] == [seed["3.2"].get_absolute_url(), seed["3.1"].get_absolute_url()]
    assert "Shared wording: 法治观念 ≈ 法治素养" in text(card)
    assert "执法人员" in text(card)
    assert len(card.xpath(".//button[text()='Confirm link']")) == 3


def test_staff_see_the_suggestions_without_a_confirm_button(client, staff_a, seed):
    client.force_login(staff_a)

    page = parse(client.get(seed["4.4"].get_absolute_url()))

    card = page.get_element_by_id("suggested-links")
    assert card.xpath(".//a")
    assert card.xpath(".//button") == []


def test_a_problem_or_work_item_page_has_no_suggestions(sv_client, seed):
    for code in ("3.1", "1.1.1"):
        page = parse(sv_client.get(seed[code].get_absolute_url()))
        assert page.xpath("//*[@id='suggested-links']") == []


def test_supervisor_confirms_a_suggestion_and_it_becomes_a_recorded_link(
    sv_client, supervisor, seed
):
    task, problem = seed["4.4"], seed["3.1"]

    response = _confirm(sv_client, task, problem)

    assert response.status_code == 302
    task.refresh_from_db()
    assert list(task.addresses.all()) == [problem]
    assert task.version == 2
    entry = task.updates.get(action=ProgressUpdate.Action.LINKS)
    assert entry.author == supervisor
    assert "3.1" in entry.text and "已确认建议的关联" in entry.text
    assert task.history.first().history_user == supervisor
    # Confirmed, it is a link now and no longer offered as a suggestion.
    page = parse(sv_client.get(task.get_absolute_url()))
    card = page.get_element_by_id("suggested-links")
    assert problem.get_absolute_url() not in [a.get("href") for a in card.xpath(".//a")]
    assert "Problems this task addresses" in text(page)


def test_a_stale_confirmation_is_refused_with_409_and_links_nothing(sv_client, seed):
    task, problem = seed["4.4"], seed["3.1"]
    Obligation.objects.filter(pk=task.pk).update(version=5)

    response = _confirm(sv_client, task, problem, version=4)

    assert response.status_code == 409
    assert not task.addresses.exists()


def test_a_problem_of_another_report_is_refused(sv_client, seed):
    stranger = ObligationFactory(kind=Obligation.Kind.PROBLEM, code="3.1")

    response = _confirm(sv_client, seed["4.4"], stranger)

    assert response.status_code == 400
    assert "is not a problem of this report" in text(parse(response))
    assert not seed["4.4"].addresses.exists()


@pytest.mark.usefixtures("english")
def test_confirming_a_link_twice_is_refused(supervisor, seed):
    task, problem = seed["4.4"], seed["3.1"]
    obligation_confirm_link(obligation=task, user=supervisor, problem=problem)

    with pytest.raises(ServiceError, match="already linked"):
        obligation_confirm_link(obligation=task, user=supervisor, problem=problem)
    assert task.updates.filter(action=ProgressUpdate.Action.LINKS).count() == 1


def test_staff_cannot_confirm_a_link(staff_a, seed):
    with pytest.raises(PermissionDenied):
        obligation_confirm_link(
            obligation=seed["4.4"], user=staff_a, problem=seed["3.1"]
        )
    assert not seed["4.4"].addresses.exists()


def test_a_task_of_a_report_above_the_size_limit_has_no_suggestions(
    sv_client, seed, monkeypatch
):
    # The seed report holds more passages than this: the page is drawn without
    # comparing them (at 10,000 the comparison outlasts the request).
    monkeypatch.setattr(obligation_selectors, "LINK_SUGGESTIONS_MAX_PASSAGES", 3)

    response = sv_client.get(seed["4.4"].get_absolute_url())

    assert response.status_code == 200
    assert parse(response).xpath("//*[@id='suggested-links']") == []
