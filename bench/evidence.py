"""Scenario « preuves et échanges » (issue 20), in one fresh process on the first plan's database:

(b) first, while the process is small: the audit archive of a year holding 1 GB of evidence (50 files
    of 20 MB of random bytes, written through the storage into the bench's MEDIA_ROOT, their SHA-256
    computed on the way) built by its background job (evidence.jobs, run here by the eager queue):
    its time, its size and the job's peak memory (jobs/memory.py), which must stay under 300 MB; the
    zip is checked (every member's CRC) and every generated file, row and result removed afterwards.
(a) then: the entry page and the fiche page's SQL queries without any evidence or discussion, and
    again with 20 pieces of evidence and 50 messages on every fiche-year of the plan; they must not
    grow. The rows are removed afterwards, so the steps that follow measure the plan as it was.
"""

import hashlib
import os
import time
import zipfile

# Django and the apps are imported inside the functions: `python -m bench` imports this module for its
# report before any settings exist.

FILES_PER_FICHE_YEAR = 20
MESSAGES_PER_FICHE_YEAR = 50
THREADS_PER_FICHE_YEAR = 5
ARCHIVE_FILES = 50
ARCHIVE_FILE_BYTES = 20 * 1024 * 1024
PEAK_LIMIT_MB = 300
CHUNK = 1 << 20
STORAGE_FOLDER = "evidence/bench"


_RANDOM = os.urandom(CHUNK)


class _Generated:
    """A file of `size` random-ish bytes for the storage to save by chunks, hashed as it is read: one
    random block, each chunk made unique by a counter (drawing a gigabyte from the system's random
    source would take longer than the archive)."""

    counter = 0

    def __init__(self, name: str, size: int):
        self.name, self.size, self.digest = name, size, hashlib.sha256()

    def chunks(self, chunk_size=None):
        left = self.size
        while left:
            _Generated.counter += 1
            chunk = (_Generated.counter.to_bytes(16, "big") + _RANDOM[16:])[: min(CHUNK, left)]
            self.digest.update(chunk)
            left -= len(chunk)
            yield chunk


def _rss_mb() -> int:
    """The process's resident memory now (Linux; 0 elsewhere), before the job: its baseline."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0


def _generate(fiches: list, year: int, user) -> list:
    from django.core.files.storage import default_storage

    from evidence.enums import EvidenceKind
    from evidence.models import Evidence

    rows = []
    for index in range(ARCHIVE_FILES):
        generated = _Generated(f"{STORAGE_FOLDER}/rapport-{index}.pdf", ARCHIVE_FILE_BYTES)
        name = default_storage.save(generated.name, generated)
        rows.append(
            Evidence(
                fiche=fiches[index % len(fiches)],
                year=year,
                title=f"Rapport d'exécution {index}",
                kind=EvidenceKind.FILE,
                file=name,
                file_name=f"rapport-{index}.pdf",
                content_type="application/pdf",
                size=generated.size,
                sha256=generated.digest.hexdigest(),
                dated=f"{year}-12-31",
                added_by=user,
            )
        )
    return Evidence.objects.bulk_create(rows)  # bench data: no history rows needed


def _check_zip(job) -> int:
    """Every member's CRC checked by reading the stored zip back (by chunks); the members' count."""
    with job.result.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        if archive.testzip() is not None:
            raise RuntimeError("the evidence archive has a corrupt member")
        return len(archive.namelist())


def measure_archive(plan, year: int) -> dict:
    from django.contrib.auth.models import User
    from django.core.files.storage import default_storage

    from actions.models import Fiche
    from evidence.jobs import evidence_archive_start
    from evidence.models import Evidence
    from jobs.models import Job

    scp = User.objects.get(username="bench.scp")
    fiches = list(Fiche.objects.filter(plan=plan).order_by("number"))
    start = time.perf_counter()
    rows = _generate(fiches, year, scp)
    generate_s = time.perf_counter() - start
    job, baseline = None, _rss_mb()
    try:
        start = time.perf_counter()
        job = Job.objects.get(pk=evidence_archive_start(plan=plan, year=year, user=scp).pk)  # eager: run
        job_s = time.perf_counter() - start
        result = {
            "files": len(rows),
            "evidence_mb": round(sum(r.size for r in rows) / 1024 / 1024),
            "generate_s": round(generate_s, 1),
            "status": job.status,
            "error": job.error,
            "job_s": round(job_s, 1),
            "zip_mb": round(job.result.size / 1024 / 1024) if job.result else 0,
            "peak_memory_mb": round((job.peak_memory_kb or 0) / 1024),
            "rss_before_mb": baseline,
            "members": _check_zip(job) if job.result else 0,
        }
    finally:
        for row in rows:
            default_storage.delete(row.file.name)
        Evidence.objects.filter(pk__in=[r.pk for r in rows]).delete()
        if job is not None and job.result:
            job.result.delete(save=False)
    return result


def _seed(plan, user) -> None:
    """20 pieces of evidence (one small stored file, shared) and 50 messages on every fiche-year."""
    from django.core.files.storage import default_storage

    from actions.models import Fiche
    from discussions.models import Message, Thread
    from evidence.enums import EvidenceKind
    from evidence.models import Evidence

    shared = default_storage.save(f"{STORAGE_FOLDER}/piece.pdf", _Generated("piece.pdf", 4096))
    evidence, threads = [], []
    for fiche in Fiche.objects.filter(plan=plan).prefetch_related("indicators", "milestones"):
        indicators, milestones = list(fiche.indicators.all()), list(fiche.milestones.all())
        for year in plan.years:
            for index in range(FILES_PER_FICHE_YEAR):
                about = {"indicator": indicators[index % len(indicators)]} if indicators and index % 2 else {}
                if milestones and index % 4 == 0:
                    about = {"milestone": milestones[index % len(milestones)]}
                evidence.append(
                    Evidence(
                        fiche=fiche, year=year, title=f"Pièce {index}", kind=EvidenceKind.FILE, file=shared,
                        file_name="piece.pdf", content_type="application/pdf", size=4096, sha256="0" * 64,
                        dated=f"{year}-06-30", added_by=user, **about,
                    )
                )  # fmt: skip
            threads += [
                Thread(fiche=fiche, year=year, subject=f"Question {index}", opened_by=user)
                for index in range(THREADS_PER_FICHE_YEAR)
            ]
    Evidence.objects.bulk_create(evidence, batch_size=2000)
    per_thread = MESSAGES_PER_FICHE_YEAR // THREADS_PER_FICHE_YEAR
    Message.objects.bulk_create(
        (
            Message(thread=thread, body=f"Message {index} : https://example.org/{index}", author=user)
            for thread in Thread.objects.bulk_create(threads, batch_size=2000)
            for index in range(per_thread)
        ),
        batch_size=5000,
    )


def _queries(pages: list[tuple[str, str, str]]) -> dict[str, int]:
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, url, username in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.get(url)  # warm: the session and the user's rights, as on any later request
        for cache in caches.all():  # the page built afresh: its own queries, not a cached copy's
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
        counts[name] = len(queries.captured_queries)
    return counts


def measure(plan, *, entry_year: int, archive_year: int) -> dict:
    from django.contrib.auth.models import User
    from django.core.files.storage import default_storage
    from django.urls import reverse

    from discussions.models import Message, Thread
    from evidence.models import Evidence

    archive = measure_archive(plan, archive_year)
    pages = [
        ("Saisie du pilote", reverse("indicators:entry", args=[plan.slug, 11, entry_year]), "bench.pilote"),
        ("Page de la fiche", reverse("indicators:fiche_detail", args=[plan.slug, 11]), "bench.pilote"),
    ]
    without = _queries(pages)
    _seed(plan, User.objects.get(username="bench.scp"))
    try:
        with_data = _queries(pages)
        seeded = {"evidence": Evidence.objects.count(), "messages": Message.objects.count()}
    finally:
        Message.objects.all().delete()
        Thread.objects.all().delete()
        Evidence.objects.all().delete()
        default_storage.delete(f"{STORAGE_FOLDER}/piece.pdf")
    return {
        "archive": archive,
        "pages": [{"name": name, "without": without[name], "with": with_data[name]} for name, _, _ in pages],
        "seeded": seeded,
    }


def print_report(result: dict | None, table) -> list[str]:
    """The scenario's tables; the targets missed, in French."""
    if not result:
        return []
    seeded, failures = result["seeded"], []
    print(
        f"\nPreuves et échanges : requêtes SQL sans, puis avec {FILES_PER_FICHE_YEAR} preuves et "
        f"{MESSAGES_PER_FICHE_YEAR} messages par fiche-année ({seeded['evidence']} preuves, "
        f"{seeded['messages']} messages)"
    )
    rows = [[p["name"], p["without"], p["with"]] for p in result["pages"]]
    print(table(rows, ["Page", "sans", "avec"]))
    for page in result["pages"]:
        if page["with"] > page["without"]:
            failures.append(f"preuves : {page['name']} passe de {page['without']} à {page['with']} requêtes")
    a = result["archive"]
    print(
        f"Archive des preuves d'une année : {a['files']} fichiers, {a['evidence_mb']} Mo (générés en "
        f"{a['generate_s']} s) ; travail {a['status']} en {a['job_s']} s, zip de {a['zip_mb']} Mo "
        f"({a['members']} entrées), pic de mémoire du travail {a['peak_memory_mb']} Mo, processus compris "
        f"({a['rss_before_mb']} Mo avant le travail ; objectif < {PEAK_LIMIT_MB} Mo)"
    )
    if a["status"] != "succeeded":
        failures.append(f"archive des preuves : le travail a fini « {a['status']} » {a['error']}")
    if a["peak_memory_mb"] >= PEAK_LIMIT_MB:
        failures.append(f"archive des preuves : pic de mémoire {a['peak_memory_mb']} Mo ≥ {PEAK_LIMIT_MB} Mo")
    return failures
