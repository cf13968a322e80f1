"""Jobs in tests: start one over HTTP and let it run as the worker would (the
tests' immediate queue runs a task once the request's transaction commits; here
that commit is captured and its callbacks run), then read its page and file."""

import io
import zipfile

from django.test import TestCase
from django.urls import resolve, reverse

from tracker.models import Job


def start_job(client, url, data=None, *, method="post"):
    """The job a request started (its answer: a redirect to the job's page), run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 302, response.content[:500]
    match = resolve(response["Location"])
    assert match.url_name == "job_detail", response["Location"]
    return Job.objects.get(pk=match.kwargs["pk"])


def job_page(client, job):
    return client.get(reverse("tracker:job_detail", args=[job.pk]))


def job_file(client, job):
    """(response, bytes) of the job's download."""
    response = client.get(reverse("tracker:job_download", args=[job.pk]))
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def zip_names(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()
