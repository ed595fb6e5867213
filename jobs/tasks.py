"""The Celery task every job runs through (spaser/celery.py finds it by autodiscovery)."""

from celery import shared_task

from . import services


@shared_task(name="jobs.job_run")
def job_run(job_id: int) -> None:
    """Run job `job_id`: idempotent (a job already running or done is left alone)."""
    services.job_execute(job_id=job_id)


@shared_task(name="jobs.purge")
def jobs_purge() -> int:
    """Daily (beat): the jobs finished more than JOBS_KEEP_DAYS ago go, with their files."""
    from django.conf import settings

    return services.jobs_purge(days=settings.JOBS_KEEP_DAYS)
