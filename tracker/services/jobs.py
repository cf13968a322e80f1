"""Jobs: long work for one person, done by the worker (``manage.py worker``) while
the job's page (``views.jobs``) shows how far it got: a year-end archive, reading
an uploaded .html/.pdf/.docx report for the import's preview, a big export.

A request only writes the ``Job`` row and queues the task ``run_job`` after the
commit; no web process waits for the work. The worker runs each kind's runner
under the job's time limit (``JOB_TIME_LIMIT``, checked as the work advances);
reading an uploaded file, which no check can interrupt from inside, runs in a
child process with its own time and memory limit (``isolation.run_limited``).
Whatever goes wrong ends as a failed job with a translated message: the worker
goes on with the next task. A job's file is kept ``JOB_KEEP_DAYS`` days
(``job_purge_expired``, run daily by ``manage.py purge_jobs``).
"""

import logging
import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from .. import archive, exports, importing
from ..models import Job, Report
from .importing import import_draft_save
from .reports import report_archived

logger = logging.getLogger(__name__)

# The steps a job's page shows, in English source (translated for the reader).
STEP_WAITING = gettext_noop("Waiting for the worker.")
STEP_STARTED = gettext_noop("Started.")
STEP_ARCHIVE = gettext_noop("Writing each obligation's folder.")
STEP_READING = gettext_noop("Reading the file.")
STEP_EXPORT = gettext_noop("Writing the rows.")
STEP_DONE = gettext_noop("Done.")

# A running job's worker is taken as gone this long after the time limit: its
# task will not come back (a worker killed mid-job leaves the row "running").
ABANDONED_AFTER = timedelta(minutes=5)
ABANDONED_MESSAGE = gettext_noop(
    "The worker stopped during this job; start the work again."
)


class JobRefused(Exception):
    """The job cannot be done; ``str(error)`` is the translated message."""


class JobTimeLimit(Exception):
    """The job ran past ``JOB_TIME_LIMIT``."""


@transaction.atomic
def job_start(*, kind: str, user, params: dict, language: str = "") -> Job:
    """Write a pending job for ``user`` and queue it for the worker once the
    transaction commits. ``language`` is the starter's: the job's messages and
    files are in it."""
    job = Job.objects.create(
        kind=kind,
        user=user,
        params=params,
        step=STEP_WAITING,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


class Progress:
    """What a runner calls as it goes, ``progress(done, total, step=None)``: the
    row is written when the percentage or the step changes (not at every item),
    and past the deadline the job stops with ``JobTimeLimit``."""

    def __init__(self, job, deadline):
        self.job, self.deadline = job, deadline
        self.percent, self.step = job.progress, job.step

    def __call__(self, done, total, step=None):
        if time.monotonic() > self.deadline:
            raise JobTimeLimit
        # 100 is for the finished job, with its file.
        percent = min(99, done * 100 // total) if total else self.percent
        step = step or self.step
        if (percent, step) != (self.percent, self.step):
            self.percent, self.step = percent, step
            Job.objects.filter(pk=self.job.pk).update(progress=percent, step=step)


@task()
def run_job(job_id):
    """The worker's task: run one pending job to its end, done or failed. Never
    raises: the outcome is on the row, for its page."""
    now = timezone.now()
    started = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=now, step=STEP_STARTED
    )
    if not started:  # run already (a task queued twice), or gone
        return "not pending"
    job = Job.objects.select_related("user").get(pk=job_id)
    job.status, job.step = Job.Status.RUNNING, STEP_STARTED
    deadline = time.monotonic() + settings.JOB_TIME_LIMIT
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            RUNNERS[job.kind](job, Progress(job, deadline))
        except JobTimeLimit:
            _fail(
                job,
                gettext(
                    "Refused: this took longer than the %(minutes)d minutes a job "
                    "may take. Ask the administrators to run it from the command "
                    "line."
                )
                % {"minutes": max(settings.JOB_TIME_LIMIT // 60, 1)},
            )
        except (JobRefused, importing.ReportFormatError) as error:
            _fail(job, str(error))
        except Exception:  # the worker goes on; the reason is in its log
            logger.exception("Job %s failed", job.pk)
            _fail(
                job,
                gettext(
                    "The job failed. The administrators can find why in the "
                    "worker's log."
                ),
            )
    return job.status


def _fail(job, message, *, now=None):
    job.status, job.error = Job.Status.FAILED, message
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message, finished_at=now or timezone.now()
    )


def _finish(job, *, file=None, name="", stored_name="", outcome=None):
    """The job is done: its file (an open binary file) saved in the media
    storage under ``stored_name``, offered for download as ``name``."""
    now = timezone.now()
    if file is not None:
        file.seek(0)
        job.result.save(stored_name, File(file), save=False)
    job.status, job.progress, job.step = Job.Status.DONE, 100, STEP_DONE
    job.result_name, job.outcome, job.finished_at = name, outcome or {}, now
    job.expires_at = now + timedelta(days=settings.JOB_KEEP_DAYS)
    job.save(
        update_fields=[
            "status",
            "progress",
            "step",
            "result",
            "result_name",
            "outcome",
            "finished_at",
            "expires_at",
        ]
    )


def _temporary_file(**kwargs):
    return tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, **kwargs)


# --- The runners, one per kind ------------------------------------------------


def _run_archive(job, progress):
    """The year-end archive (一事一档 zip) of ``params["report"]``, recorded in the
    report's log when written."""
    report = Report.objects.select_related("closed_by").get(pk=job.params["report"])
    progress(0, 1, STEP_ARCHIVE)
    with _temporary_file() as output:
        result = archive.write_archive(report, output, user=job.user, progress=progress)
        report_archived(report=report, user=job.user, note=archive.archive_note(result))
        filename, fallback = archive.archive_filename(report, timezone.localdate())
        _finish(
            job,
            file=output,
            name=filename,
            stored_name=fallback,
            outcome={"files": result.files, "problems": len(result.problems)},
        )


def _run_import(job, progress):
    """Read the uploaded report file (kept in the media storage by
    ``job_start_import``) in a limited child process, and keep its text as an
    import draft: the job's page leads to the import's preview of it."""
    params = job.params
    progress(0, 1, STEP_READING)
    try:
        with default_storage.open(params["upload"]) as upload:
            data = upload.read()
        suffix = Path(params["file_name"]).suffix.lower()
        with _temporary_file(suffix=suffix) as handle:
            handle.write(data)
            handle.flush()
            try:
                text = importing.read_report_limited(
                    handle.name,
                    deadline=time.monotonic() + settings.JOB_READ_SECONDS,
                    extra_memory=settings.JOB_MEMORY_LIMIT_MB * 1024 * 1024,
                )
            except importing.ReportFormatError as error:
                # Named as the admin chose it, not as the temporary file.
                raise JobRefused(
                    str(error).replace(handle.name, params["file_name"])
                ) from None
    finally:
        default_storage.delete(params["upload"])
    draft = import_draft_save(
        user=job.user,
        text=text,
        file_name=params["file_name"],
        links=params.get("links"),
    )
    _finish(job, outcome={"draft": draft.token})


def _run_export(job, progress):
    """The obligation list's export for the job's owner, with the filters and
    order of ``params["query"]``, as ``params["format"]`` (csv or xlsx)."""
    export = exports.obligation_export(
        job.user, QueryDict(job.params["query"]), job.params["format"]
    )
    progress(0, 1, STEP_EXPORT)
    with _temporary_file() as output:
        export.write(output, progress=progress)
        _finish(job, file=output, name=export.filename, stored_name=export.fallback)


RUNNERS = {
    Job.Kind.ARCHIVE: _run_archive,
    Job.Kind.IMPORT: _run_import,
    Job.Kind.EXPORT: _run_export,
}


def job_start_import(*, user, upload, params: dict) -> Job:
    """Keep an uploaded report file in the media storage for the worker to read
    (a job of kind "import"); ``params`` carries the organization, year and
    links the admin gave with it."""
    suffix = Path(upload.name).suffix.lower()
    stored = default_storage.save(
        f"jobs/uploads/{secrets.token_hex(16)}{suffix}", upload
    )
    return job_start(
        kind=Job.Kind.IMPORT,
        user=user,
        params={**params, "upload": stored, "file_name": Path(upload.name).name},
    )


@transaction.atomic
def job_purge_expired(*, now=None) -> int:
    """Remove the files of the jobs past ``expires_at`` (the rows stay, marked
    expired: who made what, and when). Returns the number of jobs purged."""
    now = now or timezone.now()
    expired = list(
        Job.objects.expired(now).filter(status=Job.Status.DONE).select_for_update()
    )
    for job in expired:
        if job.result:
            job.result.delete(save=False)
    Job.objects.filter(pk__in=[job.pk for job in expired]).update(
        status=Job.Status.EXPIRED, result=""
    )
    return len(expired)


def abandoned_since(now=None):
    """Jobs still running that started before this moment were left by a worker
    that stopped."""
    return (
        (now or timezone.now())
        - timedelta(seconds=settings.JOB_TIME_LIMIT)
        - ABANDONED_AFTER
    )


@transaction.atomic
def job_fail_abandoned(*, now=None) -> int:
    """Fail the jobs a stopped worker left running, with the message their page
    shows already (in each starter's language), and remove the report files such
    an import job had kept for reading. Returns how many."""
    now = now or timezone.now()
    abandoned = Job.objects.filter(
        status=Job.Status.RUNNING, started_at__lt=abandoned_since(now)
    ).select_for_update()
    for job in abandoned:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _fail(job, gettext(ABANDONED_MESSAGE), now=now)
        # A worker killed while reading an upload never reached _run_import's
        # clean-up: the file would stay in the media storage for good.
        upload = job.params.get("upload") if job.kind == Job.Kind.IMPORT else None
        if upload:
            default_storage.delete(upload)
    return len(abandoned)
