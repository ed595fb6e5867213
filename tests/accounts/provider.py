"""Starts the tests' OpenID Connect provider (tests/accounts/oidc_provider) in a process of its own on
the loopback: a free port, its own SQLite file, an RS256 key generated now with cryptography."""

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

CLIENT_ID = "pilotage-spaser"
CLIENT_SECRET = "secret-du-client-de-test"
PASSWORD = "mot-de-passe-du-fournisseur"
# The provider's people: (username, e-mail). "non-verifie…": the provider says the e-mail is not verified.
PEOPLE = {
    "agent": "agent.sso@example.org",
    "nouvel-agent": "nouvel.agent@example.org",
    "non-verifie": "pilote.non.verifie@example.org",
    "pilote-sso": "pilote.sso@example.org",
}


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    log: object = None
    people: dict = field(default_factory=lambda: dict(PEOPLE))

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key_file(folder: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / "provider-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def provider_start(*, folder: Path, app_url: str) -> Provider:
    """Migrate, seed (people, the application's client) and serve the provider; wait until it answers."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    seed = {
        "people": [
            {"username": name, "email": email, "password": PASSWORD, "first_name": "Agent", "last_name": name}
            for name, email in PEOPLE.items()
        ],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{app_url}/connexion/sso/retour/",
        "post_logout_redirect_uri": f"{app_url}/connexion/",
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.oidc_provider.settings",
        "PROVIDER_DB": str(folder / "provider.sqlite3"),
        "PROVIDER_KEY_FILE": str(_key_file(folder)),
        "PROVIDER_ISSUER": f"{url}/o",
        "PROVIDER_SEED": json.dumps(seed),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    run = {"env": env, "cwd": settings.BASE_DIR, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], **run)
    subprocess.run([sys.executable, "-m", "tests.accounts.oidc_provider.seed"], **run)
    log = open(folder / "provider.log", "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = Provider(url=url, process=process, log=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).ok:
                return provider
        except requests.ConnectionError:
            time.sleep(0.2)
    provider_stop(provider)
    raise RuntimeError(
        f"the test OpenID Connect provider did not start: {(folder / 'provider.log').read_text()}"
    )


def provider_stop(provider: Provider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)
    provider.log.close()
