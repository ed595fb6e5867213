"""One job through a real Celery worker process and Redis, as in production: the eager queue of the
other tests runs the task in the caller and would hide serialisation and transaction mistakes.

Runs once, in the PostgreSQL pass of `make test`: the worker, another process, must read the rows
the test committed, and SQLite's test database lives in the test process's memory.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from kombu import pools as kombu_pools

from core import rights
from jobs.enums import JobStatus
from reporting.jobs import bilan_pdf_start
from spaser.celery import app
from tests.factories import user_in_role
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = "redis://127.0.0.1:6379/5"  # the tests' own Redis database
WAIT_SECONDS = 180


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture
def broker():
    """The app sends to Redis (a queue of this test's own) instead of running tasks in the caller."""
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (the worker process must share the test database)")
    if not _redis_answers():
        pytest.skip(f"Redis does not answer at {BROKER}: start it (see README, Production)")
    queue = f"spaser-test-{uuid.uuid4().hex}"
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    _forget_connections()
    yield queue
    app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    """Drop the app's connection and producer pools, and its queues: an eager task of an earlier
    test made them with the configuration of then (no broker, the default queue). kombu keeps its
    pools in registries of its own, keyed by connection: `reset` closes them and empties those, so
    that a later test does not get back a pool closed here."""
    kombu_pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(broker, media, tmp_path):
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spaser.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "MEDIA_ROOT": str(media),
        "JOBS_WORKER_NICE": "0",
        "JOBS_WORKER_IDLE": "false",  # the suite keeps both cores busy: an idle-class worker would wait
    }
    command = [sys.executable, "-m", "celery", "-A", "spaser", "worker", "--pool=solo", "-Q", broker]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=out)
    yield log
    process.terminate()
    process.wait(timeout=30)


def test_a_worker_process_renders_a_bilan_queued_through_redis(small_plan, worker):
    committee = user_in_role(rights.COMMITTEE_GROUP)

    job = bilan_pdf_start(plan=small_plan, year=2025, user=committee)  # committed: sent at once

    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.5)
    assert job.status == JobStatus.SUCCEEDED, Path(worker).read_text(errors="replace")[-3000:]
    assert job.attempts == 1 and job.peak_memory_kb > 0
    with default_storage.open(job.result.name) as stored:
        assert "Fiche 11" in squash(pdf_text(stored.read()))
    assert f"Job {job.pk}: peak RSS" in Path(worker).read_text(errors="replace")  # run by the worker
