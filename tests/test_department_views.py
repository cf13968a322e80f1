"""Department scorecards: the list of every department and one department's page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tests.pages import table_rows
from tests.workflow_helpers import rename_in_admin
from tracker.models import Obligation
from tracker.services.supervision import obligation_set_supervision

S = Obligation.Status


@pytest.fixture
def report(db):
    return ReportFactory()


@pytest.fixture
def rows(report, department_a, department_b):
    today = timezone.localdate()
    specs = [
        (department_a, S.DONE, -4, "none"),
        (department_a, S.RETURNED, -4, "red"),
        (department_a, S.IN_PROGRESS, 4, "yellow"),
        (department_b, S.SUBMITTED, -1, "white"),
    ]
    return [
        ObligationFactory(
            report=report,
            department=d,
            status=status,
            due_date=today + timedelta(days=offset),
            supervision_level=level,
        )
        for d, status, offset, level in specs
    ]


def expected_counts(rows, department):
    today = timezone.localdate()
    mine = [o for o in rows if o.department_id == department.pk]
    counts = {"total": len(mine)}
    for status in S:
        counts[status.value] = sum(o.status == status for o in mine)
    counts["overdue"] = sum(o.due_date < today and o.status != S.DONE for o in mine)
    for level in ("white", "yellow", "red"):
        counts[level] = sum(o.supervision_level == level for o in mine)
    return counts


def counts_in(fragment):
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', fragment)}


def test_department_list_shows_every_department_with_its_counts(
    sv_client, rows, department_a, department_b
):
    empty = DepartmentFactory(name="县统计局")
    page = sv_client.get("/departments/").content.decode()
    for department in (department_a, department_b, empty):
        row = re.search(rf'data-department="{department.pk}">(.*?)</tr>', page, re.S)
        assert row, department.name
        expected = expected_counts(rows, department)
        assert counts_in(row.group(1)) == expected


def test_department_page_shows_its_scorecard_and_obligations(
    sv_client, rows, department_a
):
    response = sv_client.get(f"/departments/{department_a.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    scorecard = page.split('class="card scorecard"')[1].split("</section>")[0]
    assert counts_in(scorecard) == expected_counts(rows, department_a)
    for o in rows:
        assert (o.title in page) == (o.department_id == department_a.pk)


def test_department_page_marks_overdue_rows(sv_client, rows, department_a):
    response = sv_client.get(f"/departments/{department_a.pk}/")
    assert len(table_rows(response, marked="overdue")) == 1


def test_department_without_obligations_has_an_empty_state(sv_client, report):
    department = DepartmentFactory(name="县档案馆")
    page = sv_client.get(f"/departments/{department.pk}/").content.decode()
    assert "This department has no obligations in this report." in page


def test_unknown_department_is_404(sv_client, db):
    assert sv_client.get("/departments/999999/").status_code == 404


def test_department_page_survives_bad_paging(sv_client, rows, department_a):
    for query in ("page=-1", "page=99999", "sort=password", "report=abc"):
        url = f"/departments/{department_a.pk}/?{query}"
        assert sv_client.get(url).status_code == 200


def test_department_page_query_count_is_flat(sv_client, report, department_a):
    def add(n):
        for _ in range(n):
            ObligationFactory(report=report, department=department_a)

    add(3)
    with CaptureQueriesContext(connection) as small:
        sv_client.get(f"/departments/{department_a.pk}/")
    add(70)
    with CaptureQueriesContext(connection) as large:
        sv_client.get(f"/departments/{department_a.pk}/")
    assert len(large) == len(small)


# The list's scorecards are cached per the shown reports' revisions, the day and the
# language (selectors.dashboard.department_list_cache_key): a write through a
# service shows on the next request.


def _list_counts(client, department):
    page = client.get("/departments/").content.decode()
    row = re.search(rf'data-department="{department.pk}">(.*?)</tr>', page, re.S)
    return counts_in(row.group(1))


def test_a_raise_shows_on_the_department_list_read_before_it(
    sv_client, supervisor, obligation, department_a
):
    assert _list_counts(sv_client, department_a)["red"] == 0

    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="red", note="进度滞后"
    )

    assert _list_counts(sv_client, department_a)["red"] == 1


def test_a_department_renamed_in_the_admin_shows_on_the_list(
    sv_client, tracker_admin, obligation, department_a
):
    assert "县司法局" in sv_client.get("/departments/").content.decode()

    response = rename_in_admin(tracker_admin, department_a, "县司法行政局")

    assert response.status_code == 302
    assert "县司法行政局" in sv_client.get("/departments/").content.decode()


def test_the_next_day_counts_overdue_anew_on_the_list(
    sv_client, department_a, today_is
):
    today = timezone.localdate()
    ObligationFactory(department=department_a, due_date=today)
    assert _list_counts(sv_client, department_a)["overdue"] == 0

    today_is(today + timedelta(days=1))

    assert _list_counts(sv_client, department_a)["overdue"] == 1


def test_staff_read_the_same_scorecards_without_the_ranking_link(
    sv_client, staff_a, obligation, department_a
):
    supervisor_page = sv_client.get("/departments/").content.decode()
    staff = Client()
    staff.force_login(staff_a)
    staff_page = staff.get("/departments/").content.decode()

    assert 'data-link="ranking"' in supervisor_page
    assert 'data-link="ranking"' not in staff_page
    assert f'data-department="{department_a.pk}"' in staff_page
