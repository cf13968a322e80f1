"""/departments/ranking/: the departments ordered by score with their indicators,
the period chooser, the exports, the chart and the print layout; /departments/
sorted by risk."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tests.pages import parse, text
from tracker.models import Obligation
from tracker.services.assessment import assessment_weights_set
from tracker.services.chases import obligation_chase
from tracker.services.dashboard import report_invalidate_dashboard

SHANGHAI = ZoneInfo("Asia/Shanghai")

S = Obligation.Status
URL = "/departments/ranking/"


def approved_on(day):
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _rank_on_any_sample(settings):
    # These tests rank departments of one or two items; the minimum sample has
    # its own tests (test_ranking_minimum_sample.py).
    settings.RANKING_MIN_SAMPLE = 1


@pytest.fixture
def report(db):
    return ReportFactory()


@pytest.fixture
def ranked(report, department_a, department_b):
    """Department A finished its one item on time (score 100), department B late
    (on time 0 → score 100 × 10 / 50 = 20: only on-time and supervision parts can
    be measured), the archive has nothing assigned."""
    today = timezone.localdate()
    for department, offset in ((department_a, -5), (department_b, 5)):
        ObligationFactory(
            report=report,
            department=department,
            status=S.DONE,
            due_date=today - timedelta(days=20),
            status_changed_at=approved_on(today - timedelta(days=20 - offset)),
        )
    return DepartmentFactory(name="县档案馆")


def ranking_rows(response):
    """Each body row as {figure: text}, the department's name and its note."""
    rows = []
    for tr in parse(response).xpath("//table[contains(@class, 'ranking')]/tbody/tr"):
        row = {cell.get("data-figure"): text(cell) for cell in tr.xpath("./td")}
        row["department"] = text(tr.xpath("./th/a")[0])
        notes = tr.xpath(".//*[@data-note]")
        row["note"] = text(notes[0]) if notes else ""
        row["class"] = tr.get("class", "")
        rows.append(row)
    return rows


def test_supervisor_sees_departments_ordered_by_score_with_best_and_lowest_named(
    sv_client, ranked, department_a, department_b
):
    response = sv_client.get(URL)
    assert response.status_code == 200
    rows = ranking_rows(response)
    assert [(r["department"], r["rank"], r["score"], r["note"]) for r in rows] == [
        (department_a.name, "1", "100.0", "Best"),
        (department_b.name, "2", "20.0", "Lowest"),
        (ranked.name, "—", "—", "No assigned items: not ranked"),
    ]
    assert rows[0]["on_time_rate"] == "100.0% (1/1)"
    assert rows[1]["on_time_rate"] == "0.0% (0/1)"
    assert "ranking-best" in rows[0]["class"]
    assert "ranking-lowest" in rows[1]["class"]


def test_the_page_draws_the_scores_on_the_server(sv_client, ranked, department_a):
    page = parse(sv_client.get(URL))
    (chart,) = page.xpath("//*[local-name()='svg']")
    assert "Score per department" in text(chart)
    # One bar per ranked department: the track and the score.
    assert len(chart.xpath(".//*[local-name()='rect']")) == 4
    assert "100.0 Best" in text(chart)


def test_the_page_is_laid_out_for_printing(sv_client, ranked):
    page = sv_client.get(URL).content.decode()
    assert "tracker/ranking.css" in page
    assert "data-print" in page


def test_a_period_ending_before_it_starts_is_refused_and_nothing_is_computed(
    sv_client, ranked
):
    response = sv_client.get(URL, {"start": "2023-06-30", "end": "2023-01-01"})
    assert response.status_code == 400
    assert "The period ends (2023-01-01) before it starts (2023-06-30)." in text(
        response
    )
    assert "rows" not in response.context
    assert not parse(response).xpath("//table")


def test_a_date_that_is_not_a_date_is_refused(sv_client, ranked):
    response = sv_client.get(URL, {"start": "2023-02-30"})
    assert response.status_code == 400
    assert "Enter a valid date." in text(response)


def test_the_period_chooses_the_items_and_carries_into_the_exports(
    sv_client, report, ranked, department_a
):
    today = timezone.localdate()
    period = {
        "start": (today - timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
    }
    response = sv_client.get(URL, period)
    # Both items were due and approved before the period: nobody is ranked.
    assert [r["rank"] for r in ranking_rows(response)] == ["—", "—", "—"]
    assert "No department has assigned items in this period." in text(response)
    page = response.content.decode()
    expected = f"report={report.pk}&amp;start={period['start']}&amp;end={period['end']}"
    assert f"?{expected}&amp;_export=csv" in page


def csv_rows(response):
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export_has_every_indicator_in_rank_order(
    sv_client, ranked, department_a, department_b
):
    response = sv_client.get(URL, {"_export": "csv"})
    today = timezone.localdate().isoformat()
    assert f'filename="ranking-{today}.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["Rank", "Responsible department", "Score", "Assigned items"]
    assert rows[0][-5:] == ["Excellent", "Good", "Fair", "Poor", "Note"]
    assert [(r[0], r[1], r[2], r[-1]) for r in rows[1:]] == [
        ("1", department_a.name, "100.0", "Best"),
        ("2", department_b.name, "20.0", "Lowest"),
        ("", ranked.name, "", "No assigned items: not ranked"),
    ]


def test_xlsx_export_opens_with_numbers_as_numbers(sv_client, ranked, department_a):
    response = sv_client.get(URL, {"_export": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert rows[1][:4] == [1, department_a.name, 100.0, 1]
    assert len(rows) == 4


def test_a_department_name_cannot_smuggle_a_formula_into_the_export(sv_client, report):
    department = DepartmentFactory(name='=HYPERLINK("http://evil","x")')
    ObligationFactory(report=report, department=department)
    rows = csv_rows(sv_client.get(URL, {"_export": "csv"}))
    assert rows[1][1] == '\'=HYPERLINK("http://evil","x")'


def test_the_report_is_chosen_with_the_selector(sv_client, report, department_a):
    other = ReportFactory(year=2023)
    ObligationFactory(report=other, department=department_a)
    first = ranking_rows(sv_client.get(URL, {"report": report.pk}))
    second = ranking_rows(sv_client.get(URL, {"report": other.pk}))
    assert [r["assigned"] for r in first] == ["0"]
    assert [r["assigned"] for r in second] == ["1"]


def test_without_a_report_the_page_says_so(sv_client):
    response = sv_client.get(URL)
    assert response.status_code == 200
    assert "No report has been imported yet." in text(response)


def test_the_query_count_is_the_same_at_two_sizes(
    sv_client, report, department_a, department_b
):

    today = timezone.localdate()

    def add(n):
        for i in range(n):
            ObligationFactory(
                report=report,
                department=(department_a, department_b)[i % 2],
                status=S.DONE if i % 3 else S.IN_PROGRESS,
                due_date=today - timedelta(days=i % 30),
                status_changed_at=approved_on(today - timedelta(days=i % 20)),
                department_assigned_at=approved_on(today - timedelta(days=40)),
                rating=("excellent", "good", "fair", "poor")[i % 4],
            )

    add(4)
    with CaptureQueriesContext(connection) as small:
        assert sv_client.get(URL).status_code == 200
    add(80)
    # The factories write past the services: bump the revision as a write does,
    # so the rows are computed again rather than read from the cache.
    report_invalidate_dashboard(report_id=report.pk)
    with CaptureQueriesContext(connection) as large:
        sv_client.get(URL)
    assert len(large) == len(small)


def test_the_rows_are_computed_once_per_report_revision_and_a_write_shows_at_once(
    sv_client, report, ranked, department_b, supervisor
):
    open_item = ObligationFactory(
        report=report, department=department_b, status=S.IN_PROGRESS
    )
    with CaptureQueriesContext(connection) as first:
        before = ranking_rows(sv_client.get(URL))
    with CaptureQueriesContext(connection) as second:
        again = ranking_rows(sv_client.get(URL))
    assert again == before
    # Read from the cache: none of the indicators' GROUP BYs runs again.
    assert len(second) < len(first) - 4
    by_name = {row["department"]: row for row in before}
    assert by_name[department_b.name]["chases"] == "0"

    obligation_chase(obligation=open_item, user=supervisor, note="请尽快办理")

    after = {row["department"]: row for row in ranking_rows(sv_client.get(URL))}
    assert after[department_b.name]["chases"] == "1"
    assert (
        after[department_b.name]["assigned"] == by_name[department_b.name]["assigned"]
    )


def test_new_weights_are_not_answered_from_the_cache(
    sv_client, ranked, department_b, admin_user
):
    rows = {row["department"]: row for row in ranking_rows(sv_client.get(URL))}
    assert rows[department_b.name]["score"] == "20.0"
    # B finished late: with no weight on finishing on time, only the supervision
    # part (no notices: 100) is left to measure it.
    assessment_weights_set(
        user=admin_user,
        on_time=0,
        rating=40,
        returns=10,
        supervision=50,
        reason="考核办法调整",
    )
    rows = {row["department"]: row for row in ranking_rows(sv_client.get(URL))}
    assert rows[department_b.name]["score"] == "100.0"


# --- /departments/: by risk, with the way to the ranking ------------------------


def test_department_list_puts_overdue_then_red_first(sv_client, report):
    today = timezone.localdate()
    calm = DepartmentFactory(name="甲局")
    red = DepartmentFactory(name="乙局")
    late = DepartmentFactory(name="丙局")
    ObligationFactory(report=report, department=calm)
    ObligationFactory(report=report, department=red, supervision_level="red")
    ObligationFactory(
        report=report, department=late, due_date=today - timedelta(days=3)
    )
    page = parse(sv_client.get("/departments/"))
    names = [text(a) for a in page.xpath("//table//tbody/tr/th/a")]
    assert names == ["丙局", "乙局", "甲局"]


def test_department_list_links_supervisors_to_the_ranking(sv_client, report):
    page = parse(sv_client.get("/departments/"))
    (link,) = page.xpath("//a[@data-link='ranking']")
    assert link.get("href") == f"{URL}?report={report.pk}"


def test_department_list_shows_staff_no_link_to_the_ranking(client, staff_a, report):
    client.force_login(staff_a)
    page = parse(in_english(client).get("/departments/"))
    assert not page.xpath("//a[@data-link='ranking']")
    assert client.get(URL).status_code == 403
