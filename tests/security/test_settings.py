"""Security settings: the production settings refuse to start unsafely and pass Django's deployment
audit; every page carries the security headers; sessions expire; passwords must be strong."""

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

GOOD_KEY = "k3J9-pQ_" * 8
PROD_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_ENABLED",
]


def production_environ() -> dict[str, str]:
    """The test process's environment minus what tests set for themselves: the browser tests' fixture
    sets DJANGO_ALLOW_ASYNC_UNSAFE, which a real deployment never has (the audit warns about it)."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args, **env):
    environment = {**production_environ(), "DJANGO_SETTINGS_MODULE": "spaser.settings.prod", **env}
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if environment.get(name) is None:
            environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_the_deployment_audit():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="spaser.example.org",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SECRET_KEY": None, "ALLOWED_HOSTS": "spaser.example.org"}, "SECRET_KEY doit être défini"),
        (
            {"SECRET_KEY": "insecure-local-only-key-do-not-use-in-production-xx", "ALLOWED_HOSTS": "a.org"},
            "SECRET_KEY doit être défini",
        ),
        ({"SECRET_KEY": "court", "ALLOWED_HOSTS": "spaser.example.org"}, "SECRET_KEY doit être défini"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": None}, "ALLOWED_HOSTS doit lister"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS doit lister"),
    ],
)
def test_production_refuses_to_start_without_a_real_key_and_hosts(env, message):
    result = manage("check", **env)
    assert result.returncode != 0 and message in result.stderr


def test_production_values():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {PROD_SETTINGS!r}}}))"
    )
    environment = {
        **production_environ(),
        "DJANGO_SETTINGS_MODULE": "spaser.settings.prod",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "spaser.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False and values["AXES_ENABLED"] is True
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_AGE"] <= 8 * 3600 and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, committee_user, spaser54):
    client.force_login(committee_user)
    for url in (reverse("login"), reverse("indicators:plan_detail", args=[spaser54.slug])):
        response = client.get(url)
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
        assert (
            "unsafe-inline" not in policy["style-src"] and "http" not in response["Content-Security-Policy"]
        )
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_a_session_ends_at_its_expiry(client, committee_user, spaser54, settings):
    """Sessions are read from the cache first (cached_db): the cached copy expires with the stored one."""
    settings.SESSION_COOKIE_AGE = 1
    client.force_login(committee_user)
    url = reverse("indicators:plan_detail", args=[spaser54.slug])
    assert client.get(url).status_code == 200
    assert Session.objects.get().expire_date <= timezone.now() + timedelta(seconds=1)
    time.sleep(1.5)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("spaser54", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("password1234", "Ce mot de passe est trop courant."),
        ("123456789012", "Ce mot de passe est entièrement numérique."),
        ("1q2w3e4r5t6y", "Ce mot de passe est trop courant."),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        validate_password(password)


def test_a_strong_password_is_accepted():
    validate_password("Saisie-annuelle-des-indicateurs-2025")
