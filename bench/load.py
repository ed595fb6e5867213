"""Load test: pilots saving values against gunicorn (2 workers) on loopback, for a bounded time.

Every simulated pilot has its own session (it logs in through the login form) and saves values of
its own fiche only, so that no save is legitimately refused as a concurrent edit. Every save the
server acknowledges (a redirect after the POST) is remembered, value and comment; at the end each
one is looked up in the database, with the history row that must come with it. A save the server
refuses is an error of the run, kept with the French messages of the page shown again.
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
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

from bench.pages import percentile
from tests.utils import form_data

REQUEST_TIMEOUT = 30
MAX_SAVES_PER_CLIENT = 100_000  # a bound besides the time limit
MAX_ERROR_LENGTH = 400  # of an error sample, messages of the refused page included


class _PageMessages(HTMLParser):
    """The French messages of an entry page shown again instead of saving: its error summary (each
    field's errors, named by indicator), its conflict (the fields someone else saved) and a refusal."""

    CAPTURED = {"error-summary": ("p", "li"), "conflict": ("h2", "legend")}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.messages: list[str] = []
        self._block: tuple[str, str] | None = None  # (tag, class) of the error block we are in
        self._nesting = 0  # open tags of the block's name, itself included
        self._capture: str | None = None  # the tag whose text is being collected
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._block is None:
            block = next((name for name in self.CAPTURED if name in classes), None)
            if block:
                self._block, self._nesting = (tag, block), 1
                return
        elif tag == self._block[0]:
            self._nesting += 1
        if self._capture is None and (
            (self._block and tag in self.CAPTURED[self._block[1]]) or (tag == "p" and "message" in classes)
        ):
            self._capture, self._text = tag, []

    def handle_data(self, data):
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._capture:
            text = " ".join("".join(self._text).split())
            if text:
                self.messages.append(text)
            self._capture = None
        if self._block and tag == self._block[0]:
            self._nesting -= 1
            if self._nesting == 0:
                self._block = None


def page_messages(html: str) -> list[str]:
    """What the entry page says when it refuses a save (empty when it says nothing of the kind)."""
    parser = _PageMessages()
    parser.feed(html)
    return parser.messages


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
    # The figure the contracts register computes for the indicator and year, when SCP declared it
    # computed from the register (None: typed like any other indicator).
    register_value: Decimal | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    save_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: tuple | None = None  # the last (value, comment) the server acknowledged
    acked_values: list[tuple] = field(default_factory=list)  # every (value, comment) it acknowledged
    acked_count: int = 0
    taken_count: int = 0  # saves that took the register's figure
    typed_with_comment_count: int = 0  # saves of its own value, with the comment the register asks for
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
        """Open the entry page, change the value, save (as a draft): acknowledged by the redirect.

        The comment is left as the page shows it, except on an indicator computed from the register,
        where the pilot does what the page asks, in turn: take the computed figure (tick the box,
        empty its own value and the comment that explained it), or type its own value with a
        comment saying where it comes from. Turn by turn, every save changes the stored value.
        """
        start = time.perf_counter()
        status, _, page = self.request("GET", self.entry_url)
        if status != 200:
            self.errors.append(f"GET {self.entry_url}: {status}")
            return
        data = form_data(page, form_id="saisie")
        typed, stored = self.value(sequence)
        comment = (data.get(f"comment_{self.indicator}") or [""])[0]
        takes = False
        if self.register_value is not None:
            if f'name="use_register_{self.indicator}"' not in page:
                self.errors.append(
                    f"GET {self.entry_url}: pas de case « Reprendre la valeur calculée depuis le registre »"
                )
                return
            takes = self.acked is not None and self.acked[0] != self.register_value
            if takes:
                data[f"use_register_{self.indicator}"] = ["on"]
                typed, stored, comment = "", self.register_value, ""
            else:
                comment = f"Décompte du service achats, relevé {typed}"
        data[f"value_{self.indicator}"] = [typed]
        data[f"comment_{self.indicator}"] = [comment]
        status, headers, page = self.request("POST", self.entry_url, data)
        if status == 302 and headers.get("Location", "").endswith(self.entry_url):
            self.acked = (stored, comment.strip())  # the form strips the comment
            self.acked_values.append(self.acked)
            self.acked_count += 1
            if takes:
                self.taken_count += 1
            elif self.register_value is not None:
                self.typed_with_comment_count += 1
            self.save_latencies.append((time.perf_counter() - start) * 1000)
        else:
            said = " ; ".join(page_messages(page)) or "aucun message d'erreur sur la page"
            self.errors.append(f"POST {self.entry_url}: {status} – {said}"[:MAX_ERROR_LENGTH])

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
    # One sample per pilot in error first: one pilot failing at every save does not hide the others.
    firsts = [client.errors[0] for client in clients if client.errors]
    samples = firsts + [error for error in errors if error not in firsts]
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
        "error_samples": samples[:5],
        "pilots_saved": sum(client.acked_count > 0 for client in clients),
        "pilots_without_save": [client.username for client in clients if client.acked_count == 0],
        "still_running": still_running,
        "login_seconds": round(login_seconds, 1),
    }
