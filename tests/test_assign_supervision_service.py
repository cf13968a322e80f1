"""obligation_assign and obligation_set_supervision: reviewers' writes, each change
on the timeline and in history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tracker.models import Obligation, ProgressUpdate
from tracker.services.common import UNSET, ServiceError
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import obligation_assign

L = Obligation.SupervisionLevel


pytestmark = pytest.mark.usefixtures("english")


def test_assign_changes_each_field_with_one_timeline_entry_per_field(
    obligation, supervisor, department_b, staff_b
):
    obligation_assign(
        obligation=obligation,
        user=supervisor,
        department=department_b,
        owner=staff_b,
        due_date=datetime.date(2030, 6, 30),
        note="按分工调整",
    )

    obligation.refresh_from_db()
    assert (obligation.department, obligation.owner, obligation.due_date) == (
        department_b,
        staff_b,
        datetime.date(2030, 6, 30),
    )
    texts = sorted(
        obligation.updates.filter(action=ProgressUpdate.Action.ASSIGN).values_list(
            "text", flat=True
        )
    )
    assert len(texts) == 3
    assert any("县司法局 → 县政务服务管理办公室" in t for t in texts)
    assert any("— → 2030-06-30" in t for t in texts)
    assert all(t.endswith("按分工调整") for t in texts)
    assert set(obligation.updates.values_list("author", flat=True)) == {supervisor.pk}


def test_assign_writes_one_history_row_with_the_user(
    obligation, tracker_admin, staff_a
):
    before = obligation.history.count()

    obligation_assign(obligation=obligation, user=tracker_admin, owner=staff_a)

    assert obligation.history.count() == before + 1
    latest = obligation.history.latest()
    assert (latest.history_user, latest.owner_id) == (tracker_admin, staff_a.pk)


def test_assign_unset_fields_are_left_alone_and_none_clears(
    obligation, supervisor, department_a
):
    obligation_assign(obligation=obligation, user=supervisor, department=None)

    obligation.refresh_from_db()
    assert obligation.department is None
    (update,) = obligation.updates.all()
    assert "县司法局 → —" in update.text


def test_assign_without_changes_writes_nothing(obligation, supervisor, department_a):
    before = obligation.version

    obligation_assign(
        obligation=obligation, user=supervisor, department=department_a, owner=UNSET
    )

    obligation.refresh_from_db()
    assert obligation.version == before
    assert not obligation.updates.exists()


@pytest.mark.parametrize("role", ["staff_a", "staff_b"])
def test_staff_may_not_assign(request, obligation, department_b, role):
    with pytest.raises(PermissionDenied):
        obligation_assign(
            obligation=obligation,
            user=request.getfixturevalue(role),
            department=department_b,
        )

    obligation.refresh_from_db()
    assert obligation.department.name == "县司法局"
    assert not obligation.updates.exists()


@pytest.mark.parametrize("role", ["supervisor", "tracker_admin"])
def test_reviewers_may_escalate_with_a_reason(request, obligation, role):
    user = request.getfixturevalue(role)

    obligation_set_supervision(
        obligation=obligation, user=user, level=L.RED, note="严重滞后"
    )

    obligation.refresh_from_db()
    assert obligation.supervision_level == L.RED
    update = obligation.updates.get()
    assert update.action == ProgressUpdate.Action.SUPERVISION
    assert update.author == user
    assert "未督办 → 红色督办" in update.text
    assert "严重滞后" in update.text
    assert obligation.history.latest().history_user == user


def test_escalate_without_reason_is_refused(obligation, supervisor):
    with pytest.raises(ServiceError, match="reason is required"):
        obligation_set_supervision(
            obligation=obligation, user=supervisor, level=L.RED, note=""
        )

    obligation.refresh_from_db()
    assert obligation.supervision_level == L.NONE


def test_escalate_to_unknown_level_is_refused(obligation, supervisor):
    with pytest.raises(ServiceError, match="Unknown supervision level"):
        obligation_set_supervision(
            obligation=obligation, user=supervisor, level="purple", note="x"
        )


def test_escalate_to_the_current_level_is_refused(obligation, supervisor):
    with pytest.raises(ServiceError, match="already"):
        obligation_set_supervision(
            obligation=obligation, user=supervisor, level=L.NONE, note="x"
        )
    assert not obligation.updates.exists()


@pytest.mark.parametrize("role", ["staff_a", "staff_b"])
def test_staff_may_not_escalate(request, obligation, role):
    with pytest.raises(PermissionDenied):
        obligation_set_supervision(
            obligation=obligation,
            user=request.getfixturevalue(role),
            level=L.YELLOW,
            note="x",
        )

    obligation.refresh_from_db()
    assert obligation.supervision_level == L.NONE


def test_timeline_text_is_recorded_in_chinese_whatever_the_writers_language(
    supervisor, obligation, department_b
):
    with translation.override("en"):
        obligation_set_supervision(
            obligation=obligation, user=supervisor, level="red", note="拖延"
        )
        obligation_assign(
            obligation=obligation, user=supervisor, department=department_b
        )

    texts = list(obligation.updates.order_by("pk").values_list("text", flat=True))
    assert texts[0].startswith("督办等级: 未督办 → 红色督办")
    assert texts[1].startswith("责任单位: 县司法局 → 县政务服务管理办公室")
    assert obligation.history.latest().history_change_reason == "分派"


def test_owner_change_is_recorded_with_the_persons_name(
    supervisor, obligation, staff_a
):
    obligation_assign(obligation=obligation, user=supervisor, owner=staff_a)

    assert obligation.updates.get().text == "责任人: — → 张三"
