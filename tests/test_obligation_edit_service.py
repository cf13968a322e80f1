"""The services behind the admin's text and link edits: obligation_edit and
obligation_set_addresses write the change, a timeline entry in the record language
and a history row with the user, or refuse and write nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from tests.factories import ObligationFactory, ReportFactory
from tracker.models import Obligation, ProgressUpdate
from tracker.services.common import ServiceError, StaleVersionError
from tracker.services.workflow import obligation_edit, obligation_set_addresses

K = Obligation.Kind


@pytest.fixture
def report(db):
    return ReportFactory()


@pytest.fixture
def task(report):
    return ObligationFactory(report=report, kind=K.TASK, code="3.1")


@pytest.fixture
def problems(report):
    return [
        ObligationFactory(report=report, kind=K.PROBLEM, code=f"2.{n}", position=n)
        for n in (1, 2, 3)
    ]


def test_title_edit_writes_a_timeline_entry_and_a_history_row_in_chinese(
    obligation, tracker_admin
):
    old = obligation.title
    with translation.override("en"):
        obligation_edit(
            obligation=obligation,
            user=tracker_admin,
            title="更正后的标题",
            body=obligation.body,
            note="原标题有错字",
            version=obligation.version,
        )

    update = obligation.updates.get()
    assert update.action == ProgressUpdate.Action.EDIT
    assert update.author == tracker_admin
    assert update.text == f"标题: {old} → 更正后的标题\n原标题有错字"
    latest = obligation.history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.title) == (
        tracker_admin,
        "修改文本",
        "更正后的标题",
    )


def test_body_edit_keeps_the_previous_text_in_the_history(obligation, tracker_admin):
    old_body = obligation.body

    obligation_edit(
        obligation=obligation,
        user=tracker_admin,
        title=obligation.title,
        body="新正文。",
    )

    assert obligation.updates.get().text == "正文已修改；原文见历史记录。"
    assert obligation.history.all()[1].body == old_body
    assert Obligation.objects.get(pk=obligation.pk).body == "新正文。"


def test_edit_that_changes_nothing_writes_nothing(obligation, tracker_admin):
    version = obligation.version

    obligation_edit(
        obligation=obligation,
        user=tracker_admin,
        title=obligation.title,
        body=obligation.body,
    )

    assert Obligation.objects.get(pk=obligation.pk).version == version
    assert not obligation.updates.exists()


def test_edit_on_a_stale_version_is_refused(obligation, tracker_admin, supervisor):
    seen = obligation.version
    obligation_edit(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=tracker_admin,
        title="第一次",
        body=obligation.body,
    )

    with pytest.raises(StaleVersionError):
        obligation_edit(
            obligation=obligation,
            user=tracker_admin,
            title="第二次",
            body=obligation.body,
            version=seen,
        )

    assert Obligation.objects.get(pk=obligation.pk).title == "第一次"


def test_supervisor_may_not_edit_the_text(obligation, supervisor):
    with pytest.raises(PermissionDenied):
        obligation_edit(
            obligation=obligation, user=supervisor, title="改", body=obligation.body
        )

    assert not obligation.updates.exists()


def test_empty_title_is_refused(obligation, tracker_admin):
    with pytest.raises(ServiceError):
        obligation_edit(
            obligation=obligation, user=tracker_admin, title=" ", body=obligation.body
        )


def test_link_change_lists_the_problem_codes_before_and_after(
    task, problems, tracker_admin
):
    task.addresses.set(problems[:2])

    obligation_set_addresses(
        obligation=task,
        user=tracker_admin,
        problems=[problems[2], problems[0]],
        note="调整对应关系",
        version=task.version,
    )

    assert set(task.addresses.all()) == {problems[0], problems[2]}
    update = task.updates.get()
    assert update.action == ProgressUpdate.Action.LINKS
    assert update.text == "对应问题: 2.1, 2.2 → 2.1, 2.3\n调整对应关系"
    latest = task.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        tracker_admin,
        "关联问题",
    )


def test_removing_every_link_is_recorded(task, problems, tracker_admin):
    task.addresses.set(problems)

    obligation_set_addresses(obligation=task, user=tracker_admin, problems=[])

    assert not task.addresses.exists()
    assert task.updates.get().text == "对应问题: 2.1, 2.2, 2.3 → —"


def test_same_links_write_nothing(task, problems, tracker_admin):
    task.addresses.set(problems)
    version = task.version

    obligation_set_addresses(obligation=task, user=tracker_admin, problems=problems)

    assert Obligation.objects.get(pk=task.pk).version == version
    assert not task.updates.exists()


def test_link_to_a_problem_of_another_report_is_refused(task, tracker_admin):
    elsewhere = ObligationFactory(
        report=ReportFactory(year=2021), kind=K.PROBLEM, code="2.9"
    )

    with pytest.raises(ServiceError, match="2.9"):
        obligation_set_addresses(
            obligation=task, user=tracker_admin, problems=[elsewhere]
        )

    assert not task.addresses.exists()
    assert not task.updates.exists()


def test_only_a_task_addresses_problems(problems, tracker_admin):
    with pytest.raises(ServiceError):
        obligation_set_addresses(
            obligation=problems[0], user=tracker_admin, problems=[problems[1]]
        )

    assert not problems[0].addresses.exists()


def test_admin_link_edit_goes_through_the_service_with_a_timeline_entry(
    client, tracker_admin, task, problems
):
    client.force_login(tracker_admin)
    response = client.get(reverse("admin:tracker_obligation_change", args=[task.pk]))
    form = response.context["adminform"].form
    data = {
        name: form[name].value() or ""
        for name in ("title", "body", "supervision_level", "version")
    }

    response = client.post(
        reverse("admin:tracker_obligation_change", args=[task.pk]),
        {
            **data,
            "addresses": [problems[0].pk],
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "updates-TOTAL_FORMS": "0",
            "updates-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert list(task.addresses.all()) == [problems[0]]
    update = task.updates.get()
    assert (update.action, update.author) == (
        ProgressUpdate.Action.LINKS,
        tracker_admin,
    )
    assert update.text == "对应问题: — → 2.1"
