"""Scenario « rendu en tâche de fond »: do the web pages stay fast while a worker renders a bilan?

gunicorn (2 workers) serves the ten-times plan; two clients read pages one after the other (the
pilot's fiche page, the login page, the public plan page) for a while: the p95 without a render.
Then the comité asks for the live bilan's PDF (a job, queued through Redis), a real Celery worker
process renders it at its low CPU priority (JOBS_WORKER_NICE), and the same clients read the same
pages until the job ends: the p95 and the slowest request during the render, and the job's peak
memory (jobs/memory.py). Targets: p95 during the render within 20 % of the p95 without, no request
over 1 s.
"""

import http.client
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

# Django and the bench's Django-side modules are imported inside the functions: `python -m bench`
# imports this module for its report before any settings exist.

BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/5")
CLIENTS = 2
# Each client asks at most this often: the pages' load of a busy day, not a saturated server (on
# a saturated machine any extra work, however low its priority, shows in the p95).
PERIOD_S = 0.05
P95_TOLERANCE = 1.20
SLOWEST_LIMIT_MS = 1000
RENDER_TIMEOUT_S = 420


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


class Sampler:
    """Clients reading `paths` in turn, each request's time kept, until `stop()`."""

    def __init__(self, port: int, paths: list[tuple[str, str]]):
        self.port, self.paths = port, paths
        self.latencies: list[float] = []
        self.slowest: tuple[float, str] = (0.0, "")
        self.errors = 0
        self._running = threading.Event()
        self._threads: list[threading.Thread] = []

    def _run(self, offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        turn = offset
        while self._running.is_set():
            path, cookie = self.paths[turn % len(self.paths)]
            turn += 1
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            elapsed = time.perf_counter() - start
            self.latencies.append(elapsed * 1000)
            self.slowest = max(self.slowest, (elapsed * 1000, path))
            self.errors += 0 if ok else 1
            time.sleep(max(0.0, PERIOD_S - elapsed))

    def start(self) -> "Sampler":
        self._running.set()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(CLIENTS)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> dict:
        from bench.pages import percentile

        self._running.clear()
        for thread in self._threads:
            thread.join()
        return {
            "requests": len(self.latencies),
            "errors": self.errors,
            "p50_ms": percentile(self.latencies, 0.5) if self.latencies else None,
            "p95_ms": percentile(self.latencies, 0.95) if self.latencies else None,
            "max_ms": max(self.latencies, default=None),
            "slowest_path": self.slowest[1],
        }


def _worker(queue: str, log: Path) -> subprocess.Popen:
    from django.conf import settings

    command = [sys.executable, "-m", "celery", "-A", "spaser", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    env = {**os.environ, "CELERY_BROKER_URL": BROKER}
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=out)


def _paths(port: int, plan) -> list[tuple[str, str]]:
    from django.urls import reverse

    from bench import data
    from bench.load import PilotClient

    pilot = PilotClient(
        port=port, username="bench.pilote", password=data.PASSWORD, entry_url="", indicator=0,
        value_type="count", number=0,
    )  # fmt: skip
    pilot.login()
    cookie = "; ".join(f"{k}={v}" for k, v in pilot.cookies.items())
    return [
        (reverse("indicators:fiche_detail", args=[plan.slug, 11]), cookie),
        (reverse("login"), ""),
        (reverse("public:plan", args=[plan.slug]), ""),
    ]


def _render(plan, year: int, sampler_paths, port: int) -> tuple[dict, dict]:
    """Start the job, sample the pages until it ends; (pages during the render, the job)."""
    from django.contrib.auth.models import User

    from jobs.models import Job
    from reporting.jobs import bilan_pdf_start

    started = time.monotonic()
    job = bilan_pdf_start(plan=plan, year=year, user=User.objects.get(username="bench.comite"))
    sampler = Sampler(port, sampler_paths).start()
    while time.monotonic() - started < RENDER_TIMEOUT_S:
        job = Job.objects.get(pk=job.pk)
        if not job.is_active:
            break
        time.sleep(0.5)
    pages = sampler.stop()
    return pages, {
        "status": job.status,
        "error": job.error,
        "seconds": round(time.monotonic() - started, 1),
        "peak_memory_mb": round((job.peak_memory_kb or 0) / 1024),
        "bytes": job.result.size if job.result else 0,
    }


def _merged(before: Sampler, after: Sampler) -> dict:
    """Before and after the render as one measurement without a render (drift on the machine
    weighs on both sides of the render alike)."""
    before.latencies += after.latencies
    before.errors += after.errors
    before.slowest = max(before.slowest, after.slowest)
    return before.stop()


def measure(*, seconds: float, size: int) -> dict:
    from django.core.cache import caches

    from actions.models import Plan
    from bench.load import Gunicorn
    from indicators.models import Campaign
    from spaser.celery import app

    if not _redis_answers():
        return {"skipped": f"Redis ne répond pas ({BROKER})"}
    plan = Plan.objects.order_by("start_year", "pk").first()
    year = Campaign.objects.filter(plan=plan).exclude(status="ouverte").order_by("-year").first().year
    caches["shared"].clear()  # the PDF is not rendered yet
    queue = f"spaser-bench-{uuid.uuid4().hex}"
    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    folder = Path(os.environ["BENCH_DIR"])
    server = Gunicorn(workers=2, log=folder / "gunicorn-jobs.log", access_log=False)
    worker = _worker(queue, folder / "worker-jobs.log")
    try:
        paths = _paths(server.port, plan)
        Sampler(server.port, paths).start().stop()  # nothing: the threads start and stop
        warm = Sampler(server.port, paths).start()
        time.sleep(2)
        warm.stop()
        before = Sampler(server.port, paths).start()
        time.sleep(seconds)
        without = before.stop()
        during, job = _render(plan, year, paths, server.port)
        after = Sampler(server.port, paths).start()  # the same pages once the render is over
        time.sleep(seconds)
        after.stop()
        without = _merged(before, after)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        server.stop()
    return {"year": year, "size": size, "clients": CLIENTS, "without": without, "during": during, "job": job}


def print_report(result: dict | None, table) -> list[str]:
    """The scenario's table; the targets missed, in French."""
    if not result:
        return []
    if "skipped" in result:
        print(f"\nRendu en tâche de fond : non mesuré ({result['skipped']})")
        return []
    without, during, job = result["without"], result["during"], result["job"]
    print(
        f"\nRendu en tâche de fond : pages web (fiche, connexion, plan public ; {result['clients']} clients, "
        f"une requête toutes les {PERIOD_S * 1000:.0f} ms au plus chacun, gunicorn 2 workers) sans rendu "
        f"(avant et après), puis pendant le rendu du PDF du bilan {result['year']} à "
        f"{result.get('size', '?')}x par un worker Celery (Redis, priorité CPU basse)"
    )
    rows = [
        [
            label,
            run["requests"],
            run["errors"],
            f"{run['p50_ms']:.0f}",
            f"{run['p95_ms']:.0f}",
            f"{run['max_ms']:.0f}",
        ]
        for label, run in (("sans rendu", without), ("pendant le rendu", during))
    ]
    print(table(rows, ["", "requêtes", "erreurs", "médiane ms", "95e centile ms", "max ms"]))
    print(
        f"Travail : {job['status']} en {job['seconds']:.0f} s, pic de mémoire du worker "
        f"{job['peak_memory_mb']} Mo, PDF de {job['bytes'] / 1e6:.1f} Mo"
    )
    failures = []
    if job["status"] != "succeeded":
        failures.append(f"rendu en tâche de fond : le travail a fini « {job['status']} » {job['error']}")
    limit = without["p95_ms"] * P95_TOLERANCE
    if during["p95_ms"] > limit:
        failures.append(
            f"rendu en tâche de fond : 95e centile {during['p95_ms']:.0f} ms pendant le rendu, plus de 20 % "
            f"au-dessus des {without['p95_ms']:.0f} ms sans rendu"
        )
    if during["max_ms"] >= SLOWEST_LIMIT_MS:
        failures.append(
            f"rendu en tâche de fond : une requête a pris {during['max_ms']:.0f} ms (≥ 1 s) : "
            f"{during['slowest_path']}"
        )
    if during["errors"] or without["errors"]:
        failures.append("rendu en tâche de fond : des pages ont répondu en erreur")
    return failures
