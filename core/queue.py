"""Putting work on the task queue (spaser/celery.py).

Every task is queued once the current transaction commits: a worker never reads a row that does not
exist yet, and nothing is queued for a transaction that rolled back. Tasks take ids, never model
instances, and are idempotent (a retried task must not write twice).
"""

from django.conf import settings
from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` after the current transaction commits (at once outside one).

    `robust`: a broker that cannot be reached is logged, not shown to the person whose change is
    already saved; what the task was to do stays recorded (a pending notification, a queued job) and
    the daily commands take it up again. Run in-process (no broker: tests, a local run), a task's own
    error is not hidden.
    """
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=not eager)
