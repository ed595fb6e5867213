"""The national comparison's benchmark: a national consolidated DECP file computed for every buyer,
and the comparison page.

`python -m bench --only national` (or the whole `python -m bench`):
1. writes a DECP file of the 2022 format (3,000,000 contracts by default, about 50,000 buyers,
   marchés and concessions mixed; bench/decp_file.py), streaming, to a temporary file;
2. in a fresh process each: the bare streaming scan of the file (bench/decp.py scan: ijson items,
   counted, nothing else) and `manage.py decp_national` of it: wall time and peak memory of each. The
   computation must take at most twice the bare scan, under 1 GB;
3. the comparison page (the comité) and its selector, on the dataset computed, then with twice as
   many buyers' figures: their queries must not grow.

`python -m bench.national queries` is step 3, inside Django (bench.settings).
"""

import json
import os
import sys
from pathlib import Path

from bench.decp import child
from bench.decp_file import BUYER, generate

MEMORY_LIMIT_MB = 1024
SCAN_RATIO_LIMIT = 2.0
SOURCE_DATE = "2026-11-01"


def measure(*, env: dict, root: Path, workdir: Path, contracts: int, manage) -> dict:
    """The whole measurement (see the module's docstring)."""
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--clear")
    path = workdir / "decp-national-comparaison.json"
    print(f"   écriture d'un fichier DECP de {contracts} contrats…", file=sys.stderr)
    written = generate(path, contracts=contracts, buyer_contracts=2000)
    print(
        f"   {written['bytes'] / 1e6:.0f} Mo en {written['seconds']:.0f} s ; lecture seule…", file=sys.stderr
    )
    bare = child([sys.executable, "-m", "bench.decp", "scan", str(path)], env, root)
    bare.update(json.loads(bare.pop("stdout")))
    print(f"   lecture seule {bare['seconds']:.1f} s ; calcul national (decp_national)…", file=sys.stderr)
    command = [sys.executable, "manage.py", "decp_national", str(path), "--date", SOURCE_DATE]
    computed = child(command, env, root)
    computed["summary"] = computed.pop("stdout").strip().splitlines()[-1]
    path.unlink()
    print("   page de la comparaison nationale, puis deux fois plus d'acheteurs…", file=sys.stderr)
    queries = child([sys.executable, "-m", "bench.national", "queries"], env, root)
    return {"file": written, "scan": bare, "compute": computed, "pages": json.loads(queries["stdout"])}


# --- inside Django ------------------------------------------------------------------------------------


def _count(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.caching import data_changed

    data_changed()  # nothing served from the cache: the page is built
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries.captured_queries)


def _grow(dataset, factor: int) -> int:
    """Figures of made-up buyers, `factor` times as many as the dataset has (bench data)."""
    from national.models import NationalFigure

    have = NationalFigure.objects.filter(dataset=dataset).count()
    rows = [
        NationalFigure(
            dataset=dataset,
            buyer_siret=f"9{number:013}",
            buyer_siren=f"9{number:013}"[:9],
            year=2021 + number % 6,
            contracts=10,
            social=number % 11,
            environmental=number % 7,
            tally={},
        )
        for number in range(have * (factor - 1))
    ]
    NationalFigure.objects.bulk_create(rows, batch_size=5000)
    return NationalFigure.objects.filter(dataset=dataset).count()


def queries() -> dict:
    """The page (comité) and the selector, on the dataset computed then with twice its figures."""
    from django.test import Client
    from django.urls import reverse

    from actions.models import Plan
    from bench import decp
    from national import selectors
    from national.models import NationalFigure

    decp.setup(buyer=BUYER)
    plan = Plan.objects.order_by("start_year", "pk").first()
    client = Client()
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="bench.comite"))
    dataset = selectors.latest_dataset()
    url = reverse("national:comparison", args=[plan.slug, 2025])
    sizes = []
    for factor in (1, 2):
        figures = NationalFigure.objects.filter(dataset=dataset).count() if factor == 1 else _grow(dataset, 2)
        page = _count(lambda: client.get(url))
        selector = _count(lambda: selectors.plan_comparison(plan, 2025))
        sizes.append({"figures": figures, "page": page, "selector": selector})
    return {"sizes": sizes, "status": client.get(url).status_code}


def print_report(result: dict | None, table) -> list[str]:
    """The tables; the targets missed, in French."""
    if not result:
        return []
    failures = []
    written, bare, computed = result["file"], result["scan"], result["compute"]
    print(
        f"\nComparaison nationale : calcul de tous les acheteurs d'un fichier DECP national "
        f"({written['contracts']} contrats, {written['bytes'] / 1e6:.0f} Mo), processus neuf chacun"
    )
    rows = [
        ["lecture seule (ijson, comptage)", f"{bare['seconds']:.1f}", f"{bare['cpu_s']:.1f}"],
        ["decp_national", f"{computed['seconds']:.1f}", f"{computed['cpu_s']:.1f}"],
    ]
    for row, run in zip(rows, (bare, computed), strict=True):
        row.append(f"{run['peak_rss_mb']:.0f}")
    print(table(rows, ["étape", "durée s", "CPU s", "mémoire max Mo"]))
    print(computed["summary"])
    ratio = computed["seconds"] / bare["seconds"]
    print(f"Calcul / lecture seule : {ratio:.2f} (objectif ≤ {SCAN_RATIO_LIMIT:.0f})")
    if ratio > SCAN_RATIO_LIMIT:
        failures.append(f"decp_national : {ratio:.2f} fois la lecture seule (> {SCAN_RATIO_LIMIT:.0f})")
    if computed["peak_rss_mb"] >= MEMORY_LIMIT_MB:
        failures.append(
            f"decp_national : mémoire maximale {computed['peak_rss_mb']:.0f} Mo ≥ {MEMORY_LIMIT_MB} Mo"
        )
    sizes = result["pages"]["sizes"]
    print("\nPage « Comparaison nationale » (comité, 2025) et son sélecteur")
    print(
        table(
            [[s["figures"], s["page"], s["selector"]] for s in sizes],
            ["chiffres", "req. page", "req. sélecteur"],
        )
    )
    for kind in ("page", "selector"):
        if len({s[kind] for s in sizes}) > 1:
            failures.append(
                f"comparaison nationale ({kind}) : le nombre de requêtes varie avec les acheteurs"
            )
    if result["pages"]["status"] != 200:
        failures.append(f"comparaison nationale : la page répond {result['pages']['status']}")
    return failures


if __name__ == "__main__":
    if sys.argv[1:2] == ["queries"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        import django

        django.setup()
        print(json.dumps(queries()))
