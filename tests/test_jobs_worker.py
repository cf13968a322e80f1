"""Jobs run by a real worker process (``manage.py worker``): the web side only
queues; the worker writes the archive that the job's page then offers, and a
report file it cannot read within its limits is refused with a message while the
worker goes on with the next job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ObligationFactory
from tests.job_helpers import job_file, job_page, zip_names
from tests.test_import_bombs import _pdf_with_a_flate_bomb
from tests.worker_helpers import DB_TASKS, Workers, wait_for
from tracker.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(settings):
    """Start one worker sharing this test's database and media folder."""
    settings.TASKS = DB_TASKS
    workers = Workers(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    yield workers.start
    workers.stop()


def _finished(job):
    return lambda: Job.objects.get(pk=job.pk).is_finished


def test_the_worker_writes_the_archive_the_jobs_page_offers(
    tracker_admin_client, worker
):
    obligation = ObligationFactory()
    response = tracker_admin_client.post(
        reverse("tracker:report_archive", args=[obligation.report_id])
    )
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.PENDING  # the web only queued

    worker()
    wait_for(_finished(job), "finished the archive", within=60)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert 'id="job-download"' in job_page(tracker_admin_client, job).content.decode()
    assert "manifest.json" in zip_names(job_file(tracker_admin_client, job)[1])


def test_a_file_the_worker_cannot_read_in_its_limits_is_refused_and_it_goes_on(
    tracker_admin_client, worker
):
    obligation = ObligationFactory()
    tracker_admin_client.post(
        reverse("admin:tracker_report_import"),
        {
            # A PDF whose page unpacks to 300 MB of drawing operators: more than
            # a second's reading, whatever the machine.
            "file": SimpleUploadedFile("report.pdf", _pdf_with_a_flate_bomb(300)),
            "preview": "1",
        },
    )
    tracker_admin_client.post(
        reverse("tracker:report_archive", args=[obligation.report_id])
    )
    read, archived = Job.objects.order_by("pk")

    worker(JOB_READ_SECONDS="1")
    wait_for(_finished(archived), "went on to the archive", within=90)

    read.refresh_from_db()
    assert read.status == Job.Status.FAILED
    assert read.error.startswith("Refused:")  # time or memory, with the reason
    assert Job.objects.get(pk=archived.pk).status == Job.Status.DONE
