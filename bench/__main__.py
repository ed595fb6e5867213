"""`python -m bench`: build the benchmark databases, measure the pages at 1x and 10x, run the load
test, print the tables and check the targets (exit status 1 if one is missed).

Targets: queries per page do not grow with the data; at 1x every page's 95th percentile is under
100 ms (50 ms for the public site's plan and fiche pages) and the fiche page is faster than the
admin's change page of the same fiche; with 2 gunicorn workers the public plan and fiche pages serve
at least 300 requests per second; under load, every pilot saves (one on an indicator computed from
the contracts register), with no error and no lost write. The contracts register
(bench/decp.py): a national DECP file of a million contracts imported under 300 MB of memory; the
legal indicators page's queries do not grow from 2,000 to 20,000 contracts of the buyer.

The schema document (the plan itself): its PDF's render time and peak memory, its page's queries.

Evidence and discussions (bench/evidence.py): the entry page's and the fiche page's queries do not
grow with 20 pieces of evidence and 50 messages per fiche-year; a year's audit archive of 1 GB is
built by its job under 300 MB of memory (time and peak reported).

Rendering in the background (bench/jobs.py): the web pages' p95 without a render, then while a real
Celery worker (Redis) renders the largest plan's bilan PDF, within 20 % of each other; no request over
1 s during the render; the job's peak memory.

The SIRENE import (bench/sirene.py): a StockEtablissement of 30 million rows filtered to 20,000
holders in at most twice a bare csv scan of the file, under 500 MB.

`--only plan`, `--only decp`, `--only sirene` or `--only schema` runs one part; BENCH_DB_PREFIX
names the databases (spaser_bench_).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import decp, evidence, jobs, sirene
from bench.tables import print_plan, print_schema, table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Names of the benchmark's databases (dropped and created afresh): <prefix>1x, <prefix>10x, <prefix>decp.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "spaser_bench_")


def postgres_available() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def fresh_database(kind: str, name: str, workdir: Path) -> str:
    """A new, empty database for the benchmark only; returns its URL."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def step(env: dict, *args: str) -> dict:
    out = Path(env["BENCH_DIR"]) / "step.json"
    subprocess.run(
        [sys.executable, "-m", "bench.run", *args, "--out", str(out)], cwd=ROOT, env=env, check=True
    )
    return json.loads(out.read_text(encoding="utf-8"))


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["auto", "postgres", "sqlite"], default="auto")
    parser.add_argument(
        "--only",
        choices=["plan", "decp", "sirene", "schema"],
        help="plan: the plan's pages, PDF, Excel import, throughput and load; decp: the contracts register "
        "(national DECP file imported, legal indicators page); schema: the schema document's PDF and "
        "page alone (also measured by plan); sirene: a SIRENE stock filtered to the register's holders. "
        "Default: plan, decp and sirene.",
    )
    parser.add_argument("--sizes", default="1,10", help="plan sizes to measure (1 = SPASER 54)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load test (0: none)")
    parser.add_argument("--iterations", type=int, default=0, help="at most this many requests per page")
    parser.add_argument(
        "--throughput-seconds", type=float, default=15, help="length of each throughput measurement"
    )
    parser.add_argument(
        "--decp-contracts", type=int, default=1_000_000, help="contracts in the generated DECP file"
    )
    parser.add_argument(
        "--sirene-rows",
        type=int,
        default=int(os.environ.get("BENCH_SIRENE_ROWS", 30_000_000)),
        help="rows of the generated SIRENE stock (BENCH_SIRENE_ROWS)",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    kind = args.database if args.database != "auto" else ("postgres" if postgres_available() else "sqlite")
    sizes = [int(s) for s in args.sizes.split(",")] if args.only not in ("decp", "sirene") else []
    if args.only == "schema":
        return measure_schema_only(args, kind, sizes)
    workdir = Path(tempfile.mkdtemp(prefix="spaser-bench-"))
    RESULTS.mkdir(exist_ok=True)
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DIR": str(workdir),
        "PYTHONPATH": str(ROOT),
    }
    report = {"database": kind, "sizes": {}, "load": None, "throughput": None, "decp": None, "sirene": None}
    started = time.monotonic()
    try:
        if sizes:
            measure_plan(args, kind, sizes, workdir, base_env, report)
        if args.only in (None, "decp"):
            env = {**base_env, "BENCH_DATABASE_URL": fresh_database(kind, f"{DB_PREFIX}decp", workdir)}
            print(f"== Registre des contrats : base {kind}…", file=sys.stderr)
            report["decp"] = decp.measure(
                env=env, root=ROOT, workdir=workdir, contracts=args.decp_contracts, step=step, manage=manage
            )
        if args.only in (None, "sirene"):
            env = {**base_env, "BENCH_DATABASE_URL": fresh_database(kind, f"{DB_PREFIX}sirene", workdir)}
            print(f"== Import SIRENE : base {kind}…", file=sys.stderr)
            report["sirene"] = sirene.measure(
                env=env, root=ROOT, workdir=workdir, rows=args.sirene_rows, manage=manage
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["duration_s"] = round(time.monotonic() - started)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    failures = print_report(report, sizes)
    return 1 if failures else 0


def measure_plan(args, kind: str, sizes: list[int], workdir: Path, base_env: dict, report: dict) -> None:
    """The plan's pages, PDF and Excel import at each size, then throughput and load at the first."""
    for size in sizes:
        env = {**base_env, "BENCH_DATABASE_URL": fresh_database(kind, f"{DB_PREFIX}{size}x", workdir)}
        print(f"== {size}x : base {kind}, chargement…", file=sys.stderr)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--clear")
        built = step(env, "build", "--size", str(size))
        print(
            f"   {built['fiches']} fiches, {built['indicators']} indicateurs, {built['values']} valeurs "
            f"({built['years'][0]}-{built['years'][-1]}) ; mesure des pages…",
            file=sys.stderr,
        )
        measured = step(env, "pages", "--iterations", str(args.iterations))
        print("   rendu du PDF (processus neuf), import Excel…", file=sys.stderr)
        measured["pdf"] = step(env, "pdf")
        measured["pdf_downloads"] = step(env, "pdf-downloads")
        measured["schema"] = step(env, "schema", "--iterations", str(args.iterations))
        measured["import"] = step(env, "import")  # it rewrites the values
        if size == sizes[0]:  # evidence and messages on every fiche-year; a year's 1 GB audit archive
            print("   preuves et échanges : requêtes des pages, archive d'1 Go…", file=sys.stderr)
            report["evidence"] = step(env, "evidence")
        if size == sizes[0]:  # the same pages with the next plan loaded beside (and in force)
            measured["next_plan"] = step(env, "next-plan")
            measured["pages_two_plans"] = step(env, "pages", "--iterations", "5")["pages"]
        report["sizes"][size] = {"data": built, **measured}
        if size == sizes[0]:
            load_env = env
        render_env = env  # the largest plan: its bilan's render in a background job
    print(
        f"== Débit : page de connexion, page de la fiche, site public (plan, fiche), gunicorn 2 workers, "
        f"{args.throughput_seconds:.0f} s chacune…",
        file=sys.stderr,
    )
    report["throughput"] = step(load_env, "throughput", "--seconds", str(args.throughput_seconds))
    if args.seconds > 0:
        print(f"== Test de charge : gunicorn 2 workers, 20 pilotes, {args.seconds:.0f} s…", file=sys.stderr)
        report["load"] = step(load_env, "load", "--seconds", str(args.seconds))
    print(
        f"== Rendu en tâche de fond : pages web sans puis pendant le rendu du bilan à {sizes[-1]}x…",
        file=sys.stderr,
    )
    report["background"] = step(render_env, "background-render", "--seconds", "15", "--size", str(sizes[-1]))


def print_report(report: dict, sizes: list[int]) -> list[str]:
    print(f"\nBanc d'essai Pilotage SPASER – base {report['database']}")
    failures = print_plan(report, sizes) if sizes else []
    failures += jobs.print_report(report.get("background"), table)
    failures += evidence.print_report(report.get("evidence"), table)
    failures += decp.print_report(report["decp"], table)
    failures += sirene.print_report(report.get("sirene"), table)
    print(f"\nDurée du banc d'essai : {report['duration_s']} s")
    if failures:
        print("\nOBJECTIFS NON ATTEINTS :\n- " + "\n- ".join(failures))
    else:
        print("\nTous les objectifs sont atteints.")
    return failures


def _plan_database(kind: str, size: int, workdir: Path, base_env: dict) -> tuple[dict, dict]:
    """A fresh database with the plan at `size` loaded; its environment and what was built."""
    env = {**base_env, "BENCH_DATABASE_URL": fresh_database(kind, f"{DB_PREFIX}{size}x", workdir)}
    print(f"== {size}x : base {kind}, chargement…", file=sys.stderr)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--clear")
    return env, step(env, "build", "--size", str(size))


def measure_schema_only(args, kind: str, sizes: list[int]) -> int:
    """`--only schema`: the schema document's PDF and page at each size, nothing else."""
    workdir = Path(tempfile.mkdtemp(prefix="spaser-bench-"))
    RESULTS.mkdir(exist_ok=True)
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DIR": str(workdir),
        "PYTHONPATH": str(ROOT),
    }
    report = {"database": kind, "sizes": {}}
    started = time.monotonic()
    try:
        for size in sizes:
            env, built = _plan_database(kind, size, workdir, base_env)
            print("   schéma : rendu du PDF (processus neuf), page…", file=sys.stderr)
            report["sizes"][size] = {
                "data": built,
                "schema": step(env, "schema", "--iterations", str(args.iterations)),
            }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["duration_s"] = round(time.monotonic() - started)
    (RESULTS / "schema.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"\nBanc d'essai Pilotage SPASER (schéma seul) – base {kind}")
    failures = print_schema(report, sizes)
    print(f"\nDurée : {report['duration_s']} s")
    if failures:
        print("\nOBJECTIFS NON ATTEINTS :\n- " + "\n- ".join(failures))
        return 1
    print("\nTous les objectifs sont atteints.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
