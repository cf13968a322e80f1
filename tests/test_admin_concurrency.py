"""The admin's change form and bulk actions against a supervisor working at the same
time on the obligation page: a stale admin save is refused and writes nothing; a
fresh one writes only what the admin changed."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse

from tests.factories import ObligationFactory
from tracker.admin import obligations as obligation_admin
from tracker.forms import ObligationAdminForm
from tracker.models import Obligation, ProgressUpdate

DUE = datetime.date(2030, 6, 30)


@pytest.fixture
def admin_browser(tracker_admin):
    """The admin's own browser (Chinese interface), next to the supervisor's."""
    browser = Client()
    browser.force_login(tracker_admin)
    return browser


@pytest.fixture
def supervisor_browser(supervisor):
    browser = Client()
    browser.force_login(supervisor)
    return browser


def _change_url(obligation):
    return reverse("admin:tracker_obligation_change", args=[obligation.pk])


def _open_change_form(browser, obligation):
    """GET the change form; returns the data a browser would post back unchanged."""
    response = browser.get(_change_url(obligation))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {
        name: "" if form[name].value() is None else form[name].value()
        for name in ObligationAdminForm.Meta.fields
        if name != "addresses"
    }
    data.update(
        {
            "change_note": "",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        }
    )
    return data


def _supervisor_moves_the_due_date(browser, obligation):
    obligation.refresh_from_db()
    response = browser.post(
        reverse("tracker:obligation_assign", args=[obligation.pk]),
        {"version": obligation.version, "due_date": DUE.isoformat(), "note": ""},
    )
    assert response.status_code == 302


def _supervisor_raises_supervision(browser, obligation):
    obligation.refresh_from_db()
    response = browser.post(
        reverse("tracker:obligation_supervision", args=[obligation.pk]),
        {"version": obligation.version, "level": "red", "note": "进度滞后"},
    )
    assert response.status_code == 302


def _refusal(response):
    """The messages at the top of the re-shown change form (the timeline inline
    further down names the supervisor too, so the page as a whole proves nothing)."""
    return "\n".join(response.context["adminform"].form.non_field_errors())


def _snapshot(obligation):
    current = Obligation.objects.get(pk=obligation.pk)
    return (
        current.title,
        current.due_date,
        current.supervision_level,
        current.version,
        current.history.count(),
        current.updates.count(),
    )


@pytest.mark.parametrize(
    ("supervisor_changes", "what_changed"),
    [
        (_supervisor_moves_the_due_date, "完成时限: — → 2030-06-30"),
        (_supervisor_raises_supervision, "督办等级: 未督办 → 红色督办"),
    ],
    ids=["due date", "supervision level"],
)
def test_stale_admin_save_is_refused_naming_the_supervisor_and_the_change(
    admin_browser, supervisor_browser, obligation, supervisor_changes, what_changed
):
    seen = _open_change_form(admin_browser, obligation)
    supervisor_changes(supervisor_browser, obligation)
    after_supervisor = _snapshot(obligation)

    response = admin_browser.post(
        _change_url(obligation), {**seen, "title": "管理员改的标题"}
    )

    assert response.status_code == 200
    refusal = _refusal(response)
    assert "王督查" in refusal
    assert what_changed in refusal
    # The admin did not touch the level: no misleading demand for a reason.
    assert "变更督办等级时必须填写理由" not in response.content.decode()
    # The admin's own edit is still in the form, for them to redo after reloading.
    assert "管理员改的标题" in response.content.decode()
    # Nothing written: the supervisor's change stands, the title is the old one.
    assert _snapshot(obligation) == after_supervisor


def test_fresh_admin_save_of_the_title_changes_only_the_title(
    admin_browser, supervisor_browser, tracker_admin, obligation
):
    _supervisor_moves_the_due_date(supervisor_browser, obligation)
    _supervisor_raises_supervision(supervisor_browser, obligation)
    old_title = Obligation.objects.get(pk=obligation.pk).title
    seen = _open_change_form(admin_browser, obligation)

    response = admin_browser.post(
        _change_url(obligation), {**seen, "title": "管理员改的标题"}
    )

    assert response.status_code == 302
    current = Obligation.objects.get(pk=obligation.pk)
    assert current.title == "管理员改的标题"
    assert (current.due_date, current.supervision_level) == (DUE, "red")
    assert current.version == seen["version"] + 1
    update = current.updates.get(action=ProgressUpdate.Action.EDIT)
    assert update.author == tracker_admin
    assert update.text == f"标题: {old_title} → 管理员改的标题"
    latest = current.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        tracker_admin,
        "修改文本",
    )


def test_admin_save_racing_a_supervisor_under_the_lock_writes_nothing(
    admin_browser, supervisor_browser, obligation, monkeypatch
):
    """The supervisor's write lands after the admin's form was checked and before
    the first service runs: the service's own version check refuses it."""
    seen = _open_change_form(admin_browser, obligation)
    _supervisor_moves_the_due_date(supervisor_browser, obligation)
    before = _snapshot(obligation)
    monkeypatch.setattr(
        obligation_admin, "obligation_check_version", lambda **kwargs: None
    )

    response = admin_browser.post(
        _change_url(obligation), {**seen, "title": "管理员改的标题"}
    )

    assert response.status_code == 200
    assert "王督查" in _refusal(response)
    assert _snapshot(obligation) == before


def test_admin_save_without_a_version_is_refused(admin_browser, obligation):
    seen = _open_change_form(admin_browser, obligation)
    del seen["version"]
    before = _snapshot(obligation)

    response = admin_browser.post(_change_url(obligation), {**seen, "title": "新"})

    assert response.status_code == 200
    assert _snapshot(obligation) == before


def test_bulk_assign_on_an_obligation_changed_meanwhile_writes_nothing(
    admin_browser, supervisor_browser, department_a, department_b
):
    obligations = [ObligationFactory(department=department_a) for _ in range(2)]
    changelist = reverse("admin:tracker_obligation_changelist")
    selection = {
        "action": "assign_selected",
        helpers.ACTION_CHECKBOX_NAME: [o.pk for o in obligations],
    }
    page = admin_browser.post(changelist, selection)
    versions = {f"version_{o.pk}": o.version for o in page.context["obligations"]}
    _supervisor_moves_the_due_date(supervisor_browser, obligations[1])
    before = [_snapshot(o) for o in obligations]

    response = admin_browser.post(
        changelist,
        {**selection, **versions, "apply": "1", "department": department_b.pk},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert any("王督查" in m and "完成时限" in m for m in shown)
    assert [_snapshot(o) for o in obligations] == before
    assert {
        o.department
        for o in Obligation.objects.filter(pk__in=[o.pk for o in obligations])
    } == {department_a}
