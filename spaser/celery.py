"""The task queue (Celery): long work (PDF renders, DECP imports, e-mails) runs off the web request.

With CELERY_BROKER_URL set (production: redis://...), tasks go to the broker and `celery -A spaser
worker` runs them, on this machine or another. Without it, tasks run in the process that asks
(`task_always_eager`): the tests, and a local run with no extra service.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spaser.settings.dev")

app = Celery("spaser")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
