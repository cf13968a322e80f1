"""The admin: pages load, edits and bulk actions go through the services, nothing
can be deleted."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from tests.factories import ObligationFactory
from tests.pages import parse
from tests.workflow_helpers import assignment_trail, upload
from tracker.models import (
    Department,
    Evidence,
    Obligation,
    ProgressUpdate,
    Report,
    Section,
    SupervisionNotice,
)
from tracker.services.workflow import obligation_add_note

MODELS = [Report, Section, Department, Obligation, Evidence, ProgressUpdate]
NO_DELETE = [Report, Section, Obligation, Evidence, ProgressUpdate]


@pytest.fixture
def rows(obligation, staff_a):
    evidence = upload(obligation, staff_a)
    update = obligation_add_note(obligation=obligation, user=staff_a, text="进展")
    return {
        Report: obligation.report,
        Section: obligation.section,
        Department: obligation.department,
        Obligation: obligation,
        Evidence: evidence,
        ProgressUpdate: update,
    }


def _controls(response):
    """The names of the form controls on the page (what an admin can edit)."""
    page = parse(response)
    return set(page.xpath("//*[self::input or self::textarea or self::select]/@name"))


def _url(model, view, *args):
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_pages_load_for_a_superuser(
    tracker_admin_client, rows, model
):
    assert tracker_admin_client.get(_url(model, "changelist")).status_code == 200
    assert (
        tracker_admin_client.get(_url(model, "change", rows[model].pk)).status_code
        == 200
    )


@pytest.mark.parametrize("model", [Obligation, Evidence], ids=lambda m: m.__name__)
def test_history_pages_load(tracker_admin_client, rows, model):
    assert (
        tracker_admin_client.get(_url(model, "history", rows[model].pk)).status_code
        == 200
    )


def test_changelist_search_and_filters_load(tracker_admin_client, rows):
    response = tracker_admin_client.get(
        _url(Obligation, "changelist"), {"q": "事项", "status": "not_started"}
    )
    assert response.status_code == 200


def test_department_add_page_loads(tracker_admin_client):
    assert tracker_admin_client.get(_url(Department, "add")).status_code == 200


@pytest.mark.parametrize("model", NO_DELETE, ids=lambda m: m.__name__)
def test_delete_is_not_offered(tracker_admin_client, rows, model):
    pk = rows[model].pk
    assert tracker_admin_client.get(_url(model, "delete", pk)).status_code == 403
    changelist = parse(tracker_admin_client.get(_url(model, "changelist")))
    actions = changelist.xpath("//select[@name='action']/option/@value")
    assert "delete_selected" not in actions
    assert model.objects.filter(pk=pk).exists()


def test_obligation_status_is_read_only_in_the_change_form(
    tracker_admin_client, obligation
):
    response = tracker_admin_client.get(_url(Obligation, "change", obligation.pk))

    assert "status" not in _controls(response)


def test_obligation_rating_is_shown_but_not_editable_in_the_change_form(
    tracker_admin_client, obligation
):
    Obligation.objects.filter(pk=obligation.pk).update(
        status=Obligation.Status.DONE,
        rating=Obligation.Rating.FAIR,
        rating_comment="进度偏慢",
    )

    response = tracker_admin_client.get(_url(Obligation, "change", obligation.pk))

    assert not {"rating", "rating_comment"} & _controls(response)
    page = response.content.decode()
    assert "Fair" in page and "进度偏慢" in page


def test_a_posted_rating_is_ignored_by_the_change_form(
    tracker_admin_client, obligation
):
    response = tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        {
            "title": obligation.title,
            "body": obligation.body,
            "version": obligation.version,
            "supervision_level": obligation.supervision_level,
            "rating": Obligation.Rating.EXCELLENT,
            "rating_comment": "改分",
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
            "updates-TOTAL_FORMS": 0,
            "updates-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302  # saved: the rest of the form was valid
    obligation.refresh_from_db()
    assert (obligation.rating, obligation.rating_comment) == ("", "")


def test_autocomplete_for_owner_and_department_answers(
    tracker_admin_client, obligation
):
    for field in ("owner", "department"):
        response = tracker_admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "tracker",
                "model_name": "obligation",
                "field_name": field,
                "term": "",
            },
        )
        assert response.status_code == 200


def _change_form_data(obligation, **overrides):
    data = {
        "title": obligation.title,
        "body": obligation.body,
        "department": obligation.department_id or "",
        "owner": obligation.owner_id or "",
        "due_date": obligation.due_date or "",
        "supervision_level": obligation.supervision_level,
        "change_note": "",
        "version": obligation.version,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_change_form_assignment_goes_through_the_service(
    tracker_admin_client, tracker_admin, obligation, department_b
):
    response = tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        _change_form_data(
            obligation, department=department_b.pk, due_date="2030-06-30"
        ),
    )

    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.department == department_b
    assert obligation.due_date == datetime.date(2030, 6, 30)
    assert assignment_trail(obligation) == ([tracker_admin] * 2, tracker_admin)


def test_change_form_supervision_needs_a_reason(tracker_admin_client, obligation):
    response = tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        _change_form_data(obligation, supervision_level="red"),
    )

    assert response.status_code == 200
    obligation.refresh_from_db()
    assert obligation.supervision_level == "none"


def test_change_form_supervision_with_reason_is_recorded(
    tracker_admin_client, tracker_admin, obligation
):
    tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        _change_form_data(obligation, supervision_level="red", change_note="严重滞后"),
    )

    obligation.refresh_from_db()
    assert obligation.supervision_level == "red"
    update = obligation.updates.get(action=ProgressUpdate.Action.SUPERVISION)
    assert update.author == tracker_admin
    assert "严重滞后" in update.text


def test_change_form_text_edit_is_in_history_with_the_admin(
    tracker_admin_client, tracker_admin, obligation
):
    tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        _change_form_data(obligation, title="新标题"),
    )

    obligation.refresh_from_db()
    assert obligation.title == "新标题"
    latest = obligation.history.latest()
    assert (latest.history_user, latest.title) == (tracker_admin, "新标题")


def _action(client, action, obligations, **data):
    return client.post(
        _url(Obligation, "changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [o.pk for o in obligations],
            # What the intermediate page carries: the version of each obligation.
            **{f"version_{o.pk}": o.version for o in obligations},
            **data,
        },
    )


def test_bulk_assign_shows_an_intermediate_form(tracker_admin_client, obligation):
    response = _action(tracker_admin_client, "assign_selected", [obligation])

    assert response.status_code == 200
    assert "admin/tracker/obligation/bulk_assign.html" in [
        t.name for t in response.templates
    ]


def test_bulk_assign_records_every_change_with_the_admin(
    tracker_admin_client, tracker_admin, department_a, department_b, staff_b
):
    obligations = [ObligationFactory(department=department_a) for _ in range(3)]

    response = _action(
        tracker_admin_client,
        "assign_selected",
        obligations,
        apply="1",
        department=department_b.pk,
        owner=staff_b.pk,
        due_date="2030-09-30",
        note="调整分工",
    )

    assert response.status_code == 302
    for obligation in obligations:
        obligation.refresh_from_db()
        assert obligation.department == department_b
        assert obligation.owner == staff_b
        assert obligation.due_date == datetime.date(2030, 9, 30)
        assert assignment_trail(obligation) == ([tracker_admin] * 3, tracker_admin)


def test_bulk_assign_leaves_empty_fields_alone(
    tracker_admin_client, department_a, staff_a
):
    obligation = ObligationFactory(department=department_a)

    _action(
        tracker_admin_client,
        "assign_selected",
        [obligation],
        apply="1",
        owner=staff_a.pk,
    )

    obligation.refresh_from_db()
    assert (obligation.department, obligation.owner) == (department_a, staff_a)


def test_bulk_assign_of_an_owner_outside_the_department_writes_nothing(
    tracker_admin_client, department_a, staff_a, staff_b
):
    first = ObligationFactory(department=department_a)
    second = ObligationFactory(department=department_a)

    _action(
        tracker_admin_client,
        "assign_selected",
        [first, second],
        apply="1",
        department=department_a.pk,
        owner=staff_b.pk,
    )

    page = tracker_admin_client.get(_url(Obligation, "changelist"))
    assert "李四 is not a member of 县司法局" in page.content.decode()
    assert not Obligation.objects.filter(owner__isnull=False).exists()
    assert not ProgressUpdate.objects.filter(obligation__in=[first, second]).exists()


def test_bulk_assign_with_nothing_chosen_rerenders_the_form(
    tracker_admin_client, obligation
):
    response = _action(tracker_admin_client, "assign_selected", [obligation], apply="1")

    assert response.status_code == 200
    assert not obligation.updates.exists()


def test_bulk_supervision_records_reason_and_user(
    tracker_admin_client, tracker_admin, obligation
):
    response = _action(
        tracker_admin_client,
        "set_supervision_selected",
        [obligation],
        apply="1",
        level="yellow",
        note="督办",
    )

    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.supervision_level == "yellow"
    assert obligation.updates.get().author == tracker_admin
    assert obligation.history.latest().history_user == tracker_admin


def test_bulk_supervision_to_red_issues_a_numbered_notice_for_each(
    tracker_admin_client, tracker_admin, department_a
):
    first, second = ObligationFactory.create_batch(2, department=department_a)

    _action(
        tracker_admin_client,
        "set_supervision_selected",
        [first, second],
        apply="1",
        level="red",
        note="集中督办",
    )

    notices = SupervisionNotice.objects.order_by("number")
    assert [(n.obligation, n.number) for n in notices] in (
        [(first, 1), (second, 2)],
        [(second, 1), (first, 2)],
    )
    assert {n.issued_by for n in notices} == {tracker_admin}


def test_evidence_note_is_the_only_editable_field(tracker_admin_client, rows):
    evidence = rows[Evidence]
    response = tracker_admin_client.get(_url(Evidence, "change", evidence.pk))
    assert "note" in _controls(response)
    assert "original_name" not in _controls(response)
    download = reverse("tracker:evidence_download", args=[evidence.pk])
    assert parse(response).xpath("//a[@href=$url]", url=download)


def test_evidence_note_edit_is_in_the_timeline_naming_the_admin(
    tracker_admin_client, tracker_admin, obligation, staff_a
):
    evidence = upload(obligation, staff_a, note="初稿")

    response = tracker_admin_client.post(
        _url(Evidence, "change", evidence.pk), {"note": "整改报告终稿"}
    )

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.note == "整改报告终稿"
    entry = obligation.updates.latest("created_at")
    # In the record's language, whatever language the admin reads.
    assert (entry.author, entry.evidence, entry.text) == (
        tracker_admin,
        evidence,
        "说明: 初稿 → 整改报告终稿",
    )
    latest = evidence.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        tracker_admin,
        "修改文本",
    )


def test_evidence_saved_unchanged_in_the_admin_writes_nothing(
    tracker_admin_client, obligation, staff_a
):
    evidence = upload(obligation, staff_a, note="初稿")
    updates, history = obligation.updates.count(), evidence.history.count()

    tracker_admin_client.post(_url(Evidence, "change", evidence.pk), {"note": "初稿"})

    assert (obligation.updates.count(), evidence.history.count()) == (updates, history)


def test_history_revert_is_refused(tracker_admin_client, obligation):
    history_id = obligation.history.latest().history_id
    url = reverse(
        "admin:tracker_obligation_simple_history", args=[obligation.pk, history_id]
    )

    response = tracker_admin_client.post(
        url, _change_form_data(obligation, title="回滚")
    )

    assert response.status_code == 403
    obligation.refresh_from_db()
    assert obligation.title != "回滚"
