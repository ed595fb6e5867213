"""Fiche 11's 2025 year submitted by its pilot: SCP decides on it, its pilots hear of it."""

import socket

import pytest

from indicators.services import workflow


@pytest.fixture
def submitted(fiche11, campaign2025, pilot11, pilot11b, scp_user, django_capture_on_commit_callbacks):
    """Fiche 11's 2025 year, submitted by `pilot11` (SCP has its e-mail; the outbox is emptied)."""
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    mail.outbox.clear()
    return fiche11


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def site_address(settings):
    """The e-mails' links name the site's public address."""
    settings.NOTIFICATIONS_SITE_URL = "https://spaser.example.org"
