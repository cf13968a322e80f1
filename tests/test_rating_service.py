"""The rating at approval (结果考评): given only by obligation_transition's
approval, required there, explained for fair and poor, cleared by reopening while
the history keeps it."""

import pytest

from tests.workflow_helpers import approve, set_status
from tracker.models import Notification, Obligation, ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.workflow import RATING_COMMENT_MAX_LENGTH, obligation_transition

S = Obligation.Status
R = Obligation.Rating

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def submitted(obligation):
    return set_status(obligation, S.SUBMITTED)


def assert_nothing_written(obligation, status):
    obligation.refresh_from_db()
    assert obligation.status == status
    assert obligation.version == 1
    assert (obligation.rating, obligation.rating_comment) == ("", "")
    assert not obligation.updates.exists()
    assert obligation.history.count() == 1  # the row the factory created
    assert not Notification.objects.exists()


@pytest.mark.parametrize("rating", [R.EXCELLENT, R.GOOD])
def test_approval_stores_the_rating_in_the_obligation_timeline_and_history(
    submitted, supervisor, rating
):
    approve(submitted, supervisor, rating, note="材料齐全")

    submitted.refresh_from_db()
    assert (submitted.status, submitted.rating) == (S.DONE, rating)
    entry = submitted.updates.get(action=ProgressUpdate.Action.STATUS)
    label = {R.EXCELLENT: "优秀", R.GOOD: "良好"}[rating]
    assert entry.text == f"材料齐全\n考评结果：{label}"
    latest = submitted.history.latest()
    assert (latest.rating, latest.history_user) == (rating, supervisor)


def test_a_comment_is_optional_for_excellent_and_recorded_when_given(
    submitted, supervisor
):
    approve(submitted, supervisor, R.EXCELLENT, comment="  提前完成  ")

    submitted.refresh_from_db()
    assert submitted.rating_comment == "提前完成"
    entry = submitted.updates.get(action=ProgressUpdate.Action.STATUS)
    assert entry.text == "考评结果：优秀\n考评意见：提前完成"


@pytest.mark.parametrize(("rating", "label"), [(R.FAIR, "Fair"), (R.POOR, "Poor")])
def test_fair_and_poor_need_a_comment(submitted, supervisor, rating, label):
    with pytest.raises(ServiceError, match=f"why the result is “{label}”"):
        approve(submitted, supervisor, rating, comment="   ")

    assert_nothing_written(submitted, S.SUBMITTED)


def test_poor_with_a_comment_is_approved(submitted, supervisor):
    approve(submitted, supervisor, R.POOR, comment="佐证材料与任务不符")

    submitted.refresh_from_db()
    assert (submitted.status, submitted.rating) == (S.DONE, R.POOR)
    assert submitted.rating_comment == "佐证材料与任务不符"


def test_approval_without_a_rating_is_refused(submitted, supervisor):
    with pytest.raises(ServiceError, match="Rate the result"):
        approve(submitted, supervisor, "")

    assert_nothing_written(submitted, S.SUBMITTED)


def test_an_unknown_rating_is_refused(submitted, supervisor):
    with pytest.raises(ServiceError, match="Unknown rating: superb"):
        approve(submitted, supervisor, "superb")

    assert_nothing_written(submitted, S.SUBMITTED)


def test_a_comment_of_ten_thousand_characters_is_refused(submitted, supervisor):
    with pytest.raises(ServiceError, match="at most 2000 characters"):
        approve(submitted, supervisor, R.POOR, comment="差" * 10_000)

    assert_nothing_written(submitted, S.SUBMITTED)


def test_a_comment_of_the_maximum_length_is_accepted(submitted, supervisor):
    approve(submitted, supervisor, R.FAIR, comment="一" * RATING_COMMENT_MAX_LENGTH)

    submitted.refresh_from_db()
    assert len(submitted.rating_comment) == RATING_COMMENT_MAX_LENGTH


@pytest.mark.parametrize(
    ("from_status", "to_status", "note", "role"),
    [
        (S.SUBMITTED, S.RETURNED, "材料不全", "supervisor"),
        (S.NOT_STARTED, S.IN_PROGRESS, "", "staff_a"),
        (S.DONE, S.IN_PROGRESS, "复查发现问题", "supervisor"),
    ],
)
@pytest.mark.parametrize(
    ("rating", "comment"), [(R.GOOD, ""), ("", "只有意见"), (R.POOR, "较差")]
)
def test_a_rating_on_any_other_transition_is_refused(
    request, obligation, from_status, to_status, note, role, rating, comment
):
    set_status(obligation, from_status)

    with pytest.raises(ServiceError, match="only when approving"):
        obligation_transition(
            obligation=obligation,
            user=request.getfixturevalue(role),
            to_status=to_status,
            note=note,
            rating=rating,
            rating_comment=comment,
        )

    assert_nothing_written(obligation, from_status)


def test_reopening_clears_the_rating_says_so_and_the_history_keeps_it(
    submitted, supervisor
):
    approve(submitted, supervisor, R.FAIR, comment="进度偏慢")

    obligation_transition(
        obligation=submitted,
        user=supervisor,
        to_status=S.IN_PROGRESS,
        note="复查发现问题",
    )

    submitted.refresh_from_db()
    assert (submitted.status, submitted.rating, submitted.rating_comment) == (
        S.IN_PROGRESS,
        "",
        "",
    )
    reopened = submitted.updates.filter(to_status=S.IN_PROGRESS).get()
    assert reopened.text == "复查发现问题\n已清除考评结果“一般”（历史记录中保留）。"
    ratings = list(
        submitted.history.order_by("history_id").values_list(
            "status", "rating", "rating_comment"
        )
    )
    assert ratings[-2:] == [
        (S.DONE, R.FAIR, "进度偏慢"),
        (S.IN_PROGRESS, "", ""),
    ]


def test_a_second_approval_after_reopening_is_rated_anew(submitted, supervisor):
    approve(submitted, supervisor, R.POOR, comment="不合格")
    obligation_transition(
        obligation=submitted, user=supervisor, to_status=S.IN_PROGRESS, note="重做"
    )
    set_status(submitted, S.SUBMITTED)

    approve(submitted, supervisor, R.GOOD)

    submitted.refresh_from_db()
    assert (submitted.rating, submitted.rating_comment) == (R.GOOD, "")


def test_reopening_work_approved_before_ratings_existed_mentions_no_rating(
    obligation, supervisor
):
    set_status(obligation, S.DONE)

    obligation_transition(
        obligation=obligation, user=supervisor, to_status=S.IN_PROGRESS, note="复查"
    )

    assert obligation.updates.get().text == "复查"


def test_the_department_hears_its_rating_with_the_approval(
    submitted, staff_a, supervisor
):
    approve(submitted, supervisor, R.EXCELLENT)

    [notification] = Notification.objects.filter(recipient=staff_a)
    assert notification.kind == Notification.Kind.APPROVED
    assert notification.text.endswith("考评结果：优秀")


def test_the_department_hears_why_with_a_poor_rating(submitted, staff_a, supervisor):
    approve(submitted, supervisor, R.POOR, comment="佐证材料与任务不符")

    [notification] = Notification.objects.filter(recipient=staff_a)
    assert "考评结果：较差" in notification.text
    assert notification.text.endswith("考评意见：佐证材料与任务不符")
