"""Daily digests: one e-mail per person grouping the day's events, sent once however often it runs."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from indicators.services import workflow
from notifications.enums import DeliveryState, Mode, NotificationKind, NotificationState
from notifications.models import Delivery, Digest, Notification
from notifications.sending import digest_send
from notifications.services import notify, preferences_set

pytestmark = pytest.mark.django_db

YEAR_KINDS = (NotificationKind.YEAR_RETURNED, NotificationKind.YEAR_VALIDATED, NotificationKind.YEAR_REOPENED)


def test_a_digest_groups_a_days_events_into_one_email_sent_once(
    submitted, pilot11, pilot11b, scp_user, django_capture_on_commit_callbacks
):
    preferences_set(user=pilot11, modes=dict.fromkeys(YEAR_KINDS, Mode.DIGEST))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment="Source manquante.")
        workflow.fiche_year_submit(fiche=submitted, year=2025, user=pilot11b)
        # The return opened a thread with the comment, still open: SCP confirms (discussions).
        workflow.fiche_year_validate(fiche=submitted, year=2025, user=scp_user, confirm=True)
    # pilot11b (at once) had the return and the validation; pilot11 waits for the digest.
    assert (
        sorted(m.to[0] for m in mail.outbox if m.to[0] != "scp@example.org") == ["pilote11b@example.org"] * 2
    )
    mail.outbox.clear()
    today = timezone.localdate()
    assert digest_send(day=today) == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["pilote11@example.org"]
    assert digest.subject == f"[SPASER] Résumé du {today:%d/%m/%Y} : 2 notifications"
    assert "renvoyé pour correction" in digest.body and "Source manquante." in digest.body
    assert "validé" in digest.body
    html = next(content for content, mimetype in digest.alternatives if mimetype == "text/html")
    assert "Source manquante." in html and "<h2" in html
    assert "List-Unsubscribe" in digest.extra_headers
    assert digest_send(day=today) == 0  # run again: nothing sent twice
    assert len(mail.outbox) == 1
    assert Digest.objects.get().notifications.count() == 2
    assert Delivery.objects.get(digest__isnull=False).state == DeliveryState.DELIVERED


def test_the_digest_command_sends_yesterdays_by_default_and_refuses_a_bad_date(pilot11, spaser54):
    preferences_set(user=pilot11, modes={NotificationKind.CAMPAIGN_OPENED: Mode.DIGEST})
    notify(
        kind=NotificationKind.CAMPAIGN_OPENED,
        recipients=[pilot11],
        context={"year": 2025, "plan_title": "SPASER 54", "deadline": datetime.date(2027, 1, 31)},
        link="https://spaser.example.org/mes-fiches/",
        plan_id=spaser54.pk,
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Notification.objects.update(day=yesterday)
    out = StringIO()
    call_command("send_digests", stdout=out)
    assert "1 résumé(s) envoyé(s)" in out.getvalue()
    assert mail.outbox[0].subject == f"[SPASER] Résumé du {yesterday:%d/%m/%Y} : 1 notification"
    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_digests", "--day", "31/01/2027")


def test_a_digest_leaves_out_what_the_person_no_longer_wants(pilot11, spaser54):
    preferences_set(user=pilot11, modes={NotificationKind.CAMPAIGN_OPENED: Mode.DIGEST})
    notify(
        kind=NotificationKind.CAMPAIGN_OPENED,
        recipients=[pilot11],
        context={"year": 2025, "plan_title": "SPASER 54", "deadline": datetime.date(2027, 1, 31)},
        link="https://spaser.example.org/mes-fiches/",
        plan_id=spaser54.pk,
    )
    preferences_set(user=pilot11, modes={NotificationKind.CAMPAIGN_OPENED: Mode.NONE})
    assert digest_send(day=timezone.localdate()) == 0
    assert mail.outbox == []
    assert Notification.objects.get().state == NotificationState.SKIPPED
