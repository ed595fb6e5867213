"""The Celery task every job runs through (spaser/celery.py finds it by autodiscovery)."""

from celery import shared_task

from . import services


@shared_task(name="jobs.job_run")
def job_run(job_id: int) -> None:
    """Run job `job_id`: idempotent (a job already running or done is left alone)."""
    services.job_execute(job_id=job_id)
