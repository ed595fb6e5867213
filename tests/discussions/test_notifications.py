"""A message tells the other side (notifications app, each person's preference): a pilot's message goes
to SCP and the fiche's other pilots, SCP's to the fiche's pilots; never to its author."""

import pytest
from django.core import mail

from discussions.services import message_post, thread_open
from notifications.enums import Mode, NotificationKind, NotificationState
from notifications.models import Notification
from notifications.services import kinds_for, preferences_set

pytestmark = pytest.mark.django_db

SITE = "https://spaser.example.org"


@pytest.fixture(autouse=True)
def site_address(settings):
    settings.NOTIFICATIONS_SITE_URL = SITE


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_a_pilots_message_reaches_scp_and_the_other_pilots_not_its_author(
    fiche11, pilot11, pilot11b, pilot5, scp_user, committee_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_open(
            fiche=fiche11,
            year=2025,
            user=pilot11,
            subject="Source des réunions",
            body="Le chiffre vient du <b>registre</b> & des comptes rendus : https://example.org/cr",
            indicator=fiche11.indicators.get(code="11-R1"),
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"scp@example.org", "pilote11b@example.org"}
    message = by_address["scp@example.org"]
    assert message.subject.startswith("[SPASER] Fiche 11, 2025 : message de ")
    assert message.subject.endswith("– Source des réunions")
    assert "du <b>registre</b> & des comptes rendus" in message.body  # plain text as written
    assert "du &lt;b&gt;registre&lt;/b&gt; &amp; des comptes rendus" in html_of(message)  # escaped in HTML
    link = f"{SITE}/plans/{fiche11.plan.slug}/fiches/11/echanges/2025/#fil-{thread.pk}"
    assert link in message.body and f'href="{link}"' in html_of(message)
    assert "(indicateur 11-R1)" in message.body
    notifications = Notification.objects.filter(kind=NotificationKind.THREAD_MESSAGE)
    assert {(n.recipient, n.fiche_id, n.year) for n in notifications} == {
        (scp_user, fiche11.pk, 2025),
        (pilot11b, fiche11.pk, 2025),
    }


def test_scps_message_reaches_the_fiches_pilots_with_their_preferences(
    fiche11, pilot11, pilot11b, scp_user, django_capture_on_commit_callbacks
):
    thread = thread_open(fiche=fiche11, year=2025, user=pilot11, subject="Question", body="Une question.")
    mail.outbox.clear()
    Notification.objects.all().delete()  # the opening's notifications: not this test's subject
    preferences_set(user=pilot11b, modes={NotificationKind.THREAD_MESSAGE: Mode.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        message_post(thread=thread, user=scp_user, body="Voici la réponse.")
    assert [m.to for m in mail.outbox] == [["pilote11@example.org"]]  # pilote11b waits for the digest
    waiting = Notification.objects.get(recipient=pilot11b, kind=NotificationKind.THREAD_MESSAGE)
    assert (waiting.mode, waiting.state) == (Mode.DIGEST, NotificationState.PENDING)
    assert "Voici la réponse." in waiting.body_text
    assert not Notification.objects.filter(recipient=scp_user, kind=NotificationKind.THREAD_MESSAGE).exists()


def test_the_message_kind_is_offered_to_pilots_and_scp_in_their_preferences(
    pilot11, scp_user, committee_user
):
    assert NotificationKind.THREAD_MESSAGE in kinds_for(pilot11)
    assert NotificationKind.THREAD_MESSAGE in kinds_for(scp_user)
    assert kinds_for(committee_user) == []
    assert NotificationKind.THREAD_MESSAGE.label == "Nouveau message dans un échange sur une fiche"
