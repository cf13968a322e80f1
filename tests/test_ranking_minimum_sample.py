"""The ranking's minimum sample: a department is ranked, and named best or
lowest, only on RANKING_MIN_SAMPLE measurable items (3 by default); the page says
so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tracker.models import Obligation
from tracker.selectors.assessment import department_indicators

S = Obligation.Status
URL = reverse("tracker:department_ranking")


def _finished(report, department, count, rating):
    today = timezone.localdate()
    for _index in range(count):
        ObligationFactory(
            report=report,
            department=department,
            status=S.DONE,
            due_date=today + timedelta(days=5),
            rating=rating,
        )


@pytest.fixture
def report(db):
    return ReportFactory()


def test_one_fair_item_does_not_make_a_department_the_lowest(
    report, department_a, department_b
):
    _finished(report, department_a, 3, Obligation.Rating.EXCELLENT)
    _finished(report, department_b, 3, Obligation.Rating.GOOD)
    single = DepartmentFactory(name="县统计局")
    _finished(report, single, 1, Obligation.Rating.FAIR)

    rows = {row.department: row for row in department_indicators(report=report)}

    assert rows[department_a].is_best
    assert rows[department_b].is_worst
    assert not rows[single].is_worst and not rows[single].is_ranked
    assert rows[single].score is not None


def test_a_department_below_the_minimum_is_listed_after_the_ranked_ones(
    report, department_a, department_b
):
    _finished(report, department_a, 1, Obligation.Rating.EXCELLENT)
    _finished(report, department_b, 3, Obligation.Rating.FAIR)
    rows = department_indicators(report=report)
    assert [row.department for row in rows[:2]] == [department_b, department_a]
    assert [row.rank for row in rows[:2]] == [1, None]


def test_the_minimum_is_a_setting(settings, report, department_a, department_b):
    settings.RANKING_MIN_SAMPLE = 1
    _finished(report, department_a, 1, Obligation.Rating.EXCELLENT)
    _finished(report, department_b, 1, Obligation.Rating.FAIR)
    rows = {row.department: row for row in department_indicators(report=report)}
    assert rows[department_a].is_best and rows[department_b].is_worst


def test_the_page_says_why_a_department_is_not_ranked_and_explains_the_minimum(
    sv_client, report, department_a
):
    _finished(report, department_a, 2, Obligation.Rating.EXCELLENT)
    response = sv_client.get(URL, {"report": report.pk})
    content = response.content.decode()
    assert "Fewer than 3 measurable items: not ranked" in content
    assert "only with at least 3 measurable items" in content


def test_the_export_says_why_a_department_is_not_ranked(
    sv_client, report, department_a
):
    _finished(report, department_a, 1, Obligation.Rating.EXCELLENT)
    response = sv_client.get(URL, {"report": report.pk, "_export": "csv"})
    text = response.getvalue().decode("utf-8-sig")
    assert "Fewer than 3 measurable items: not ranked" in text
