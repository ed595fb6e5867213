"""Load test: pilots saving values against gunicorn (2 workers) on loopback, for a bounded time.

Every simulated pilot has its own session (it logs in through the login form) and saves values of
its own fiche only, so that no save is legitimately refused as a concurrent edit. Every save the
server acknowledges (a redirect after the POST) is remembered; at the end each one is looked up in
the database, with the history row that must come with it.
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from bench.pages import percentile
from tests.utils import form_data

REQUEST_TIMEOUT = 30
MAX_SAVES_PER_CLIENT = 100_000  # a bound besides the time limit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving the benchmark database, started and stopped by this process only."""

    def __init__(self, *, workers: int = 2, log: Path, access_log: bool = True):
        self.port = free_port()
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        command = [sys.executable, "-m", "gunicorn", "spaser.wsgi", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**os.environ, "GUNICORN_ACCESSLOG": "-" if access_log else ""},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/connexion/")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start, see {log}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@dataclass
class PilotClient:
    """One simulated pilot: its own connection and cookies, its own fiche's entry page to save."""

    port: int
    username: str
    password: str
    entry_url: str  # the pilot's entry page for its fiche and the open campaign's year
    indicator: int  # the indicator whose value it changes at every save
    value_type: str  # "count", "percentage" or "text"
    number: int
    cookies: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    save_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: object = None  # the last value the server acknowledged
    acked_values: list = field(default_factory=list)  # every value it acknowledged
    acked_count: int = 0
    logged_in: bool = False

    def __post_init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        self.latencies.append((time.perf_counter() - start) * 1000)
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, dict(response.getheaders()), content

    def login(self) -> None:
        status, _, page = self.request("GET", "/connexion/")
        data = form_data(page)
        data.update(username=[self.username], password=[self.password])
        status, headers, _ = self.request("POST", "/connexion/", data)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username}: login answered {status}")

    def value(self, sequence: int) -> tuple[str, object]:
        """A value never saved before by this pilot: what it types, and what the database must hold."""
        serial = self.number * 1_000_000 + sequence
        if self.value_type == "count":
            return str(serial), Decimal(serial)
        if self.value_type == "percentage":
            return str(sequence % 101), Decimal(sequence % 101)
        return f"Valeur {serial}", f"Valeur {serial}"

    def save_once(self, sequence: int) -> None:
        """Open the entry page, change the value, save (as a draft): acknowledged by the redirect."""
        start = time.perf_counter()
        status, _, page = self.request("GET", self.entry_url)
        if status != 200:
            self.errors.append(f"GET {self.entry_url}: {status}")
            return
        data = form_data(page, form_id="saisie")
        typed, stored = self.value(sequence)
        data[f"value_{self.indicator}"] = [typed]
        status, headers, page = self.request("POST", self.entry_url, data)
        if status == 302 and headers.get("Location", "").endswith(self.entry_url):
            self.acked = stored
            self.acked_values.append(stored)
            self.acked_count += 1
            self.save_latencies.append((time.perf_counter() - start) * 1000)
        else:
            self.errors.append(f"POST {self.entry_url}: {status}")

    def log_in(self) -> None:
        try:
            self.login()
            self.logged_in = True
        except Exception as exc:  # noqa: BLE001 (every failure is an error of the run, reported)
            self.errors.append(f"login: {exc!r}")

    def run(self, deadline: float) -> None:
        if not self.logged_in:
            return
        self.latencies.clear()  # the window measures saves only (logins hash passwords on purpose)
        for sequence in range(MAX_SAVES_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            try:
                self.save_once(sequence)
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{exc!r}")


def _in_threads(function, clients: list[PilotClient], *args, timeout: float) -> int:
    threads = [
        threading.Thread(target=getattr(client, function), args=args, daemon=True) for client in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return sum(thread.is_alive() for thread in threads)


def run_load(*, clients: list[PilotClient], seconds: float) -> dict:
    """All pilots log in (not timed), then save values for `seconds`; each stops by itself then."""
    login_start = time.monotonic()
    _in_threads("log_in", clients, timeout=120)
    login_seconds = time.monotonic() - login_start
    start = time.monotonic()
    still_running = _in_threads("run", clients, start + seconds, timeout=seconds + 2 * REQUEST_TIMEOUT + 30)
    elapsed = time.monotonic() - start
    latencies = [ms for client in clients for ms in client.latencies]
    saves = [ms for client in clients for ms in client.save_latencies]
    errors = [error for client in clients for error in client.errors]
    acked = sum(client.acked_count for client in clients)
    return {
        "clients": len(clients),
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "saves": acked,
        "saves_per_s": acked / elapsed,
        "p95_request_ms": percentile(latencies, 0.95) if latencies else None,
        "p95_save_ms": percentile(saves, 0.95) if saves else None,
        "median_save_ms": percentile(saves, 0.5) if saves else None,
        "errors": len(errors),
        "error_samples": errors[:5],
        "still_running": still_running,
        "login_seconds": round(login_seconds, 1),
    }
