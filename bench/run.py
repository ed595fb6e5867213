"""The benchmark's steps that run inside Django, on the benchmark database (bench/settings.py).

`python -m bench.run build|pages|load ... --out FILE` writes its result as JSON; `python -m bench`
runs them in order and prints the tables.
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

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


def load(args) -> dict:
    from django.contrib.auth.models import User

    from bench.load import Gunicorn, PilotClient, run_load
    from indicators.models import IndicatorValue

    users = User.objects.filter(username__startswith="bench.charge").order_by("username")
    clients = []
    for number, user in enumerate(users, start=1):
        values = IndicatorValue.objects.filter(indicator__fiche__number=number, is_demo=True).order_by("pk")
        targets = [
            (pk, "value_number" if num is not None else "value_text" if text else "value_bool")
            for pk, num, text in values.values_list("pk", "value_number", "value_text")[:5]
        ]
        if not targets:
            raise RuntimeError(f"fiche {number} has no value to save")
        clients.append(
            PilotClient(
                port=0, username=user.username, password=data.PASSWORD, targets=targets, number=number
            )
        )
    history_before = IndicatorValue.history.count()
    server = Gunicorn(workers=2, log=Path(os.environ["BENCH_DIR"]) / "gunicorn.log")
    try:
        for client in clients:
            client.port = server.port
            client.__post_init__()
        result = run_load(clients=clients, seconds=args.seconds)
    finally:
        server.stop()
    # Every acknowledged save is in the database, with its history row.
    lost = []
    for client in clients:
        stored = {row["id"]: row for row in IndicatorValue.objects.filter(pk__in=client.acked).values()}
        lost += [
            (pk, field, value)
            for pk, (field, value) in client.acked.items()
            if pk not in stored or stored[pk][field] != value
        ]
    result["acknowledged_rows_checked"] = sum(len(client.acked) for client in clients)
    result["lost_writes"] = len(lost)
    result["lost_samples"] = lost[:5]
    result["history_rows_added"] = IndicatorValue.history.count() - history_before
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["build", "pages", "load"])
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = {"build": build, "pages": measure_pages, "load": load}[args.step](args)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
