"""Long work done by the worker for one person: a year-end archive, reading an
uploaded report, a big export. The row is what the job's page shows while it runs
(status, progress, the step in words) and, when done, where its file is."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_upload_to(job, filename):
    # A folder per job: two jobs' files with the same name never meet.
    return f"jobs/{job.pk}/{filename}"


class JobQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class Job(models.Model):
    """One piece of long work, queued as the task ``services.jobs.run_job``. Only
    the worker moves it on: pending → running → done or failed. A result file is
    kept until ``expires_at``; ``manage.py purge_jobs`` removes it then."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("year-end archive")
        IMPORT = "import", _("report file reading")
        EXPORT = "export", _("obligation list export")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("file removed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # The English source of the step (translated when the page is drawn, in the
    # reader's language); the worker has no reader's language.
    step = models.CharField(_("step"), max_length=200, blank=True)
    # What the worker needs (a report's id, an export's filters) and what it found
    # (an import's draft token, an archive's problems): small JSON either way.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    # The refusal, translated into the language of the person who started it.
    error = models.TextField(_("error"), blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    result = models.FileField(
        _("result file"), upload_to=job_upload_to, max_length=300, blank=True
    )
    result_name = models.CharField(_("download name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["expires_at"], name="job_expires_at")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("tracker:job_detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.EXPIRED,
        )
