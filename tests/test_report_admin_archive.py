"""The admin at the year's end: archive and close actions on reports, and a closed
report's rows refused in the change forms and bulk actions with the message."""

from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import ReportFactory
from tests.job_helpers import job_file, start_job, zip_names
from tests.test_admin import _change_form_data, _url
from tests.workflow_helpers import upload
from tracker.models import Evidence, Obligation, ProgressUpdate, Report, ReportEvent
from tracker.services.reports import report_close


def _report_action(client, action, reports):
    return client.post(
        _url(Report, "changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [r.pk for r in reports]},
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _archive_job(client, action, report):
    """The action starts the archive as a job; its file once the worker ran it."""
    job = start_job(
        client,
        _url(Report, "changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [report.pk]},
    )
    return zip_names(job_file(client, job)[1])


def test_download_archive_action_leads_to_the_zip(
    tracker_admin_client,
    tracker_admin,
    obligation,
    staff_a,
):
    upload(obligation, staff_a, name="台账.pdf")

    names = _archive_job(
        tracker_admin_client,
        "download_archive",
        obligation.report,
    )

    assert any(name.endswith("佐证材料/台账.pdf") for name in names)
    assert ReportEvent.objects.get().user == tracker_admin
    assert not Report.objects.get(pk=obligation.report_id).is_closed


def test_archive_of_two_reports_at_once_is_refused(tracker_admin_client, obligation):
    other = ReportFactory(organization="乙县", year=2023)

    response = _report_action(
        tracker_admin_client, "download_archive", [obligation.report, other]
    )

    assert response.status_code == 302
    assert "Choose one report: an archive is of one report." in _messages(response)
    assert ReportEvent.objects.count() == 0


def test_archive_and_close_closes_first_then_archives(
    tracker_admin_client, tracker_admin, obligation
):
    Obligation.objects.filter(pk=obligation.pk).update(status=Obligation.Status.DONE)
    names = _archive_job(
        tracker_admin_client,
        "archive_and_close",
        obligation.report,
    )

    assert "manifest.json" in names
    report = Report.objects.get(pk=obligation.report_id)
    assert report.is_closed and report.closed_by == tracker_admin
    assert list(
        ReportEvent.objects.order_by("pk").values_list("action", flat=True)
    ) == ["closed", "archived"]


def test_close_action_closes_the_selected_reports(tracker_admin_client, obligation):
    Obligation.objects.filter(pk=obligation.pk).update(status=Obligation.Status.DONE)
    response = _report_action(
        tracker_admin_client, "close_selected", [obligation.report]
    )

    assert response.status_code == 302
    assert "Reports closed: 1." in _messages(response)
    assert Report.objects.get(pk=obligation.report_id).is_closed


def test_close_action_on_a_closed_report_says_it_was_already_closed(
    tracker_admin_client, obligation, supervisor
):
    report = report_close(report=obligation.report, user=supervisor, reason="年终归档")
    closed_at = report.closed_at

    response = _report_action(tracker_admin_client, "close_selected", [report])

    text = _messages(response)
    assert "Already closed, left as they were: 1." in text
    assert "Reports closed" not in text
    assert Report.objects.get(pk=report.pk).closed_at == closed_at


def test_change_form_of_a_closed_reports_obligation_is_refused_with_the_message(
    tracker_admin_client, obligation, supervisor
):
    report_close(report=obligation.report, user=supervisor, reason="年终归档")
    updates = ProgressUpdate.objects.count()

    response = tracker_admin_client.post(
        _url(Obligation, "change", obligation.pk),
        _change_form_data(obligation, title="改过的标题"),
    )

    assert response.status_code == 200
    assert "read-only and nothing was saved" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.title != "改过的标题"
    assert ProgressUpdate.objects.count() == updates


def test_bulk_assign_on_a_closed_report_writes_nothing(
    tracker_admin_client, obligation, supervisor
):
    report_close(report=obligation.report, user=supervisor, reason="年终归档")

    response = tracker_admin_client.post(
        _url(Obligation, "changelist"),
        {
            "action": "assign_selected",
            helpers.ACTION_CHECKBOX_NAME: [obligation.pk],
            f"version_{obligation.pk}": obligation.version,
            "due_date": "2031-06-30",
            "note": "调整",
            "apply": "1",
        },
    )

    assert response.status_code == 302
    assert any(
        "read-only and nothing was saved" in message for message in _messages(response)
    )
    obligation.refresh_from_db()
    assert obligation.due_date is None


def test_evidence_of_a_closed_report_is_read_only_in_the_admin(
    tracker_admin_client, obligation, staff_a, supervisor
):
    evidence = upload(obligation, staff_a, note="初稿")
    report_close(report=obligation.report, user=supervisor, reason="年终归档")
    url = _url(Evidence, "change", evidence.pk)

    page = tracker_admin_client.get(url)
    assert page.status_code == 200
    assert "read-only and nothing was saved" in page.content.decode()
    assert 'name="note"' not in page.content.decode()
    assert tracker_admin_client.post(url, {"note": "改"}).status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).note == "初稿"


def test_a_closed_report_is_read_only_in_the_admin(
    tracker_admin_client, obligation, supervisor
):
    report_close(report=obligation.report, user=supervisor, reason="年终归档")
    url = _url(Report, "change", obligation.report_id)

    page = tracker_admin_client.get(url).content.decode()
    assert 'name="title"' not in page
    assert "read-only and nothing was saved" in page
    assert reverse("admin:tracker_report_changelist") in page


def test_close_action_leaves_a_report_with_open_work_open(
    tracker_admin_client, obligation
):
    response = _report_action(
        tracker_admin_client, "close_selected", [obligation.report]
    )

    assert "still has open work: close it from its page" in " ".join(
        _messages(response)
    )
    assert not Report.objects.get(pk=obligation.report_id).is_closed
    assert ReportEvent.objects.count() == 0
