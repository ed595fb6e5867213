"""Login throttling (django-axes): a username is locked from one address after repeated failures,
without locking that user elsewhere nor the other users behind the same reverse proxy."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from spaser.security import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


def attempt(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def fail_until_locked(client, username, **meta):
    """Five wrong passwords, then the right one: the answer to the right one."""
    for _ in range(4):
        response = attempt(client, username, "mauvais-mot-de-passe", **meta)
        assert response.status_code == 200  # the form again, with its error
    assert attempt(client, username, "mauvais-mot-de-passe", **meta).status_code == 429  # the 5th locks
    return attempt(client, username, PASSWORD, **meta)


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_five_failures_lock_the_username_from_that_address_only(client, pilot5, pilot11):
    locked = fail_until_locked(client, "pilote5", REMOTE_ADDR="192.0.2.10")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Connexion temporairement bloquée" in page and "Trop de tentatives" in page
    assert "_auth_user_id" not in client.session

    # The same person from another address, and another user from this address, still get in.
    assert attempt(client, "pilote5", PASSWORD, REMOTE_ADDR="192.0.2.11").status_code == 302
    client.logout()
    assert attempt(client, "pilote11", PASSWORD, REMOTE_ADDR="192.0.2.10").status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)
def test_a_success_resets_the_count(client, pilot5):
    for _ in range(4):
        attempt(client, "pilote5", "mauvais", REMOTE_ADDR="192.0.2.20")
    assert attempt(client, "pilote5", PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "pilote5", "mauvais", REMOTE_ADDR="192.0.2.20")
    assert attempt(client, "pilote5", PASSWORD, REMOTE_ADDR="192.0.2.20").status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXIES=[PROXY])
def test_behind_the_reverse_proxy_each_client_is_told_apart(client, pilot5):
    via_proxy = {"REMOTE_ADDR": PROXY}
    assert (
        fail_until_locked(client, "pilote5", HTTP_X_FORWARDED_FOR="203.0.113.5", **via_proxy).status_code
        == 429
    )
    # Another agent behind the same proxy is not locked out.
    assert (
        attempt(client, "pilote5", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **via_proxy).status_code
        == 302
    )
    client.logout()
    # The locked client cannot escape by writing its own X-Forwarded-For: the proxy appends the real one.
    spoofed = attempt(
        client, "pilote5", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99, 203.0.113.5", **via_proxy
    )
    assert spoofed.status_code == 429


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5, TRUSTED_PROXIES=[PROXY])
def test_a_forwarded_header_from_anyone_but_the_proxy_is_ignored(client, pilot5):
    direct = {"REMOTE_ADDR": "198.51.100.9"}
    assert (
        fail_until_locked(client, "pilote5", HTTP_X_FORWARDED_FOR="203.0.113.1", **direct).status_code == 429
    )
    # Changing the header does not give a new address: the lock is on the connection's address.
    assert (
        attempt(client, "pilote5", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.2", **direct).status_code == 429
    )


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        ([], "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # no proxy configured: header ignored
        ([PROXY], "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # not from the proxy: header ignored
        ([PROXY], PROXY, "203.0.113.5", "203.0.113.5"),
        ([PROXY], PROXY, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # left part written by the client
        ([PROXY, "10.0.0.2"], PROXY, "203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two proxies
        ([PROXY], PROXY, "", PROXY),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
