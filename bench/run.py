"""The benchmark's steps that run inside Django, on the benchmark database (bench/settings.py).

`python -m bench.run build|pages|load ... --out FILE` writes its result as JSON; `python -m bench`
runs them in order and prints the tables.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402

from bench import data, pages  # noqa: E402


def build(args) -> dict:
    return data.build(size=args.size)


def measure_pages(args) -> dict:
    ctx = pages.context()
    results = []
    for page in pages.PAGES:
        if args.iterations:
            page = pages.Page(**{**page.__dict__, "iterations": min(page.iterations, args.iterations)})
        results.append(pages.measure(page, ctx))
        print(f"  {results[-1]['name']}: {results[-1]['median_ms']:.1f} ms", file=sys.stderr)
    return {"pages": results, "ratio_pair": [pages.FICHE_PAGE, pages.ADMIN_PAGE]}


def pdf(args) -> dict:
    """Render the live bilan's PDF once in this fresh process: time and the process's peak memory."""
    import resource
    import time

    from actions.models import Plan
    from indicators.models import Campaign
    from reporting.pdf import bilan_pdf
    from reporting.selectors import bilan_build

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    year = Campaign.objects.filter(plan=plan).exclude(status="ouverte").order_by("-year").first().year
    data = bilan_build(plan=plan, year=year)
    wall, cpu = time.perf_counter(), time.process_time()
    document = bilan_pdf(data)
    return {
        "year": year,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "bytes": len(document),
    }


def schema(args) -> dict:
    """The schema document: its PDF rendered once in this fresh process (time and the process's peak
    memory, as the bilan's `pdf` step), then its web page's queries and times."""
    import resource
    import time

    from actions.models import Plan
    from reporting.schema import schema_build, schema_pdf

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    data = schema_build(plan=plan)
    wall, cpu = time.perf_counter(), time.process_time()
    document = schema_pdf(data)
    result = {
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "bytes": len(document),
        "pdf_pages": _pdf_pages(document),
        "fiches": data["fiche_count"],
    }
    ctx = pages.context()
    result["pages"] = []
    for page in pages.SCHEMA_PAGES:
        if args.iterations:
            page = pages.Page(**{**page.__dict__, "iterations": min(page.iterations, args.iterations)})
        result["pages"].append(pages.measure(page, ctx))
    result["cold_queries"] = _cold_queries(pages.SCHEMA_PAGES[0].url(ctx), "bench.comite")
    return result


def _pdf_pages(document: bytes) -> int:
    """The PDF's page count as poppler's pdfinfo reads it (0 if pdfinfo is missing)."""
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("pdfinfo"):
        return 0
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(document)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(match[1]) if match else 0


def _cold_queries(url: str, username: str) -> int:
    """The queries of one request with the page caches empty (schema_build's own, not the cache's)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(url)  # the session and the user's rights, as on any later request
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries.captured_queries)


def excel_import(args) -> dict:
    """Preview then import every value of the plan from its own export, as new values (~5,000 at 10x).

    The values are removed first and the years reopened (validated years refuse changes), so the
    import writes every value through `save()` with its history row, as a real import does.
    """
    import time

    from django.contrib.auth.models import User

    from actions.models import Plan
    from indicators import values_workbook as imports
    from indicators.models import AnnualReview, IndicatorValue

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    user = User.objects.get(username="bench.scp")
    workbook = imports.values_workbook(plan)
    count = IndicatorValue.objects.of_plan(plan).count()
    IndicatorValue.objects.of_plan(plan).delete()
    AnnualReview.objects.filter(fiche__plan=plan).update(status="brouillon")
    start = time.perf_counter()
    preview = imports.values_import(file=workbook, user=user, dry_run=True, plan=plan)
    preview_s = time.perf_counter() - start
    start = time.perf_counter()
    result = imports.values_import(file=workbook, user=user, dry_run=False, plan=plan)
    import_s = time.perf_counter() - start
    return {
        "values": count,
        "preview_new": len(preview.new),
        "written": len(result.new),
        "errors": result.messages[:3],
        "preview_s": preview_s,
        "import_s": import_s,
        "stored_after": IndicatorValue.objects.of_plan(plan).count(),
    }


def next_plan(args) -> dict:
    """The plan that follows the seeded one, prepared (every fiche carried over, its indicators
    continuing the old ones) and put in force: two plans loaded, for the pages to be measured again."""
    import time

    from django.contrib.auth.models import User

    from actions.enums import PlanState
    from actions.models import Plan
    from actions.services import plan_state_set
    from planning.services import plan_prepare_next

    old = Plan.objects.order_by("start_year", "pk").first()
    user = User.objects.get(username="bench.scp")
    start = time.perf_counter()
    new = plan_prepare_next(
        old=old,
        slug=f"{old.slug}-suivant",
        title=f"{old.title} (plan suivant)",
        start_year=old.end_year + 1,
        end_year=old.end_year + 1 + old.end_year - old.start_year,
        user=user,
    )
    prepare_s = time.perf_counter() - start
    plan_state_set(plan=new, state=PlanState.IN_FORCE, user=user)
    return {"plans": Plan.objects.count(), "fiches": new.fiches.count(), "prepare_s": prepare_s}


def _load_clients(plan, year: int) -> tuple[list, dict[int, str]]:
    """One simulated pilot per bench account, each on an indicator of its own fiche; with the codes of
    those indicators."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from actions.models import Indicator
    from bench.load import PilotClient
    from contracts.selectors import register_figures

    users = User.objects.filter(username__startswith="bench.charge").order_by("username")
    clients, codes = [], {}
    for number, user in enumerate(users, start=1):
        indicators = Indicator.objects.filter(fiche__plan=plan, fiche__number=number)
        indicators = indicators.select_related("register_source")
        indicator = next(
            indicators.filter(value_type=value_type).order_by("position").first()
            for value_type in ("count", "percentage", "text")
            if indicators.filter(value_type=value_type).exists()
        )
        # 9-R1 is computed from the register (demo data): its pilot takes the figure or comments its own.
        figure = register_figures([indicator], year, plan=plan).get(indicator.pk)
        codes[indicator.pk] = indicator.code
        clients.append(
            PilotClient(
                port=0,
                username=user.username,
                password=data.PASSWORD,
                number=number,
                entry_url=reverse("indicators:entry", args=[plan.slug, number, year]),
                indicator=indicator.pk,
                value_type=indicator.value_type,
                register_value=figure.value if figure else None,
            )
        )
    return clients, codes


def _load_checks(clients, year: int) -> tuple[list, int]:
    """The acknowledged saves not in the database (lost), and those missing from the history."""
    from collections import Counter

    from indicators.models import IndicatorValue

    # Every acknowledged save is in the database: the last one in the row, value and comment.
    lost, unrecorded = [], 0
    for client in clients:
        if client.acked is None:
            continue
        field = "value_text" if client.value_type == "text" else "value_number"
        row = IndicatorValue.objects.filter(indicator_id=client.indicator, year=year).first()
        stored = (getattr(row, field), row.comment) if row else None
        if stored != client.acked:
            lost.append((client.username, client.acked, stored))
        # Every acknowledged save was written: each one is in the value's history, as many times as
        # it was acknowledged (the register's figure is taken again and again).
        history = IndicatorValue.history.filter(indicator_id=client.indicator, year=year)
        recorded = Counter(history.values_list(field, "comment"))
        acked = Counter(client.acked_values)
        unrecorded += sum(max(0, count - recorded[pair]) for pair, count in acked.items())
    return lost, unrecorded


def load(args) -> dict:
    """Pilots saving on gunicorn for `args.seconds`, then every acknowledged save checked."""
    from actions.models import Plan
    from bench.load import Gunicorn, run_load
    from indicators.models import Campaign, IndicatorValue

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    year = Campaign.objects.filter(plan=plan).open().get().year
    clients, codes = _load_clients(plan, year)
    history_before = IndicatorValue.history.count()
    server = Gunicorn(workers=2, log=Path(os.environ["BENCH_DIR"]) / "gunicorn.log")
    try:
        for client in clients:
            client.port = server.port
            client.__post_init__()
        result = run_load(clients=clients, seconds=args.seconds)
    finally:
        server.stop()
    lost, unrecorded = _load_checks(clients, year)
    result["acknowledged_rows_checked"] = sum(client.acked is not None for client in clients)
    result["acknowledged_values_checked"] = sum(len(client.acked_values) for client in clients)
    result["unrecorded_writes"] = unrecorded
    result["lost_writes"] = len(lost)
    result["lost_samples"] = lost[:5]
    result["history_rows_added"] = IndicatorValue.history.count() - history_before
    result["register_pilots"] = [
        {
            "username": client.username,
            "indicator": codes[client.indicator],
            "register_value": client.register_value,
            "saves": client.acked_count,
            "taken": client.taken_count,
            "typed_with_comment": client.typed_with_comment_count,
        }
        for client in clients
        if client.register_value is not None
    ]
    return result


def pdf_downloads(args) -> dict:
    """The live bilan's PDF downloaded twice by the comité: rendered once, then served from the cache."""
    import time

    from django.core.cache import caches
    from django.test import Client
    from django.urls import resolve, reverse

    from bench.pages import context

    ctx = context()
    caches["shared"].clear()
    client = Client()
    client.force_login(User.objects.get(username="bench.comite"))
    url = reverse("reporting:bilan_pdf", args=[ctx.plan.slug, ctx.bilan_year])
    timings, bodies = [], []
    for _ in range(2):
        start = time.perf_counter()
        response = client.get(url)
        if response.status_code == 302 and "/travaux/" in response["Location"]:
            # Not rendered yet: the job (run in the request, the queue is eager here), then its file.
            job = resolve(response["Location"]).kwargs["pk"]
            response = client.get(reverse("jobs:download", args=[job]))
        bodies.append(response.content)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return {
        "year": ctx.bilan_year,
        "first_ms": timings[0],
        "second_ms": timings[1],
        "same_bytes": bodies[0] == bodies[1],
        "bytes": len(bodies[0]),
    }


def throughput(args) -> dict:
    """Requests per second of the fiche page and the public pages beside the login page (2 workers)."""
    from bench.throughput import measure_throughput

    return measure_throughput(seconds=args.seconds)


def background_render(args) -> dict:
    """The web pages' p95 without, then during, a bilan render by a real worker (bench/jobs.py)."""
    from bench.jobs import measure

    return measure(seconds=args.seconds, size=args.size)


def evidence(args) -> dict:
    """Issue 20: the pages' queries with evidence and messages, and a year's 1 GB audit archive
    (bench/evidence.py)."""
    from bench import evidence as scenario
    from bench.pages import context

    ctx = context()
    return scenario.measure(ctx.plan, entry_year=ctx.year, archive_year=ctx.bilan_year)


def decp_setup(args) -> dict:
    from bench import decp

    return decp.setup(buyer=args.buyer)


def decp_pages(args) -> dict:
    from bench import decp

    return decp.pages(buyer=args.buyer, iterations=args.iterations or 60)


STEPS = {
    "build": build,
    "pages": measure_pages,
    "pdf": pdf,
    "pdf-downloads": pdf_downloads,
    "schema": schema,
    "import": excel_import,
    "load": load,
    "next-plan": next_plan,
    "throughput": throughput,
    "background-render": background_render,
    "evidence": evidence,
    "decp-setup": decp_setup,
    "decp-pages": decp_pages,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=list(STEPS))
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--buyer", default="", help="the register's buyer (decp-* steps)")
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = STEPS[args.step](args)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
