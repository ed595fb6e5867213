"""A background job's page: its progress (the page refreshes itself, no JavaScript needed), then its
result to download, or its French error with a button to run it again. Only who asked for the job,
and SCP, see it (jobs.services asks core.rights); anyone else gets a 404, as for a job that does not
exist."""

from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import download, download_stream
from jobs import services

REFRESH_SECONDS = 2
# A result up to this size (a PDF, a workbook) is read whole; a bigger one (an archive of evidence,
# gigabytes perhaps) is sent by chunks, never held in the web process's memory.
STREAM_OVER = 16 * 1024 * 1024


def _job(request, pk: int):
    try:
        return services.job_visible(job_id=pk, user=request.user)
    except PermissionDenied as refusal:
        raise Http404(str(refusal)) from None


def job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "jobs/job_detail.html", {"job": job, "refresh": REFRESH_SECONDS})


def job_download(request, pk: int):
    """The job's file, as an attachment, after asking the rights the work itself needs."""
    job = _job(request, pk)
    services.job_result_check(job=job, user=request.user)
    if not job.succeeded or not job.result:
        raise Http404("Ce travail n'a pas de fichier à télécharger.")
    filename, etag = job.result_name or PurePath(job.result.name).name, f"job-{job.pk}"
    if job.result.size > STREAM_OVER:
        return download_stream(job.result.open("rb"), filename, etag=etag)
    with job.result.open("rb") as stored:  # a PDF of a few megabytes at most
        data = stored.read()
    return download(data, filename, etag=etag)


@require_POST
def job_retry(request, pk: int):
    job = services.job_retry(job=_job(request, pk), user=request.user)
    return redirect("jobs:detail", pk=job.pk)
