"""Starting, joining, retrying and running background jobs.

`job_start` asks the handler's rights check, then joins the job already queued or running for the
same key (the same render is never done twice at once: a partial unique index makes it so even for
two requests at the same instant), or reuses a finished one built from the same state of the data,
or creates one and queues it once the transaction commits (core.queue). `job_execute` is what the
worker runs: idempotent (a job already running or done is left alone), nothing written to storage
before the run is over, a failure recorded as a French message (the traceback goes to the log only).
"""

import logging
from datetime import timedelta

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import rights
from core.queue import enqueue

from . import memory, registry
from .enums import ACTIVE, JobStatus
from .models import Job

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Le travail a échoué sur une erreur inattendue ; elle a été consignée dans le journal du serveur. "
    "Vous pouvez le relancer ; si l'erreur revient, signalez-la à l'équipe technique."
)
NOT_YOURS = "Ce travail n'existe pas ou a été demandé par une autre personne."
# A job still "running" after this long lost its worker (killed mid-run): a redelivered task runs it.
STALE_AFTER = timedelta(hours=2)


def _queue(job: Job) -> None:
    from .tasks import job_run  # the task module imports this one

    enqueue(job_run, job.pk)


def _join(job: Job, user) -> Job:
    if user is not None and user.is_authenticated:
        job.requested_by.add(user)
    return job


@transaction.atomic
def job_start(*, kind: str, params: dict, user, dedup_key: str, data_version: str = "") -> Job:
    """The job doing `kind` with `params` for `user`: the one already under way for `dedup_key`, a
    finished one built from `data_version` (when given), or a new one, queued after the commit."""
    handler = registry.handler(kind)
    handler.check(user, params)
    for _ in range(2):  # a job that ends between the two reads is looked for once more
        active = Job.objects.active().filter(dedup_key=dedup_key).first()
        if active is not None:
            return _join(active, user)
        if data_version:
            done = Job.objects.reusable(dedup_key=dedup_key, data_version=data_version).first()
            if done is not None:
                return _join(done, user)
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    params=params,
                    dedup_key=dedup_key,
                    data_version=data_version,
                    title=handler.title(params),
                    created_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:  # another request created it a moment ago: join it
            continue
        _queue(job)
        return _join(job, user)
    raise RuntimeError(f"Could not start or join job {dedup_key!r}.")


def job_visible(*, job_id: int, user) -> Job:
    """The job, if `user` may see it (PermissionDenied otherwise, the same for a job that does not
    exist: nobody learns that another person's job exists)."""
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    rights.require(job is not None and rights.may_see_job(user, job), NOT_YOURS)
    return job


def job_result_check(*, job: Job, user) -> None:
    """May `user` download `job`'s result now: they may see the job, and still have the right the
    work itself asks (a comité member who left the comité no longer downloads the bilan)."""
    rights.require(rights.may_see_job(user, job), NOT_YOURS)
    registry.handler(job.kind).check(user, job.params)


def job_retry(*, job: Job, user) -> Job:
    """Run a failed job's work again: a new job (the failed one stays, with its message), or the one
    already under way for the same key. A job that did not fail is returned as it is."""
    rights.require(rights.may_see_job(user, job), NOT_YOURS)
    if not job.failed:
        return job
    return job_start(
        kind=job.kind, params=job.params, user=user, dedup_key=job.dedup_key, data_version=job.data_version
    )


def _claim(job_id: int) -> bool:
    """Mark the job running, if it is queued (or lost its worker): False if it is already under way
    or done, so that a task delivered twice runs the job once."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__lt=now - STALE_AFTER))
        .update(
            status=JobStatus.RUNNING,
            started_at=now,
            attempts=F("attempts") + 1,
            progress=0,
            step="Démarrage",
        )
    )


def _progress(job_id: int):
    def report(percent: int, step: str) -> None:
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(100, int(percent))), step=step[:200]
        )

    return report


def job_execute(*, job_id: int) -> None:
    """Run the job (the worker's task): once, all or nothing, a failure kept as a French message."""
    if not _claim(job_id):
        logger.info("Job %s is already running or done: not run again.", job_id)
        return
    job = Job.objects.get(pk=job_id)
    measured = memory.reset_peak()
    try:
        result = registry.handler(job.kind).run(job, _progress(job_id))
    except registry.JobError as exc:
        _finish(job, error=str(exc))
    except Exception:
        logger.exception("Job %s (%s) failed.", job_id, job.kind)
        _finish(job, error=UNEXPECTED)
    else:
        try:
            _finish(job, result=result)
        except Exception:  # the storage refused the file: the job fails, nothing half-saved is shown
            logger.exception("Job %s (%s): its result could not be stored.", job_id, job.kind)
            _finish(job, error=UNEXPECTED)
        finally:
            if hasattr(result.content, "close"):  # a file the handler opened (a temporary file): stored
                result.content.close()
    logger.info("Job %s: peak RSS %s KiB (reset: %s).", job_id, job.peak_memory_kb, measured)


def _finish(job: Job, *, result: registry.Result | None = None, error: str = "") -> None:
    fields = {"finished_at": timezone.now(), "peak_memory_kb": memory.peak_kb()}
    if result is None:
        fields |= {"status": JobStatus.FAILED, "error": error, "step": ""}
    else:
        fields |= {"status": JobStatus.SUCCEEDED, "progress": 100, "step": "Terminé"}
        fields |= {"message": result.message, "link": result.link, "result_name": result.filename}
        if result.content is not None:  # stored only now, whole: a failed run leaves no file
            content = result.content
            content = ContentFile(content) if isinstance(content, bytes) else File(content)
            job.result.save(result.filename, content, save=False)
            fields["result"] = job.result.name
    Job.objects.filter(pk=job.pk).update(**fields)
    job.peak_memory_kb = fields["peak_memory_kb"]


def jobs_purge(*, days: int) -> int:
    """Forget the jobs finished more than `days` ago: their result files and what their kind left in
    the storage (`cleanup`: a failed DECP import's uploads), then their rows. A queued or running job
    is never touched; a result purged is simply built again when asked for. Returns how many went."""
    before = timezone.now() - timedelta(days=days)
    purged = 0
    for job in Job.objects.exclude(status__in=ACTIVE).filter(finished_at__lt=before).iterator():
        try:
            cleanup = registry.handler(job.kind).cleanup
        except LookupError:  # a kind no longer registered: only its result is ours to remove
            cleanup = None
        if cleanup is not None:
            cleanup(job.params)
        if job.result:
            job.result.storage.delete(job.result.name)
        job.delete()
        purged += 1
    return purged
