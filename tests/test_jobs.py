"""Jobs (issue 21, item 4): long work done by the worker while its page shows the
progress, then the download or the refusal; big exports as jobs, small ones at
once; time limits; files kept JOB_KEEP_DAYS and purged by ``manage.py purge_jobs``.
The tests' queue runs a task once the request commits (tests/job_helpers.py); the
real worker's runs are in tests/test_jobs_worker.py."""

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import ObligationFactory, ReportFactory
from tests.job_helpers import job_file, job_page, start_job
from tests.pages import parse
from tests.test_importer_reports import DATA
from tracker.models import Job, Obligation, Report
from tracker.services import jobs as jobs_services
from tracker.services.jobs import Progress, job_start

pytestmark = pytest.mark.django_db


def _export_url(export_format="xlsx", **filters):
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{reverse('tracker:obligation_list')}?_export={export_format}&{query}"


def _obligations(count, report=None):
    report = report or ReportFactory()
    ObligationFactory.create_batch(count, report=report)
    return report


def _xlsx_codes(data):
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    return [row[0] for row in rows]


# --- The job's page -------------------------------------------------------------------


def test_a_running_jobs_page_shows_its_progress_and_looks_again_by_itself(
    sv_client, supervisor
):
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE,
        user=supervisor,
        status=Job.Status.RUNNING,
        progress=40,
        step=jobs_services.STEP_ARCHIVE,
    )

    page = parse(job_page(sv_client, job).content.decode())

    assert page.xpath("//progress[@id='job-progress']/@value") == ["40"]
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == ["2"]
    assert "Writing each obligation's folder." in page.xpath("string(//main)")
    # Offline: nothing from another host; the refresh itself needs no script.
    assert all(src.startswith("/static/") for src in page.xpath("//script/@src"))


def test_a_finished_jobs_page_stops_looking_again_and_offers_the_file(
    sv_client, supervisor
):
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=supervisor)
    jobs_services._finish(
        job, file=io.BytesIO(b"code\n"), name="清单.csv", stored_name="list.csv"
    )

    page = parse(job_page(sv_client, job).content.decode())

    assert page.xpath("//meta[@http-equiv='refresh']") == []
    assert page.xpath("//a[@id='job-download']/@href") == [
        reverse("tracker:job_download", args=[job.pk])
    ]
    assert job_file(sv_client, job)[1] == b"code\n"


def test_a_jobs_page_is_in_the_readers_language(client, supervisor):
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE,
        user=supervisor,
        status=Job.Status.RUNNING,
        step=jobs_services.STEP_ARCHIVE,
    )
    client.force_login(supervisor)  # Chinese: everyone's default

    content = job_page(client, job).content.decode()

    assert "年度归档" in content and "正在写入各事项的文件夹。" in content


def test_a_job_not_yet_done_has_no_file_to_download(sv_client, supervisor):
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=supervisor)

    response = sv_client.get(reverse("tracker:job_download", args=[job.pk]))

    assert response.status_code == 404


# --- Limits and failures --------------------------------------------------------------


def test_a_job_past_its_time_limit_is_refused_with_a_message_in_its_language(
    client, supervisor, settings
):
    settings.JOB_TIME_LIMIT = -1
    report = _obligations(3)
    client.force_login(supervisor)  # Chinese

    job = start_job(client, reverse("tracker:report_archive", args=[report.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "已拒绝：处理时间超过了" in job.error
    assert not job.result
    page = job_page(client, job).content.decode()
    assert "已拒绝：处理时间超过了" in page
    assert 'id="job-download"' not in page


def test_a_job_that_breaks_fails_with_a_message_and_the_task_does_not_raise(
    supervisor, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(job, progress):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs_services.RUNNERS, Job.Kind.ARCHIVE, broken)

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind=Job.Kind.ARCHIVE, user=supervisor, params={}, language="en"
        )

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "The job failed. The administrators can find why in the worker's log."
    )


def test_a_job_runs_once_even_if_its_task_is_queued_twice(supervisor):
    report = _obligations(1)
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE, user=supervisor, params={"report": report.pk}
    )

    assert jobs_services.run_job.call(job.pk) == Job.Status.DONE
    assert jobs_services.run_job.call(job.pk) == "not pending"


def test_progress_is_written_as_the_share_done_below_100_until_the_file_is_there(
    supervisor,
):
    job = Job.objects.create(kind=Job.Kind.ARCHIVE, user=supervisor)
    progress = Progress(job, deadline=float("inf"))

    progress(1, 4)
    assert Job.objects.get(pk=job.pk).progress == 25
    progress(4, 4)
    assert Job.objects.get(pk=job.pk).progress == 99


# --- The archive ----------------------------------------------------------------------


def test_the_archive_job_is_recorded_once_in_the_reports_log(sv_client, supervisor):
    report = _obligations(2)

    job = start_job(sv_client, reverse("tracker:report_archive", args=[report.pk]))

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert job.expires_at - job.finished_at == timedelta(days=7)
    assert list(report.events.values_list("action", "user")) == [
        ("archived", supervisor.pk)
    ]


def test_the_report_page_starts_the_archive_with_a_post_button(sv_client, supervisor):
    report = _obligations(1)

    page = parse(sv_client.get(report.get_absolute_url()).content.decode())

    archive_url = reverse("tracker:report_archive", args=[report.pk])
    assert archive_url in page.xpath("//form[@method='post']/@action")
    assert Job.objects.count() == 0  # the page itself starts nothing


# --- Exports --------------------------------------------------------------------------


def test_a_small_export_is_answered_at_once(sv_client, settings):
    settings.EXPORT_SYNC_LIMIT = 5
    _obligations(5)

    response = sv_client.get(_export_url())

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert Job.objects.count() == 0


def test_a_big_export_offers_a_job_and_writes_nothing_on_the_get(sv_client, settings):
    settings.EXPORT_SYNC_LIMIT = 5
    _obligations(6)

    response = sv_client.get(_export_url(status="not_started"))

    assert response.status_code == 200
    page = parse(response.content.decode())
    assert "6 rows:" in page.xpath("string(//p[@id='export-offer'])")
    assert page.xpath("//form/@action")[-1] == reverse("tracker:obligation_export_job")
    assert Job.objects.count() == 0


def test_a_big_export_job_writes_every_row_of_the_filter_for_its_reader(
    sv_client, settings
):
    settings.EXPORT_SYNC_LIMIT = 5
    report = _obligations(6)
    ObligationFactory(report=report, status=Obligation.Status.DONE, code="9.9")
    offer = parse(sv_client.get(_export_url(status="not_started")).content.decode())
    query = offer.xpath("//input[@name='query']/@value")[0]

    job = start_job(
        sv_client,
        reverse("tracker:obligation_export_job"),
        {"query": query, "format": "xlsx"},
    )

    response, data = job_file(sv_client, job)
    codes = _xlsx_codes(data)
    assert len(codes) == 6 and "9.9" not in codes
    assert response["Content-Disposition"].endswith(".xlsx")
    assert Job.objects.get().user.username == "supervisor"


def test_an_export_job_in_an_unknown_format_is_refused(sv_client):
    response = sv_client.post(
        reverse("tracker:obligation_export_job"), {"format": "pdf", "query": ""}
    )

    assert response.status_code == 400
    assert Job.objects.count() == 0


# --- Keeping and purging --------------------------------------------------------------


def test_purge_jobs_removes_expired_files_and_keeps_the_rest(sv_client, supervisor):
    old, fresh = (
        Job.objects.create(kind=Job.Kind.EXPORT, user=supervisor) for _ in range(2)
    )
    for job in (old, fresh):
        jobs_services._finish(
            job, file=ContentFile(b"x"), name="a.csv", stored_name="a.csv"
        )
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    old_file = Path(Job.objects.get(pk=old.pk).result.path)

    call_command("purge_jobs", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.status == Job.Status.EXPIRED and not old.result
    assert not old_file.exists()
    assert "The file was removed" in job_page(sv_client, old).content.decode()
    assert (
        sv_client.get(reverse("tracker:job_download", args=[old.pk])).status_code == 404
    )
    assert job_file(sv_client, Job.objects.get(pk=fresh.pk))[1] == b"x"


def test_purge_jobs_prunes_old_finished_task_results(settings, supervisor):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old = jobs_services.run_job.enqueue(0)
    new = jobs_services.run_job.enqueue(0)
    finished = timezone.now() - timedelta(days=settings.JOB_KEEP_DAYS + 1)
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=finished
    )
    DBTaskResult.objects.filter(pk=new.id).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )

    call_command("purge_jobs", stdout=io.StringIO())

    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [
        str(new.id)
    ]


def test_the_admin_lists_the_jobs_with_their_errors_and_pages(
    tracker_admin_client, supervisor
):
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE,
        user=supervisor,
        status=Job.Status.FAILED,
        error="Refused: this took longer than the 30 minutes a job may take.",
    )

    page = tracker_admin_client.get(reverse("admin:tracker_job_changelist"))

    assert page.status_code == 200
    content = page.content.decode()
    assert "took longer than the 30 minutes" in content
    assert f'href="{job.get_absolute_url()}"' in content
    assert reverse("admin:tracker_job_add") not in content  # written by the worker


# --- The import's upload -----------------------------------------------------------


def test_a_web_page_upload_goes_to_its_job_then_to_the_usual_preview(
    tracker_admin_client,
):
    page = (DATA / "fengjie-2023-report-gbk.html").read_bytes()
    import_url = reverse("admin:tracker_report_import")

    job = start_job(
        tracker_admin_client,
        import_url,
        {"file": SimpleUploadedFile("报告.html", page), "preview": "1"},
    )

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert not Report.objects.exists()
    button = parse(job_page(tracker_admin_client, job).content.decode())
    form = button.xpath("//form[.//button[@id='job-preview']]")[0]
    assert form.get("action") == import_url
    data = {
        field.get("name"): field.get("value") or ""
        for field in form.xpath(".//input[@type='hidden']")
    }
    preview = tracker_admin_client.post(import_url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "依法全面履行政府职能" in preview.content.decode()
    assert not Report.objects.exists()


def test_a_job_left_running_by_a_stopped_worker_says_so_and_purge_jobs_fails_it(
    sv_client, supervisor, settings
):
    settings.JOB_TIME_LIMIT = 60
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE,
        user=supervisor,
        status=Job.Status.RUNNING,
        language="en",
        started_at=timezone.now() - timedelta(minutes=7),
    )
    message = "The worker stopped during this job; start the work again."

    page = parse(job_page(sv_client, job).content.decode())
    assert message in page.xpath("string(//p[@id='job-error'])")
    assert page.xpath("//meta[@http-equiv='refresh']") == []
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING  # GET: no write

    call_command("purge_jobs", stdout=io.StringIO())

    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, message)


def test_a_job_running_within_its_time_is_not_taken_as_abandoned(
    sv_client, supervisor, settings
):
    settings.JOB_TIME_LIMIT = 60
    job = Job.objects.create(
        kind=Job.Kind.ARCHIVE,
        user=supervisor,
        status=Job.Status.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
    )

    call_command("purge_jobs", stdout=io.StringIO())

    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    assert 'id="job-error"' not in job_page(sv_client, job).content.decode()


def test_an_import_left_running_by_a_stopped_worker_loses_its_kept_upload(
    tracker_admin, settings
):
    settings.JOB_TIME_LIMIT = 60
    kept = default_storage.save("jobs/uploads/abc.pdf", ContentFile(b"%PDF-1.4"))
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=tracker_admin,
        status=Job.Status.RUNNING,
        params={"upload": kept, "file_name": "报告.pdf"},
        started_at=timezone.now() - timedelta(minutes=7),
    )

    call_command("purge_jobs", stdout=io.StringIO())

    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert not default_storage.exists(kept)
