"""Putting work on the task queue (spaser/celery.py).

Every task is queued once the current transaction commits: a worker never reads a row that does not
exist yet, and nothing is queued for a transaction that rolled back. Tasks take ids, never model
instances, and are idempotent (a retried task must not write twice).
"""

from django.db import transaction


def enqueue(task, *args, **kwargs) -> None:
    """Queue `task(*args, **kwargs)` after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
