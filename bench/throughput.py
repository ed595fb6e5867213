"""Throughput: requests per second of pages on gunicorn (2 workers), beside the login page, same run:
the pilot's fiche page, and the public site's plan and fiche pages read without an account.

The login page does almost nothing (a form, a CSRF token): it is the yardstick of what this machine,
gunicorn and Django serve at best, so the ratio of another page to it says how much the page itself
costs, whatever the machine. wrk (Debian package) drives the load from a second process on
loopback; without it, a threaded Python client does the same, less precisely (it competes with the
server for the cores).
"""

import http.client
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from pathlib import Path

from django.urls import reverse

from bench.load import Gunicorn, PilotClient
from bench.pages import percentile

CONNECTIONS = 8
TARGET_RATIO = 1 / 3
# The login and fiche pages are measured in alternating rounds, and the ratio is the median of the
# rounds' ratios: a burst of load from elsewhere on the machine then weighs on both pages of a round
# alike, instead of on whichever page happened to be measured during it (one 15 s run of each gave
# ratios from 0.21 to 0.43 for the same code).
ROUNDS = 3
# The public site's plan and fiche pages, read without an account (cached per state of the data).
PUBLIC_TARGET_RPS = 300


def _wrk(port: int, path: str, cookie: str, seconds: float) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    total = int(re.search(r"(\d+) requests in", output)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = {
        pct: _ms(value) for pct, value in re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", output, re.MULTILINE)
    }
    return {
        "tool": "wrk",
        "requests": total,
        "requests_per_s": rate,
        "errors": int(bad[1]) if bad else 0,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
    }


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _python_client(port: int, path: str, cookie: str, seconds: float) -> dict:
    latencies, errors = [], []
    deadline = time.monotonic() + seconds

    def hammer():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            start = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            latencies.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                errors.append(response.status)

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "tool": "python",
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "errors": len(errors),
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
    }


def _combined(runs: list[dict]) -> dict:
    """Rounds of one page as one measurement: requests and errors summed, the rest the rounds' median."""
    return {
        "tool": runs[0]["tool"],
        "requests": sum(r["requests"] for r in runs),
        "requests_per_s": statistics.median(r["requests_per_s"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] or 0 for r in runs),
        "p99_ms": max(r["p99_ms"] or 0 for r in runs),
    }


def measure_throughput(*, seconds: float) -> dict:
    """The login page (anonymous) and the fiche page (its pilot, logged in), each for `seconds` in
    ROUNDS alternating rounds; then each public page for `seconds`."""
    from actions.models import Plan
    from bench import data

    plan = Plan.objects.order_by("start_year", "pk").first()  # the seeded plan (a next one may follow)
    fiche_path = reverse("indicators:fiche_detail", args=[plan.slug, 11])
    login_path = reverse("login")
    public_paths = {
        "public_plan": reverse("public:plan", args=[plan.slug]),
        "public_fiche": reverse("public:fiche", args=[plan.slug, 11]),
    }
    measure = _wrk if shutil.which("wrk") else _python_client
    # No access log in the measured server: writing it costs per request, the same for both pages.
    log = Path(os.environ["BENCH_DIR"]) / "gunicorn-throughput.log"
    server = Gunicorn(workers=2, log=log, access_log=False)
    try:
        pilot = PilotClient(
            port=server.port,
            username="bench.pilote",
            password=data.PASSWORD,
            entry_url="",
            indicator=0,
            value_type="count",
            number=0,
        )
        pilot.login()
        cookie = "; ".join(f"{k}={v}" for k, v in pilot.cookies.items())
        pages = [(login_path, ""), (fiche_path, cookie), *((path, "") for path in public_paths.values())]
        for path, page_cookie in pages:  # warm every worker's caches
            measure(server.port, path, page_cookie, 1)
        rounds = [
            (
                measure(server.port, login_path, "", seconds / ROUNDS),
                measure(server.port, fiche_path, cookie, seconds / ROUNDS),
            )
            for _ in range(ROUNDS)
        ]
        login, fiche = _combined([r[0] for r in rounds]), _combined([r[1] for r in rounds])
        public = {
            key: {"path": path, **measure(server.port, path, "", seconds)}
            for key, path in public_paths.items()
        }
    finally:
        server.stop()
    return {
        "seconds": seconds,
        "workers": 2,
        "connections": CONNECTIONS,
        "login": {"path": login_path, **login},
        "fiche": {"path": fiche_path, **fiche},
        **public,
        "ratio": statistics.median(f["requests_per_s"] / lg["requests_per_s"] for lg, f in rounds),
        "round_ratios": [round(f["requests_per_s"] / lg["requests_per_s"], 3) for lg, f in rounds],
        "target_ratio": TARGET_RATIO,
        "public_target_rps": PUBLIC_TARGET_RPS,
    }
