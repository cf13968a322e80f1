"""A job's page (the worker's long work for one person: an archive, reading a
report file, a big export): its progress while it runs, then the download or the
refusal. Only its owner and the administrators see it; anyone else gets a 404."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import permissions
from ..exports import attachment_header
from ..models import Job
from ..services import jobs as jobs_services

# Seconds between two looks of a running job's page (meta refresh: no script).
REFRESH_SECONDS = 2


@require_safe
def job_detail(request, pk):
    job = permissions.get_job_or_404(request, pk)
    # Said at once, though only purge_jobs records it: a GET writes nothing.
    abandoned = (
        job.status == Job.Status.RUNNING
        and job.started_at is not None
        and job.started_at < jobs_services.abandoned_since()
    )
    return render(
        request,
        "tracker/jobs/job_detail.html",
        {
            "job": job,
            "abandoned": abandoned,
            "refresh": None if job.is_finished or abandoned else REFRESH_SECONDS,
        },
    )


@require_safe
def job_download(request, pk):
    """The job's file, while it is kept."""
    job = permissions.get_job_or_404(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    response = FileResponse(job.result.open("rb"), as_attachment=True)
    fallback = job.result.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = attachment_header(
        job.result_name or fallback, fallback
    )
    return response
