"""selectors.department_indicators: each indicator, the score and the ranking on
hand-built data whose answers are worked out in the comments."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tests.workflow_helpers import approve, set_status
from tracker.models import (
    AssessmentWeights,
    Obligation,
    ProgressUpdate,
    SupervisionNotice,
)
from tracker.selectors.assessment import (
    DepartmentIndicators,
    department_indicators,
    rank_departments,
)
from tracker.services.chases import obligation_chase
from tracker.services.common import log_action
from tracker.services.parts import part_add
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import (
    extension_decide,
    extension_request,
    obligation_assign,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

S = Obligation.Status
R = Obligation.Rating
TODAY = date(2023, 9, 15)  # a Friday


def at(day, hour=10):
    """An aware time on ``day`` in the report's time zone."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _rank_on_any_sample(settings):
    # These tests rank departments of one or two items; the minimum sample has
    # its own tests (test_ranking_minimum_sample.py).
    settings.RANKING_MIN_SAMPLE = 1


@pytest.fixture
def report(db):
    return ReportFactory()


def finished(report, department, *, due, approved, assigned=None, rating=""):
    """A finished obligation approved on ``approved`` (no history row: the due date
    in force at approval is its due date)."""
    return ObligationFactory(
        report=report,
        department=department,
        status=S.DONE,
        due_date=due,
        status_changed_at=at(approved),
        department_assigned_at=at(assigned) if assigned else None,
        rating=rating,
    )


def row_of(rows, department):
    return next(row for row in rows if row.department == department)


def indicators(report, department, **period):
    rows = department_indicators(report=report, today=TODAY, **period)
    return row_of(rows, department)


def test_an_item_approved_after_its_due_date_is_finished_late(report, department_a):
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 7, 3))
    row = indicators(report, department_a)
    assert (row.assigned, row.finished, row.on_time, row.late) == (1, 1, 0, 1)
    assert row.on_time_rate == 0


def test_an_item_approved_on_its_due_date_is_on_time(report, department_a):
    # Approved late in the evening of the due date, Beijing time (13:30 UTC).
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 30))
    Obligation.objects.update(status_changed_at=at(date(2023, 6, 30), hour=21))
    row = indicators(report, department_a)
    assert (row.on_time, row.late, row.on_time_rate) == (1, 0, 100)


def test_on_time_rate_counts_overdue_unfinished_work_against_the_department(
    report, department_a
):
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    # Overdue now (due before TODAY, not done): should have been finished.
    ObligationFactory(report=report, department=department_a, due_date=date(2023, 9, 1))
    # Not due yet: neither on time nor late.
    ObligationFactory(
        report=report, department=department_a, due_date=date(2023, 12, 1)
    )
    row = indicators(report, department_a)
    assert (row.assigned, row.finished, row.overdue, row.due) == (3, 1, 1, 2)
    assert row.on_time_rate == 50


def test_an_item_returned_twice_gives_two_returns_in_three_submissions(
    report, department_a, staff_a, supervisor
):
    item = ObligationFactory(report=report, department=department_a)
    moves = [
        (S.IN_PROGRESS, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.SUBMITTED),
    ]
    for from_status, to_status in moves:
        log_action(
            item,
            user=supervisor if to_status == S.RETURNED else staff_a,
            action=ProgressUpdate.Action.STATUS,
            from_status=from_status,
            to_status=to_status,
        )
    row = indicators(report, department_a)
    assert (row.submissions, row.returns) == (3, 2)
    assert row.return_rate == 66.7


def test_an_extension_granted_before_approval_sets_the_due_date_that_counts(
    report, department_a, staff_a, supervisor
):
    today = timezone.localdate()
    item = ObligationFactory(
        report=report, department=department_a, status=S.IN_PROGRESS
    )
    Obligation.objects.filter(pk=item.pk).update(due_date=today - timedelta(days=1))
    extension = extension_request(
        obligation=item,
        user=staff_a,
        requested_due_date=today + timedelta(days=5),
        reason="需要等待上级批复",
    )
    extension_decide(extension=extension, user=supervisor, approve=True)
    set_status(item, S.SUBMITTED)
    approve(item, supervisor)
    # Moved after the approval: not the due date in force when it was approved.
    obligation_assign(
        obligation=item,
        user=supervisor,
        due_date=today - timedelta(days=10),
        past_allowed=True,
    )
    row = indicators(report, department_a)
    assert (row.finished, row.on_time, row.late) == (1, 1, 0)


def test_without_the_extension_the_same_approval_is_late(
    report, department_a, supervisor
):
    today = timezone.localdate()
    item = ObligationFactory(report=report, department=department_a)
    Obligation.objects.filter(pk=item.pk).update(due_date=today - timedelta(days=1))
    set_status(item, S.SUBMITTED)
    approve(item, supervisor)
    # A later extension of the due date does not make the approval on time.
    obligation_assign(
        obligation=item, user=supervisor, due_date=today + timedelta(days=30)
    )
    row = indicators(report, department_a)
    assert (row.finished, row.on_time, row.late) == (1, 0, 1)


def test_average_time_to_approval_is_counted_in_working_days(report, department_a):
    # Monday 5 June → Wednesday 7 June 2023: 2 working days.
    finished(
        report,
        department_a,
        due=date(2023, 6, 30),
        assigned=date(2023, 6, 5),
        approved=date(2023, 6, 7),
    )
    # Wednesday 21 June → Monday 26 June 2023: 22–23 June is the Dragon Boat
    # Festival and Sunday 25 June a working day (调休): 21→25 is 1, →26 is 2.
    finished(
        report,
        department_a,
        due=date(2023, 6, 30),
        assigned=date(2023, 6, 21),
        approved=date(2023, 6, 26),
    )
    row = indicators(report, department_a)
    assert row.average_workdays == 2.0


def test_average_time_to_approval_is_empty_without_finished_work(report, department_a):
    ObligationFactory(report=report, department=department_a)
    assert indicators(report, department_a).average_workdays is None


def test_yellow_and_red_notices_count_for_the_department_they_were_sent_to(
    report, department_a, department_b, supervisor
):
    item = ObligationFactory(report=report, department=department_a)
    for level in ("yellow", "red"):
        obligation_set_supervision(
            obligation=item, user=supervisor, level=level, note="进度滞后"
        )
    # Reassigned afterwards: the notices stay with the department that got them.
    obligation_assign(obligation=item, user=supervisor, department=department_b)
    rows = department_indicators(report=report, today=TODAY)
    a, b = row_of(rows, department_a), row_of(rows, department_b)
    assert (a.yellow_notices, a.red_notices) == (1, 1)
    assert (b.yellow_notices, b.red_notices, b.assigned) == (0, 0, 1)


def test_rating_distribution_counts_the_finished_items_ratings(report, department_a):
    for rating in (R.EXCELLENT, R.EXCELLENT, R.GOOD, R.POOR, ""):
        finished(
            report,
            department_a,
            due=date(2023, 6, 30),
            approved=date(2023, 6, 1),
            rating=rating,
        )
    row = indicators(report, department_a)
    assert row.ratings == {"excellent": 2, "good": 1, "fair": 0, "poor": 1}
    # (100 + 100 + 80 + 0) / 4 rated
    assert row.rating_average == 70.0


def test_the_score_weighs_each_part_with_the_default_weights(
    report, department_a, supervisor
):
    # On time: 1 of 2 due (one late) → 0.5. Rating: excellent and good → 90 points
    # → 0.9. Returns: 1 in 2 submissions → 0.5. Supervision: one yellow notice on
    # 2 items → 1 - 1/2 = 0.5. Score: 40×0.5 + 40×0.9 + 10×0.5 + 10×0.5 = 66.
    on_time = finished(
        report,
        department_a,
        due=date(2023, 6, 30),
        approved=date(2023, 6, 1),
        rating=R.EXCELLENT,
    )
    finished(
        report,
        department_a,
        due=date(2023, 6, 30),
        approved=date(2023, 7, 1),
        rating=R.GOOD,
    )
    for to_status in (S.SUBMITTED, S.RETURNED, S.SUBMITTED, S.DONE):
        log_action(
            on_time,
            user=supervisor,
            action=ProgressUpdate.Action.STATUS,
            to_status=to_status,
        )
    obligation_set_supervision(
        obligation=on_time, user=supervisor, level="yellow", note="督办"
    )
    row = indicators(report, department_a)
    assert row.score_parts() == {
        "on_time": 0.5,
        "rating": 0.9,
        "returns": 0.5,
        "supervision": 0.5,
        # Not chased; its default weight is 0, so the score is as before.
        "chases": 1.0,
    }
    assert row.score == 66.0


def test_the_score_follows_the_weights_set_in_the_admin(report, department_a):
    # Only the on-time part counts: 1 of 2 due → 50.
    AssessmentWeights.objects.create(on_time=100, rating=0, returns=0, supervision=0)
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 7, 1))
    assert indicators(report, department_a).score == 50.0


def test_a_part_with_nothing_to_measure_gives_its_weight_to_the_others(
    report, department_a
):
    # Not rated, never submitted: on time 1.0 (weight 40) and supervision 1.0
    # (weight 10) make the score 100 × 50 / 50.
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    row = indicators(report, department_a)
    assert row.score_parts()["rating"] is None
    assert row.score_parts()["returns"] is None
    assert row.score == 100.0


def test_a_department_with_nothing_assigned_is_shown_but_not_ranked(
    report, department_a
):
    empty = DepartmentFactory(name="县档案馆")
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    rows = department_indicators(report=report, today=TODAY)
    assert [row.department for row in rows] == [department_a, empty]
    row = row_of(rows, empty)
    assert (row.assigned, row.score, row.rank, row.is_ranked) == (0, None, None, False)
    assert row.on_time_rate is None and row.return_rate is None


def test_a_department_whose_work_is_not_yet_due_is_not_ranked_above_others(
    report, department_a, department_b, english
):
    # department_b's only item is due after TODAY, not submitted, not noticed:
    # without a rule it would score 100 on "no notices" alone and rank first,
    # above department_a, which finished its work on time.
    finished(
        report,
        department_a,
        due=date(2023, 6, 30),
        approved=date(2023, 6, 1),
        rating=R.GOOD,
    )
    ObligationFactory(
        report=report, department=department_b, due_date=date(2023, 12, 1)
    )
    rows = department_indicators(report=report, today=TODAY)
    assert [row.department for row in rows] == [department_a, department_b]
    waiting = row_of(rows, department_b)
    assert (waiting.assigned, waiting.score, waiting.rank) == (1, None, None)
    assert str(waiting.note) == "Nothing to assess yet: not ranked"
    assert row_of(rows, department_a).rank == 1


def test_a_notice_makes_work_not_yet_due_assessable(report, department_a, supervisor):
    item = ObligationFactory(
        report=report, department=department_a, due_date=date(2023, 12, 1)
    )
    obligation_set_supervision(
        obligation=item, user=supervisor, level="yellow", note="进度滞后"
    )
    row = indicators(report, department_a)
    # Only the supervision part can be measured: 1 − 1 yellow ÷ 1 item = 0.
    assert (row.score, row.rank) == (0.0, 1)


def test_a_deactivated_department_with_nothing_assigned_is_left_out(report):
    DepartmentFactory(name="已撤销的局", is_active=False)
    assert department_indicators(report=report, today=TODAY) == []


def _scored(name, score):
    return DepartmentIndicators(
        department=DepartmentFactory(name=name),
        assigned=1,
        measurable=1,
        score=score,
    )


@pytest.mark.django_db
def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    rows = rank_departments(
        [
            _scored("丁局", 70.0),
            _scored("乙局", 80.0),
            _scored("甲局", 90.0),
            _scored("丙局", 80.0),
            DepartmentIndicators(department=DepartmentFactory(name="戊局")),
        ]
    )
    # Equal scores in the order of their names (code points: 丙 before 乙).
    assert [(r.department.name, r.rank) for r in rows] == [
        ("甲局", 1),
        ("丙局", 2),
        ("乙局", 2),
        ("丁局", 4),
        ("戊局", None),
    ]
    assert [r.department.name for r in rows if r.is_best] == ["甲局"]
    assert [r.department.name for r in rows if r.is_worst] == ["丁局"]


@pytest.mark.django_db
def test_when_every_department_ties_all_are_best_and_none_worst():
    rows = rank_departments([_scored("甲局", 80.0), _scored("乙局", 80.0)])
    assert [r.rank for r in rows] == [1, 1]
    assert all(r.is_best and not r.is_worst for r in rows)


def test_departments_with_the_same_figures_tie_in_the_ranking(
    report, department_a, department_b
):
    for department in (department_a, department_b):
        finished(report, department, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    third = DepartmentFactory(name="县财政局")
    finished(report, third, due=date(2023, 6, 30), approved=date(2023, 7, 1))
    rows = department_indicators(report=report, today=TODAY)
    assert [(r.department, r.rank) for r in rows] == [
        (department_a, 1),
        (department_b, 1),
        (third, 3),
    ]


def test_the_period_takes_items_due_or_approved_within_it(report, department_a):
    due_in = ObligationFactory(
        report=report, department=department_a, due_date=date(2023, 3, 31)
    )
    # Due after the period, approved within it: assessed, and on time.
    finished(report, department_a, due=date(2023, 12, 31), approved=date(2023, 2, 1))
    # Due and approved before the period: left out.
    finished(report, department_a, due=date(2022, 12, 31), approved=date(2022, 12, 1))
    # No due date, not finished: in no period.
    ObligationFactory(report=report, department=department_a, due_date=None)
    row = indicators(
        report, department_a, start=date(2023, 1, 1), end=date(2023, 6, 30)
    )
    assert (row.assigned, row.finished, row.on_time, row.overdue) == (2, 1, 1, 1)
    assert due_in.is_overdue(TODAY)
    everything = indicators(report, department_a)
    assert everything.assigned == 4


def test_the_period_takes_notices_issued_within_it(report, department_a, supervisor):
    item = ObligationFactory(report=report, department=department_a)
    obligation_set_supervision(
        obligation=item, user=supervisor, level="yellow", note="督办"
    )
    SupervisionNotice.objects.update(issued_on=date(2023, 8, 1))
    inside = indicators(report, department_a, start=date(2023, 8, 1), end=TODAY)
    outside = indicators(report, department_a, start=date(2023, 8, 2), end=TODAY)
    assert (inside.yellow_notices, outside.yellow_notices) == (1, 0)


def test_other_reports_and_unassigned_items_are_not_counted(report, department_a):
    other = ReportFactory(year=2023)
    ObligationFactory(report=other, department=department_a)
    ObligationFactory(report=report, department=None)
    finished(report, department_a, due=date(2023, 6, 30), approved=date(2023, 6, 1))
    rows = department_indicators(report=report, today=TODAY)
    assert [(r.department, r.assigned) for r in rows] == [(department_a, 1)]


def test_the_query_count_does_not_grow_with_the_obligations(
    report, department_a, department_b, supervisor
):

    def add(n):
        for i in range(n):
            item = finished(
                report,
                (department_a, department_b)[i % 2],
                due=date(2023, 6, 30),
                approved=date(2023, 6, 1) + timedelta(days=i % 40),
                assigned=date(2023, 5, 1),
                rating=R.GOOD,
            )
            log_action(
                item,
                user=supervisor,
                action=ProgressUpdate.Action.STATUS,
                to_status=S.SUBMITTED,
            )

    add(4)
    with CaptureQueriesContext(connection) as small:
        department_indicators(report=report, today=TODAY)
    add(60)
    with CaptureQueriesContext(connection) as large:
        department_indicators(report=report, today=TODAY)
    assert len(large) == len(small)


def test_chases_count_for_the_chased_unit_and_weigh_when_given_a_share(supervisor):
    report = ReportFactory()
    chased = DepartmentFactory(name="被催办单位")
    calm = DepartmentFactory(name="未被催办单位")
    overdue = TODAY - timedelta(days=1)
    item = ObligationFactory(report=report, department=chased, due_date=overdue)
    ObligationFactory(report=report, department=calm, due_date=overdue)
    obligation_chase(obligation=item, user=supervisor, note="请加快进度")

    weights = AssessmentWeights(
        on_time=0, rating=0, returns=0, supervision=50, chases=50
    )
    rows = {
        row.department.name: row
        for row in department_indicators(report=report, today=TODAY, weights=weights)
    }

    assert rows["被催办单位"].chases == 1 and rows["未被催办单位"].chases == 0
    assert rows["被催办单位"].score_parts()["chases"] == 0.0
    assert rows["被催办单位"].score < rows["未被催办单位"].score


def test_a_units_parts_count_for_it_as_its_own_items_do(supervisor):
    report = ReportFactory()
    lead = DepartmentFactory(name="牵头单位")
    township = DepartmentFactory(name="配合乡镇", kind="township")
    item = ObligationFactory(
        report=report, department=lead, due_date=TODAY - timedelta(days=3)
    )
    part_add(obligation=item, user=supervisor, department=township)

    rows = {
        row.department.name: row
        for row in department_indicators(report=report, today=TODAY)
    }

    township_row = rows["配合乡镇"]
    assert (township_row.assigned, township_row.parts) == (1, 1)
    assert township_row.overdue == 1 and township_row.finished == 0
    assert township_row.is_ranked
