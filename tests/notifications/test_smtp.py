"""One real SMTP conversation: the returned-year e-mail handed to an SMTP server process (aiosmtpd)
listening on the loopback, and read back from the mailbox it writes."""

import mailbox
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default

import pytest

from indicators.services import workflow
from notifications.enums import DeliveryState
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(tmp_path, closed_port):
    """`python -m aiosmtpd` on a free loopback port, storing what it receives in a Maildir.

    A process of its own, isolated (-I) and run outside the project's folder: aiosmtpd imports the
    `public` module of atpublic, which the project's own `public` app would shadow.
    """
    maildir = tmp_path / "maildir"
    server = subprocess.Popen(
        [
            sys.executable,
            "-I",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{closed_port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", closed_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("Le serveur SMTP de test (aiosmtpd) n'a pas démarré.")
                time.sleep(0.1)
        yield closed_port, maildir
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_returned_year_email_through_a_real_smtp_server(
    submitted, scp_user, settings, smtp_server, django_capture_on_commit_callbacks
):
    port, maildir = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment="Sources à citer.")
    box = mailbox.Maildir(maildir, create=False)
    messages = {}
    for key in box.keys():
        message = message_from_bytes(box.get_bytes(key), policy=default)
        messages[message["To"]] = message
    assert set(messages) == {"pilote11@example.org", "pilote11b@example.org"}
    message = messages["pilote11@example.org"]
    assert message["Subject"].strip() == "[SPASER] Bilan 2025 de la fiche 11 renvoyé pour correction"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Sources à citer." in text and "Sources à citer." in html and html.lstrip().startswith("<!doctype")
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith("<https://spaser.example.org/notifications/preference/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Delivery.objects.filter(email__startswith="pilote11").values_list("state", flat=True)) == {
        DeliveryState.DELIVERED
    }
