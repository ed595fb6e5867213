"""The task queue (Celery): long work (PDF renders, DECP imports, e-mails) runs off the web request.

With CELERY_BROKER_URL set (production: redis://...), tasks go to the broker and `celery -A spaser
worker` runs them, on this machine or another. Without it, tasks run in the process that asks
(`task_always_eager`): the tests, and a local run with no extra service.
"""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spaser.settings.dev")

app = Celery("spaser")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def lower_priority(**kwargs) -> None:
    """A worker renders at a lower CPU priority than the web processes, so that a render on the same
    machine takes only the CPU the pages leave; its pool's processes inherit it.

    JOBS_WORKER_IDLE (default on, Linux): the SCHED_IDLE policy, under which the worker runs only
    when no other process wants the CPU; `nice` 19 alone still took a share of a busy core from the
    pages (bench: web p95 14 -> 18 ms during a 10x bilan render on two cores). Elsewhere, or off:
    `nice` JOBS_WORKER_NICE (19 by default: the lowest).
    """
    from django.conf import settings

    if settings.JOBS_WORKER_IDLE and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    os.nice(settings.JOBS_WORKER_NICE)
