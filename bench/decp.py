"""The contracts register's benchmark: a national-size DECP file imported, and the legal indicators page.

`python -m bench --only decp` (or the whole `python -m bench`):
1. writes a DECP file of the 2022 format the size of a national consolidated file (1,000,000 contracts
   by default, marchés and concessions mixed, 2,000 of them the plan's buyer's), streaming, to a
   temporary file;
2. in a fresh process each: a bare streaming scan of the file (ijson items, counted, nothing else) and
   `manage.py decp_import` of it: wall time and peak memory of each (the child's own ru_maxrss). The
   import must take at most twice the bare scan, under 300 MB;
3. hostile files, each `manage.py decp_import` in a fresh process: 200 KB of 100,000 nested brackets,
   alone and inside the contracts' array; each refused (exit status 1, French message), under 2 s
   and 100 MB, Django's start included;
4. the legal indicators page (and the selector behind it) at 2,000 contracts of the buyer, then at
   20,000: 95th percentile and queries, which must not grow.

`python -m bench.decp scan FILE` is the bare scan: it imports nothing but ijson.
"""

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import ijson

from bench.decp_file import BUYER, CPV, OBJECTS, YEARS, generate

PREFIXES = ("marches.marche.item", "marches.contrat-concession.item")
MEMORY_LIMIT_MB = 300
SCAN_RATIO_LIMIT = 2.0  # the import at most twice the bare ijson scan of the same file
HOSTILE_SECONDS, HOSTILE_MB = 2.0, 100
HOSTILE = {
    "crochets": "[" * 100_000 + "]" * 100_000,
    "crochets dans les marchés": '{"marches": {"marche": [' + "[" * 100_000 + "]" * 100_000 + "]}}",
}


# --- fresh processes: the bare scan and the import --------------------------------------------------------


def scan(path: str) -> dict:
    """Every record of the file built by ijson and counted: the floor of any streaming reader."""
    started = time.perf_counter()
    count = 0
    for prefix in PREFIXES:
        with open(path, "rb") as handle:
            count += sum(1 for _ in ijson.items(handle, prefix))
    return {"records": count, "seconds": time.perf_counter() - started, "backend": ijson.backend}


def child(command: list[str], env: dict, cwd: Path, *, refused: bool = False) -> dict:
    """Run `command` in a fresh process: its wall time, its own peak memory and its output. With
    `refused`, the command must fail (exit status 1) and its error output is returned."""
    output, errors = (Path(env["BENCH_DIR"]) / name for name in ("child.out", "child.err"))
    started = time.perf_counter()
    with open(output, "wb") as out, open(errors, "wb") as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        # os.wait4 gives this child's own resources (RUSAGE_CHILDREN would mix in the earlier ones).
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if refused:
        return {
            "seconds": seconds,
            "peak_rss_mb": usage.ru_maxrss / 1024,
            "exit": process.returncode,
            "stderr": errors.read_text(encoding="utf-8")[-500:],
        }
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} : code {process.returncode}\n{errors.read_text()[-2000:]}")
    return {
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": output.read_text(encoding="utf-8"),
    }


def measure(*, env: dict, root: Path, workdir: Path, contracts: int, step, manage) -> dict:
    """The whole measurement (see the module's docstring); `step` and `manage` run bench.run steps and
    manage.py commands on the benchmark's database (bench/__main__.py)."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--clear")
    setup = step(env, "decp-setup", "--buyer", BUYER)
    path = workdir / "decp-national.json"
    print(f"   écriture d'un fichier DECP de {contracts} contrats…", file=sys.stderr)
    written = generate(path, contracts=contracts, buyer_contracts=2000)
    print(
        f"   {written['bytes'] / 1e6:.0f} Mo en {written['seconds']:.0f} s ; lecture seule…", file=sys.stderr
    )
    bare = child([sys.executable, "-m", "bench.decp", "scan", str(path)], env, root)
    bare.update(json.loads(bare.pop("stdout")))
    print(f"   lecture seule {bare['seconds']:.1f} s ; import (decp_import)…", file=sys.stderr)
    imported = child([sys.executable, "manage.py", "decp_import", str(path), "--buyer", BUYER], env, root)
    imported["summary"] = imported.pop("stdout").strip().splitlines()[-1]
    path.unlink()
    print("   fichiers hostiles (imbrication)…", file=sys.stderr)
    hostile = {}
    for name, content in HOSTILE.items():
        bad = workdir / "imbrique.json"
        bad.write_text(content, encoding="utf-8")
        command = [sys.executable, "manage.py", "decp_import", str(bad), "--buyer", BUYER]
        hostile[name] = {**child(command, env, root, refused=True), "bytes": bad.stat().st_size}
        bad.unlink()
    print("   page des indicateurs légaux à 2 000 puis 20 000 contrats de l'acheteur…", file=sys.stderr)
    pages = step(env, "decp-pages", "--buyer", BUYER)
    return {"setup": setup, "file": written, "scan": bare, "import": imported, "hostile": hostile, **pages}


# --- inside Django (bench.run steps) ---------------------------------------------------------------------


def setup(*, buyer: str) -> dict:
    """The real plan with its buyer, and the comité member who opens the page."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, User

    from actions.loading import plan_load
    from actions.models import Buyer
    from core import rights

    plan = plan_load(directory=Path(settings.BASE_DIR) / "fixtures" / "spaser54").plan
    Buyer.objects.create(plan=plan, siret=buyer, name="Département de Meurthe-et-Moselle")
    user = User.objects.create(username="bench.comite", password=make_password(None))
    user.groups.add(Group.objects.get(name=rights.COMMITTEE_GROUP))
    return {"plan": plan.slug, "ijson_backend": ijson.backend}


def pages(*, buyer: str, iterations: int = 60) -> dict:
    """The page and its selector at the imported 2,000 contracts of the buyer, then at 20,000."""
    from actions.models import Plan
    from contracts.models import Contract

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    imported = Contract.objects.of_buyers([buyer]).count()
    results = {"imported": imported, "sizes": {}}
    for size in (2000, 20000):
        _fill(buyer, size)
        results["sizes"][size] = {
            "contracts": Contract.objects.of_buyers([buyer]).count(),
            "selector": _measure_selector(plan, 2025, iterations),
            "page": _measure_page(plan, 2025, iterations),
        }
    return results


def _fill(buyer: str, size: int) -> None:
    """Contracts of the buyer up to `size`, like the imported ones (written directly: bench data)."""
    import datetime
    from decimal import Decimal

    from contracts.models import Contract

    have = Contract.objects.of_buyers([buyer]).count()
    rng = random.Random(size)
    rows = []
    for number in range(have, size):
        year = rng.choice(YEARS)
        social, environmental = (rng.choice(["declaree", "aucune", "inconnue"]) for _ in range(2))
        rows.append(
            Contract(
                uid=f"{buyer}BENCH{number:06}",
                buyer_siret=buyer,
                contract_id=f"BENCH{number:06}",
                nature="marche",
                object=rng.choice(OBJECTS),
                cpv=rng.choice(CPV),
                notified_on=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                year=year,
                initial_amount=Decimal(rng.randint(40_000, 5_000_000)),
                current_amount=Decimal(rng.randint(40_000, 5_000_000)),
                social=social,
                reserved=social == "declaree" and rng.random() < 0.3,
                environmental=environmental,
                source_file="bench",
            )
        )
    Contract.objects.bulk_create(rows, batch_size=2000)


def _measure_selector(plan, year: int, iterations: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.pages import percentile
    from contracts.selectors import legal_figures

    with CaptureQueriesContext(connection) as queries:
        legal_figures(plan, year)
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        legal_figures(plan, year)
        times.append((time.perf_counter() - start) * 1000)
    return {"queries": len(queries.captured_queries), "p95_ms": percentile(times, 0.95)}


# The page's URL name as the brief announced it, then as it was written.
PAGE_URL_NAMES = ("contracts:legal", "contracts:legal_indicators")


def _measure_page(plan, year: int, iterations: int) -> dict | None:
    """The page as the comité opens it, or None while no URL of that name exists."""
    from django.urls import NoReverseMatch, reverse

    from bench.pages import Page, measure

    for name in PAGE_URL_NAMES:
        try:
            url = reverse(name, args=[plan.slug, year])
        except NoReverseMatch:
            continue
        page = Page("Indicateurs légaux", lambda _ctx, url=url: url, "bench.comite", iterations=iterations)
        return {**measure(page, None), "url_name": name}
    return None


def print_report(result: dict | None, table) -> list[str]:
    """The register's tables; the targets missed, in French."""
    if not result:
        return []
    failures = []
    written, bare, imported = result["file"], result["scan"], result["import"]
    print(
        f"\nRegistre des contrats : import d'un fichier DECP national ({written['contracts']} contrats dont "
        f"{written['contrat-concession']} concessions, {written['bytes'] / 1e6:.0f} Mo, "
        f"{written['buyer']} de l'acheteur), processus neuf chacun, ijson {bare['backend']}"
    )
    rate = written["contracts"] / imported["seconds"]
    rows = [
        ["lecture seule (ijson, comptage)", f"{bare['seconds']:.1f}", f"{bare['cpu_s']:.1f}", ""],
        ["decp_import", f"{imported['seconds']:.1f}", f"{imported['cpu_s']:.1f}", f"{rate:.0f}"],
    ]
    for row, run in zip(rows, (bare, imported), strict=True):
        row.append(f"{run['peak_rss_mb']:.0f}")
    print(table(rows, ["étape", "durée s", "CPU s", "contrats/s", "mémoire max Mo"]))
    print(f"Import : {imported['summary']}")
    ratio = imported["seconds"] / bare["seconds"]
    print(f"Import / lecture seule : {ratio:.2f} (objectif ≤ {SCAN_RATIO_LIMIT:.0f})")
    if imported["peak_rss_mb"] >= MEMORY_LIMIT_MB:
        failures.append(
            f"import DECP : mémoire maximale {imported['peak_rss_mb']:.0f} Mo ≥ {MEMORY_LIMIT_MB} Mo"
        )
    if ratio > SCAN_RATIO_LIMIT:
        failures.append(
            f"import DECP : {ratio:.2f} fois la lecture seule par ijson (> {SCAN_RATIO_LIMIT:.0f})"
        )
    failures += _print_hostile(result.get("hostile") or {}, table)
    if result["imported"] != written["buyer"]:
        failures.append(
            f"import DECP : {result['imported']} contrats enregistrés, {written['buyer']} attendus"
        )
    failures += _print_pages(result, table)
    return failures


def _print_hostile(hostile: dict, table) -> list[str]:
    """Each hostile file refused quickly, in little memory, with a French message (Django's start
    included: a fresh `manage.py decp_import`)."""
    failures, rows = [], []
    for name, run in hostile.items():
        french = "imbrique" in run["stderr"] or "n'est pas un fichier DECP" in run["stderr"]
        rows.append(
            [
                name,
                f"{run['bytes'] / 1000:.0f} Ko",
                run["exit"],
                f"{run['seconds']:.2f}",
                f"{run['peak_rss_mb']:.0f}",
                "oui" if french else "non",
            ]
        )
        if run["exit"] != 1 or not french:
            failures.append(f"fichier hostile « {name} » : non refusé en français (code {run['exit']})")
        if run["seconds"] >= HOSTILE_SECONDS or run["peak_rss_mb"] >= HOSTILE_MB:
            failures.append(
                f"fichier hostile « {name} » : {run['seconds']:.2f} s, {run['peak_rss_mb']:.0f} Mo "
                f"(objectif < {HOSTILE_SECONDS:.0f} s et < {HOSTILE_MB} Mo)"
            )
    if rows:
        print(
            "\nFichiers hostiles (decp_import, processus neuf ; "
            f"objectif < {HOSTILE_SECONDS:.0f} s, < {HOSTILE_MB} Mo)"
        )
        print(table(rows, ["fichier", "taille", "code", "durée s", "mémoire max Mo", "message français"]))
    return failures


def _print_pages(result: dict, table) -> list[str]:
    failures, rows = [], []
    sizes = result["sizes"]
    for measured in sizes.values():
        page, selector = measured["page"], measured["selector"]
        rows.append(
            [
                measured["contracts"],
                page["queries"] if page else "—",
                f"{page['median_ms']:.1f}" if page else "—",
                f"{page['p95_ms']:.1f}" if page else "(pas encore d'URL)",
                selector["queries"],
                f"{selector['p95_ms']:.1f}",
            ]
        )
    print("\nPage des indicateurs légaux (comité, année 2025) et son sélecteur legal_figures")
    print(
        table(rows, ["contrats de l'acheteur", "req. page", "méd. ms", "p95 ms", "req. sélecteur", "p95 ms"])
    )
    for kind in ("page", "selector"):
        counts = {m[kind]["queries"] for m in sizes.values() if m[kind]}
        if len(counts) > 1:
            failures.append(
                f"indicateurs légaux ({kind}) : le nombre de requêtes varie avec les contrats {counts}"
            )
    return failures


if __name__ == "__main__":
    if sys.argv[1:2] == ["scan"]:
        print(json.dumps(scan(sys.argv[2])))
