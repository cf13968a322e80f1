"""The obligation list: filters (alone and combined), sorting, pagination, bad input."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    EvidenceFactory,
    ObligationFactory,
    ReportFactory,
    SectionFactory,
    UserFactory,
)
from tests.pages import parse, table_rows, text
from tracker.models import Obligation

S = Obligation.Status


def listed(response):
    """The codes of the obligations on the page, in order."""
    assert response.status_code == 200
    return [row["Code"] for row in table_rows(response)]


@pytest.fixture
def rows(db, department_a, department_b, staff_a, staff_b):
    today = timezone.localdate()
    report = ReportFactory()
    chapter = SectionFactory(report=report)
    group = SectionFactory(report=report, parent=chapter)
    other = SectionFactory(report=report)
    data = {
        "A1": dict(
            department=department_a,
            owner=staff_a,
            status=S.DONE,
            due_date=today - timedelta(days=3),
            section=group,
            kind=Obligation.Kind.WORK_ITEM,
            title="推进行政执法公示",
            rating=Obligation.Rating.EXCELLENT,
        ),
        "A2": dict(
            department=department_a,
            status=S.SUBMITTED,
            due_date=today - timedelta(days=2),
            section=chapter,
            kind=Obligation.Kind.PROBLEM,
            supervision_level="red",
            title="复议纠错率偏高",
        ),
        "B1": dict(
            department=department_b,
            owner=staff_b,
            status=S.SUBMITTED,
            due_date=today + timedelta(days=5),
            section=other,
            kind=Obligation.Kind.TASK,
            body="正文提到合法性审核",
        ),
        "B2": dict(
            department=department_b,
            status=S.NOT_STARTED,
            due_date=today - timedelta(days=1),
            section=group,
            kind=Obligation.Kind.TASK,
            supervision_level="yellow",
        ),
    }
    objs = {}
    for code, fields in data.items():
        objs[code] = ObligationFactory(report=report, code=code, **fields)
    EvidenceFactory(obligation=objs["A1"], uploaded_by=staff_a)
    EvidenceFactory(obligation=objs["B2"], uploaded_by=staff_b, withdrawn=True)
    objs["chapter"], objs["group"], objs["report"] = chapter, group, report
    return objs


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"A1", "A2", "B1", "B2"}),
        ("kind=task", {"B1", "B2"}),
        ("status=submitted", {"A2", "B1"}),
        ("status=submitted&status=done", {"A1", "A2", "B1"}),
        ("supervision_level=red", {"A2"}),
        ("overdue=yes", {"A2", "B2"}),
        ("overdue=no", {"A1", "B1"}),
        ("has_evidence=yes", {"A1"}),
        ("has_evidence=no", {"A2", "B1", "B2"}),
        ("q=公示", {"A1"}),
        ("q=合法性审核", {"B1"}),
        ("q=b2", {"B2"}),
        ("status=submitted&overdue=yes", {"A2"}),
        ("kind=task&has_evidence=no&overdue=yes", {"B2"}),
        ("rating=excellent", {"A1"}),
        ("rating=excellent&kind=work_item&status=done", {"A1"}),
    ],
)
def test_filters_alone_and_combined(sv_client, rows, query, expected):
    assert set(listed(sv_client.get(f"/obligations/?{query}"))) == expected


def test_department_filter(sv_client, rows, department_b):
    assert set(
        listed(sv_client.get(f"/obligations/?department={department_b.pk}"))
    ) == {
        "B1",
        "B2",
    }


def test_owner_filter(sv_client, rows, staff_a):
    assert listed(sv_client.get(f"/obligations/?owner={staff_a.pk}")) == ["A1"]


def test_chapter_filter_includes_its_groups(sv_client, rows):
    chapter, group = rows["chapter"], rows["group"]
    assert set(listed(sv_client.get(f"/obligations/?section={chapter.pk}"))) == {
        "A1",
        "A2",
        "B2",
    }
    assert set(listed(sv_client.get(f"/obligations/?section={group.pk}"))) == {
        "A1",
        "B2",
    }


def test_due_date_range(sv_client, rows):
    today = timezone.localdate()
    after = (today - timedelta(days=2)).isoformat()
    before = (today + timedelta(days=1)).isoformat()
    found = listed(
        sv_client.get(f"/obligations/?due_after={after}&due_before={before}")
    )
    assert set(found) == {"A2", "B2"}


def test_report_filter(sv_client, rows):
    ObligationFactory(report=ReportFactory(year=2030), code="X1")
    assert "X1" not in listed(
        sv_client.get(f"/obligations/?report={rows['report'].pk}")
    )
    # Two reports with open work: each code names its year (issue 23).
    assert "2030 · X1" in listed(sv_client.get("/obligations/"))


def test_sorting_by_due_date_both_ways(sv_client, rows):
    ascending = listed(sv_client.get("/obligations/?sort=due_date"))
    assert ascending == ["A1", "A2", "B2", "B1"]
    assert listed(sv_client.get("/obligations/?sort=-due_date")) == ascending[::-1]


def test_sorting_by_evidence_count(sv_client, rows):
    assert listed(sv_client.get("/obligations/?sort=-evidence_count"))[0] == "A1"


def test_evidence_count_ignores_withdrawn_evidence(sv_client, rows):
    (row,) = table_rows(sv_client.get("/obligations/?q=B2"))
    assert row["Evidence"] == "0"


def test_overdue_rows_are_marked(sv_client, rows):
    overdue = table_rows(sv_client.get("/obligations/"), marked="overdue")
    assert {row["Code"] for row in overdue} == {"A2", "B2"}


def test_fifty_rows_a_page(sv_client, db):
    report = ReportFactory()
    for i in range(120):
        ObligationFactory(report=report, code=f"P{i:03d}", position=i)
    assert len(listed(sv_client.get("/obligations/"))) == 50
    assert len(listed(sv_client.get("/obligations/?page=3"))) == 20
    page2 = listed(sv_client.get("/obligations/?page=2"))
    assert page2[0] == "P050"
    assert "120 obligations" in sv_client.get("/obligations/").content.decode()
    # ?per_page cannot change the page size.
    assert len(listed(sv_client.get("/obligations/?per_page=1000"))) == 50


def test_filters_stay_in_pagination_links(sv_client, db):
    report = ReportFactory()
    for i in range(60):
        ObligationFactory(report=report, kind=Obligation.Kind.TASK, position=i)
    page = parse(sv_client.get("/obligations/?kind=task"))
    queries = [parse_qs(urlsplit(href).query) for href in page.xpath("//a/@href")]
    assert {"kind": ["task"], "page": ["2"]} in queries


@pytest.mark.parametrize(
    "query, error",
    [
        ("due_after=xx", "Enter a valid date."),
        ("status=nope", "Select a valid choice."),
        ("q=" + "x" * 10000, "at most 200 characters"),
        ("overdue=maybe", "Select a valid choice."),
        ("department=abc", "Select a valid choice."),
        ("rating=superb", "Select a valid choice."),
    ],
)
def test_bad_filter_values_show_the_form_error(sv_client, rows, query, error):
    response = sv_client.get(f"/obligations/?{query}")
    assert response.status_code == 200
    assert error in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=99999",
        "page=abc",
        "sort=password",
        "per_page=-5",
        "per_page=0",
        "sort=",
        "_export=pdf",
        "report=999999",
    ],
)
def test_bad_paging_and_sorting_never_fail(sv_client, rows, query):
    assert sv_client.get(f"/obligations/?{query}").status_code == 200


def test_titles_link_to_the_obligation_page(sv_client, rows):
    page = parse(sv_client.get("/obligations/"))
    titles = {a.get("href"): text(a) for a in page.xpath("//tbody//a")}
    assert titles[rows["A1"].get_absolute_url()] == rows["A1"].title


def test_empty_state(sv_client, db):
    assert (
        "No obligations match these filters."
        in sv_client.get("/obligations/").content.decode()
    )


def test_anonymous_users_are_sent_to_login(client, rows):
    response = client.get("/obligations/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_query_count_does_not_grow_with_the_data(sv_client, db):
    report = ReportFactory()
    owner = UserFactory()

    def add(n):
        for _ in range(n):
            o = ObligationFactory(report=report, owner=owner)
            EvidenceFactory(obligation=o, uploaded_by=owner)

    add(5)
    with CaptureQueriesContext(connection) as small:
        sv_client.get("/obligations/?status=not_started&overdue=no")
    add(60)
    # The factories write behind the services, which would change the cached
    # list's key: drop it by hand to count the queries of computing the page.
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        sv_client.get("/obligations/?status=not_started&overdue=no")
    assert len(large) == len(small)


@pytest.mark.parametrize("query", ["rating=poor", "rating=excellent&status=submitted"])
def test_rating_filter_without_a_match_shows_the_empty_state(sv_client, rows, query):
    response = sv_client.get(f"/obligations/?{query}")

    assert "No obligations match these filters." in text(response)


def test_rating_column_shows_the_label_and_a_dash_when_not_rated(sv_client, rows):
    by_code = {row["Code"]: row for row in table_rows(sv_client.get("/obligations/"))}

    assert by_code["A1"]["Rating"] == "Excellent"
    assert by_code["B1"]["Rating"] == "—"


def test_rating_column_adds_no_query_and_stays_flat(sv_client, db):
    report = ReportFactory()
    owner = UserFactory()

    def add(n):
        for i in range(n):
            o = ObligationFactory(
                report=report,
                owner=owner,
                status=S.DONE,
                rating=list(Obligation.Rating)[i % 4],
                rating_comment="说明",
            )
            EvidenceFactory(obligation=o, uploaded_by=owner)

    url = "/obligations/?status=done&rating=good"
    add(4)
    with CaptureQueriesContext(connection) as rated:
        sv_client.get(url)
    with CaptureQueriesContext(connection) as unfiltered:
        sv_client.get("/obligations/?status=done")
    add(60)
    cache.clear()  # as in test_query_count_does_not_grow_with_the_data
    with CaptureQueriesContext(connection) as large:
        sv_client.get(url)
    assert len(rated) == len(unfiltered) == len(large)


def test_folded_filters_say_how_many_are_active(sv_client, rows, department_b):
    query = f"kind=task&department={department_b.pk}&status=done&status=returned&q="
    page = parse(sv_client.get(f"/obligations/?{query}"))
    (summary,) = page.xpath("//details[contains(@class, 'filter-disclosure')]/summary")
    assert text(summary) == "Filters 3 active"


def test_folded_filters_show_no_count_without_filters(sv_client, rows):
    page = parse(sv_client.get("/obligations/"))
    (summary,) = page.xpath("//details[contains(@class, 'filter-disclosure')]/summary")
    assert text(summary) == "Filters"


def test_phone_cards_name_each_cell_from_the_column_spec(sv_client, rows):
    page = parse(sv_client.get("/obligations/"))
    headers = [text(th) for th in page.xpath("//table/thead//th")]
    first_row = page.xpath("//table/tbody/tr")[0]
    assert [td.get("data-label") for td in first_row.xpath("td")] == headers
    shown = [
        td.get("data-label")
        for td in first_row.xpath("td[not(contains(@class, 'phone-hide'))]")
    ]
    assert shown == [
        "Code",
        "Title",
        "Responsible department",
        "Status",
        "Due date",
        "Time left",
    ]
