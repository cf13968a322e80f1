"""The dashboard's cached figures: every kind of write shows on the next request.

Each test reads the dashboard first (so its figures are cached), writes the way a
user does (a service, an import, the admin), and reads it again: the new figure is
there. Nothing here waits or measures time."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ObligationFactory, ReportFactory
from tests.followup_helpers import import_2022, import_2023
from tests.pages import parse
from tests.seed_report import SEED_TEXT
from tests.test_dashboard_view import _listed, department_row, figure, html
from tests.workflow_helpers import rename_in_admin, upload
from tracker import importing
from tracker.models import Notification, Obligation, ProgressUpdate, Report
from tracker.services.dashboard import report_invalidate_dashboard
from tracker.services.followups import followup_confirm, followup_withdraw
from tracker.services.importing import report_import
from tracker.services.reports import report_close, report_reopen
from tracker.services.supervision import obligation_set_supervision
from tracker.services.workflow import (
    extension_request,
    obligation_acknowledge,
    obligation_add_note,
    obligation_assign,
    obligation_transition,
)

S = Obligation.Status


def figure_queries(queries):
    """The queries that read obligations for the figures: not the "nobody to
    remind" warning, which supervisors get on every request, outside the cached
    figures (it changes with a membership, which no report revision follows): its
    departments by their members, then the open items of every department,
    cached until one of the reader's reports changes (``open_items_in_reports``)."""
    return [
        q
        for q in queries
        if "tracker_obligation" in q["sql"]
        and "tracker_department_members" not in q["sql"]
        and 'COUNT("tracker_obligation"."id") AS "n"' not in q["sql"]
    ]


def dashboard(client):
    return html(client.get("/"))


def test_a_second_request_reads_the_figures_from_the_cache(sv_client, obligation):
    dashboard(sv_client)

    with CaptureQueriesContext(connection) as queries:
        page = dashboard(sv_client)

    assert figure(page, "status", "not_started") == 1
    assert not figure_queries(queries)


def test_a_transition_shows_on_the_next_request(sv_client, obligation, staff_a):
    assert figure(dashboard(sv_client), "status", "in_progress") == 0

    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    page = dashboard(sv_client)
    assert figure(page, "status", "in_progress") == 1
    assert figure(page, "status", "not_started") == 0


def test_an_assignment_shows_on_the_next_request(
    sv_client, obligation, supervisor, department_a, department_b
):
    assert department_row(dashboard(sv_client), department_a)["total"] == 1

    obligation_assign(obligation=obligation, user=supervisor, department=department_b)

    page = dashboard(sv_client)
    assert department_row(page, department_b)["total"] == 1
    assert f'data-department="{department_a.pk}"' not in page


def test_a_supervision_level_shows_on_the_next_request(
    sv_client, obligation, supervisor
):
    assert figure(dashboard(sv_client), "level", "red") == 0

    obligation_set_supervision(
        obligation=obligation, user=supervisor, level="red", note="逾期未办"
    )

    assert figure(dashboard(sv_client), "level", "red") == 1


def test_an_evidence_upload_shows_in_the_latest_updates(sv_client, obligation, staff_a):
    assert _listed(dashboard(sv_client), "timeline-heading") == []

    upload(obligation, staff_a)

    entry = ProgressUpdate.objects.get(obligation=obligation)
    assert _listed(dashboard(sv_client), "timeline-heading") == [entry.pk]


def test_an_extension_request_shows_on_the_next_request(
    sv_client, obligation, due, staff_a
):
    assert figure(dashboard(sv_client), "figure", "pending-extensions") == 0

    extension_request(
        obligation=obligation,
        user=staff_a,
        requested_due_date=due + timedelta(days=30),
        reason="需要协调多个部门",
    )

    assert figure(dashboard(sv_client), "figure", "pending-extensions") == 1


def test_an_acknowledgement_shows_on_the_next_request(sv_client, obligation, staff_a):
    assert figure(dashboard(sv_client), "figure", "unacknowledged") == 1

    obligation_acknowledge(
        obligation=obligation, user=staff_a, version=obligation.version
    )

    assert figure(dashboard(sv_client), "figure", "unacknowledged") == 0


def test_a_reimport_shows_on_the_next_request(sv_client):
    report_import(tree=importing.parse_report(SEED_TEXT))
    total = figure(dashboard(sv_client), "figure", "total")

    revised = (
        SEED_TEXT.rstrip() + "\n五是进一步加强数字法治建设。推进执法数据互联互通。\n"
    )
    result = report_import(tree=importing.parse_report(revised))

    assert result.created == ["4.5"]
    assert figure(dashboard(sv_client), "figure", "total") == total + 1


def test_a_bulk_admin_action_shows_on_the_next_request(
    sv_client, tracker_admin, obligation
):
    second = ObligationFactory(report=obligation.report)
    assert figure(dashboard(sv_client), "level", "yellow") == 0
    admin = Client()
    admin.force_login(tracker_admin)

    response = admin.post(
        reverse("admin:tracker_obligation_changelist"),
        {
            "action": "set_supervision_selected",
            helpers.ACTION_CHECKBOX_NAME: [obligation.pk, second.pk],
            f"version_{obligation.pk}": obligation.version,
            f"version_{second.pk}": second.version,
            "apply": "1",
            "level": "yellow",
            "note": "集中督办",
        },
    )

    assert response.status_code == 302
    assert figure(dashboard(sv_client), "level", "yellow") == 2


def test_a_department_renamed_in_the_admin_shows_on_the_next_request(
    sv_client, tracker_admin, obligation, department_a
):
    assert "县司法局" in dashboard(sv_client)

    response = rename_in_admin(tracker_admin, department_a, "县司法行政局")

    assert response.status_code == 302
    page = dashboard(sv_client)
    assert "县司法行政局" in page


def test_a_write_to_another_report_leaves_this_ones_figures_cached(
    sv_client, obligation, staff_a, department_a
):
    other_obligation = ObligationFactory(
        report=ReportFactory(organization="另一县", year=2023),
        department=department_a,
    )
    url = f"/?report={obligation.report_id}"
    html(sv_client.get(url))

    obligation_transition(
        obligation=other_obligation, user=staff_a, to_status=S.IN_PROGRESS
    )

    with CaptureQueriesContext(connection) as queries:
        html(sv_client.get(url))
    assert not figure_queries(queries)


def test_what_is_the_readers_own_is_not_shared_through_the_cache(
    client, obligation, supervisor, staff_a
):
    Notification.objects.create(
        recipient=supervisor, kind=Notification.Kind.ASSIGNED, text="新任务"
    )
    client.force_login(supervisor)
    as_supervisor = dashboard(client)

    client.force_login(staff_a)
    as_staff = dashboard(client)

    assert 'id="unread-count"' in as_supervisor
    assert 'id="unread-count"' not in as_staff
    assert "王督查" in as_supervisor and "王督查" not in as_staff
    assert "张三" in as_staff


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_language_has_its_own_cached_figures(
    client, obligation, staff_a, language
):
    client.force_login(staff_a)
    other = "zh-hans" if language == "en" else "en"
    client.cookies["django_language"] = other
    dashboard(client)

    client.cookies["django_language"] = language
    page = dashboard(client)

    heading = "Overall completion" if language == "en" else "总体完成情况"
    assert heading in page


def test_the_next_day_counts_overdue_anew(sv_client, obligation, today_is):
    today = today_is(datetime.date(2026, 10, 9))
    Obligation.objects.filter(pk=obligation.pk).update(due_date=today)
    report_invalidate_dashboard(report_id=obligation.report_id)
    assert figure(dashboard(sv_client), "status", "overdue") == 0

    today_is(today + timedelta(days=1))

    assert figure(dashboard(sv_client), "status", "overdue") == 1


def test_the_revision_grows_with_each_timeline_entry(obligation, staff_a):
    def revision():
        return (
            Report.objects.filter(pk=obligation.report_id)
            .values_list("revision__number", flat=True)
            .get()
        )

    before = revision() or 0
    obligation_add_note(obligation=obligation, user=staff_a, text="进展")

    assert revision() == before + 1


def test_a_recurring_problem_confirmed_and_withdrawn_shows_on_both_dashboards(
    sv_client, supervisor
):
    earlier, (_result, later) = import_2022(), import_2023()
    urls = [f"/?report={o.report_id}" for o in (earlier["3.3"], later["3.1"])]
    for url in urls:
        assert 'id="recurring"' not in html(sv_client.get(url))

    followup = followup_confirm(
        earlier=earlier["3.3"], later=later["3.1"], user=supervisor
    )

    for url in urls:
        assert figure(html(sv_client.get(url)), "figure", "recurring") == 1
    followup_withdraw(followup=followup, user=supervisor, reason="误确认")
    for url in urls:
        assert 'id="recurring"' not in html(sv_client.get(url))


def test_closing_and_reopening_a_report_invalidate_its_dashboard(
    sv_client, obligation, supervisor
):
    def revision():
        return (
            Report.objects.filter(pk=obligation.report_id)
            .values_list("revision__number", flat=True)
            .get()
        ) or 0

    dashboard(sv_client)
    before = revision()

    report_close(report=obligation.report, user=supervisor, reason="归档")
    assert revision() == before + 1
    # The next request computes the figures anew instead of serving the cache.
    with CaptureQueriesContext(connection) as queries:
        assert figure(dashboard(sv_client), "status", "not_started") == 1
    assert figure_queries(queries)

    report_reopen(report=obligation.report, user=supervisor, reason="补录")
    assert revision() == before + 2


def test_the_obligation_list_shows_a_write_on_the_next_request(
    sv_client, obligation, staff_a
):
    def status_cell():
        page = parse(html(sv_client.get("/obligations/")))
        (row,) = page.xpath(f"//tr[@data-pk='{obligation.pk}']")
        return row.xpath(".//td[contains(@class, 'cell-status')]//span/@class")[0]

    assert status_cell() == "badge status-not_started"

    obligation_transition(obligation=obligation, user=staff_a, to_status=S.IN_PROGRESS)

    assert status_cell() == "badge status-in_progress"


def test_the_obligation_list_is_cached_per_query_string(sv_client, obligation):
    ObligationFactory(report=obligation.report, status=S.DONE)
    html(sv_client.get("/obligations/"))

    with CaptureQueriesContext(connection) as queries:
        page = html(sv_client.get("/obligations/?status=done"))

    assert [q for q in queries if "tracker_obligation" in q["sql"]]
    assert len(parse(page).xpath("//tbody/tr[@data-pk]")) == 1
    with CaptureQueriesContext(connection) as queries:
        html(sv_client.get("/obligations/?status=done"))
    assert not [q for q in queries if "tracker_obligation" in q["sql"]]


def test_cached_fragments_lose_only_the_indentation_before_tags():
    from tracker.views.dashboard import without_indentation

    html = '<ul>\n    <li title="a\n   b">x\n   y</li>\n  </ul>'

    assert without_indentation(html) == '<ul>\n<li title="a\n   b">x\n   y</li>\n</ul>'
