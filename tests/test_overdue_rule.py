"""Overdue and due soon are one rule: on the boundary dates the obligation list, its
export, the dashboard, the department scorecards and /my/ name the same obligations."""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory, ReportFactory
from tracker.models import DUE_SOON_DAYS, Obligation

S = Obligation.Status
OVERDUE = {"late"}
DUE_SOON = {"due-today", "due-last-soon-day"}


@pytest.fixture
def boundary(db, department_a):
    """One obligation on each side of each boundary, all of department A."""
    today = timezone.localdate()
    report = ReportFactory()
    cases = {
        "late": (today - timedelta(days=1), S.IN_PROGRESS),
        "late-but-done": (today - timedelta(days=1), S.DONE),
        "due-today": (today, S.NOT_STARTED),
        "due-last-soon-day": (today + timedelta(days=DUE_SOON_DAYS), S.RETURNED),
        "due-after-soon": (today + timedelta(days=DUE_SOON_DAYS + 1), S.IN_PROGRESS),
        "no-due-date": (None, S.IN_PROGRESS),
    }
    for code, (due_date, status) in cases.items():
        ObligationFactory(
            report=report,
            department=department_a,
            code=code,
            due_date=due_date,
            status=status,
        )
    return report


def _list_codes(client, query):
    page = client.get(f"/obligations/?{query}").content.decode()
    return set(re.findall(r"<tr [^>]*>\s*<td[^>]*>([^<]+)</td>", page))


def _overdue_marked_rows(page):
    return set(
        re.findall(
            r'<tr[^>]*class="[^"]*\boverdue\b[^"]*"[^>]*>\s*<td[^>]*>([^<]+)</td>', page
        )
    )


def test_list_filter_and_row_marks_agree_on_overdue(sv_client, boundary):
    assert _list_codes(sv_client, "overdue=yes") == OVERDUE
    assert (
        _list_codes(sv_client, "overdue=no")
        == set(boundary.obligations.values_list("code", flat=True)) - OVERDUE
    )
    page = sv_client.get("/obligations/").content.decode()
    assert _overdue_marked_rows(page) == OVERDUE


def test_export_of_the_overdue_filter_has_the_overdue_rows(sv_client, boundary):
    response = sv_client.get("/obligations/?overdue=yes&_export=csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == OVERDUE


def test_dashboard_counts_and_lists_the_same_overdue_and_due_soon(sv_client, boundary):
    page = sv_client.get(f"/?report={boundary.pk}").content.decode()
    assert re.search(r'data-status="overdue">(\d+)<', page).group(1) == "1"
    overdue_list = page[page.index('id="overdue"') : page.index('id="due-soon"')]
    due_soon_section = page[page.index('id="due-soon"') :]
    due_soon_list = due_soon_section[: due_soon_section.index("</section>")]
    listed = re.compile(r'<tr data-pk="\d+">\s*<td[^>]*>([^<]+)</td>')
    assert set(listed.findall(overdue_list)) == OVERDUE
    assert set(listed.findall(due_soon_list)) == DUE_SOON
    assert f"({len(DUE_SOON)})" in due_soon_list


def test_dashboard_due_soon_link_lists_the_due_soon_obligations(sv_client, boundary):
    response = sv_client.get(f"/?report={boundary.pk}")
    query = unquote(response.context["due_soon_url"].split("?", 1)[1])
    assert _list_codes(sv_client, query) == DUE_SOON


def test_department_scorecard_counts_the_same_overdue(sv_client, boundary):
    for url in (
        "/departments/",
        f"/departments/{boundary.obligations.first().department_id}/",
    ):
        page = sv_client.get(f"{url}?report={boundary.pk}").content.decode()
        assert re.search(r'data-count="overdue">(\d+)<', page).group(1) == "1", url


def test_my_work_marks_and_counts_the_same_overdue(client, staff_a, boundary):
    client.force_login(staff_a)
    page = in_english(client).get("/my/").content.decode()
    assert _overdue_marked_rows(page) == OVERDUE
    assert "1 overdue" in page


def test_obligation_in_memory_agrees_with_the_query(boundary):
    today = timezone.localdate()
    in_memory = {o.code for o in boundary.obligations.all() if o.is_overdue(today)}
    assert in_memory == set(
        Obligation.objects.overdue(today).values_list("code", flat=True)
    )
    due_soon = Obligation.objects.due_within(today, DUE_SOON_DAYS)
    assert set(due_soon.values_list("code", flat=True)) == DUE_SOON
