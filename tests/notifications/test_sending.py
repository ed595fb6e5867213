"""The workflow's notifications: who gets which e-mail, once, and every sending recorded."""

import datetime

import pytest
from django.core import mail

from indicators.enums import CampaignStatus
from indicators.services import campaigns, workflow
from notifications.enums import DeliveryState, Mode, NotificationKind, NotificationState
from notifications.models import Delivery, Notification
from notifications.services import preferences_set
from notifications.tasks import notifications_send

pytestmark = pytest.mark.django_db

COMMENT = "Indicateur 11-R1 : précisez le nombre de réunions & la source."


def html_of(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def test_the_pilots_receive_the_returned_year_with_scps_comment_within_one_job_run(
    submitted, scp_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment=COMMENT)
    assert mail.outbox == []  # nothing leaves before the return commits
    for callback in callbacks:  # the commit: the sending task is queued, and runs (eagerly here)
        callback()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"pilote11@example.org", "pilote11b@example.org"}
    message = by_address["pilote11@example.org"]
    assert message.subject == "[SPASER] Bilan 2025 de la fiche 11 renvoyé pour correction"
    assert COMMENT in message.body and "Bonjour" in message.body
    assert "précisez le nombre de réunions &amp; la source." in html_of(message)  # escaped in HTML
    entry = f"https://spaser.example.org/plans/{submitted.plan.slug}/fiches/11/saisie/2025/"
    assert entry in message.body and f'href="{entry}"' in html_of(message)
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://spaser.example.org/notifications/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    deliveries = Delivery.objects.filter(notification__kind=NotificationKind.YEAR_RETURNED)
    assert sorted(deliveries.values_list("email", "state")) == [
        ("pilote11@example.org", DeliveryState.DELIVERED),
        ("pilote11b@example.org", DeliveryState.DELIVERED),
    ]
    assert set(
        Notification.objects.filter(kind=NotificationKind.YEAR_RETURNED).values_list("state", flat=True)
    ) == {NotificationState.SENT}


def test_a_submitted_year_goes_to_scp_and_not_to_the_pilot_who_submitted(
    fiche11, campaign2025, pilot11, pilot11b, scp_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    assert [m.to for m in mail.outbox] == [["scp@example.org"]]
    assert mail.outbox[0].subject == "[SPASER] Bilan 2025 de la fiche 11 soumis"
    assert Notification.objects.get().recipient == scp_user


def test_validated_and_reopened_years_reach_the_pilots(
    submitted, scp_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_validate(fiche=submitted, year=2025, user=scp_user)
        workflow.fiche_year_reopen(fiche=submitted, year=2025, user=scp_user, comment="Une valeur manque.")
    subjects = sorted({m.subject for m in mail.outbox})
    assert subjects == [
        "[SPASER] Bilan 2025 de la fiche 11 rouvert",
        "[SPASER] Bilan 2025 de la fiche 11 validé",
    ]
    reopened = next(m for m in mail.outbox if "rouvert" in m.subject)
    assert "Une valeur manque." in reopened.body


def test_a_campaign_opening_reaches_the_plans_pilots_once(
    spaser54, pilot11, pilot5, scp_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_open(plan=spaser54, year=2025, deadline=datetime.date(2027, 1, 31), user=scp_user)
    assert sorted(m.to[0] for m in mail.outbox) == ["pilote11@example.org", "pilote5@example.org"]
    assert "ouverte jusqu'au 31/01/2027" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # only the deadline moves: nobody is told
        campaigns.campaign_open(plan=spaser54, year=2025, deadline=datetime.date(2027, 2, 28), user=scp_user)
    assert mail.outbox == []


def test_an_opted_out_person_receives_nothing(
    submitted, pilot11b, scp_user, django_capture_on_commit_callbacks
):
    preferences_set(user=pilot11b, modes={NotificationKind.YEAR_RETURNED: Mode.NONE})
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment=COMMENT)
    assert [m.to[0] for m in mail.outbox] == ["pilote11@example.org"]
    skipped = Notification.objects.get(recipient=pilot11b)
    assert skipped.state == NotificationState.SKIPPED and "ne souhaite pas" in skipped.reason
    assert not Delivery.objects.filter(recipient=pilot11b).exists()


def test_a_deactivated_account_receives_nothing_even_from_earlier_events(
    submitted, pilot11, pilot11b, scp_user, django_capture_on_commit_callbacks
):
    pilot11b.is_active = False
    pilot11b.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment=COMMENT)
    pilot11.is_active = False  # deactivated after the event, before its e-mail went
    pilot11.save()
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    reasons = set(
        Notification.objects.filter(kind=NotificationKind.YEAR_RETURNED).values_list("reason", flat=True)
    )
    assert reasons == {"Compte désactivé."}


def test_a_retried_task_does_not_send_twice(submitted, scp_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment=COMMENT)
    ids = list(Notification.objects.values_list("pk", flat=True))
    notifications_send(ids)  # the queue delivers the task again
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(notification__kind=NotificationKind.YEAR_RETURNED).count() == 2


def test_a_failing_mail_server_is_recorded_and_never_raised_to_scp(
    submitted, scp_user, settings, closed_port, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with django_capture_on_commit_callbacks(execute=True):
        review = workflow.fiche_year_return(fiche=submitted, year=2025, user=scp_user, comment=COMMENT)
    assert review.return_comment == COMMENT
    failed = Delivery.objects.filter(notification__kind=NotificationKind.YEAR_RETURNED)
    assert failed.count() == 2
    assert {d.state for d in failed} == {DeliveryState.FAILED}
    assert all("ConnectionRefusedError" in d.error for d in failed)
    notification = Notification.objects.filter(kind=NotificationKind.YEAR_RETURNED).first()
    assert notification.state == NotificationState.FAILED and "ConnectionRefusedError" in notification.reason


def test_a_campaign_opened_again_from_the_admin_reaches_the_pilots(
    campaign2025, pilot11, scp_user, django_capture_on_commit_callbacks
):
    campaigns.campaign_close(campaign=campaign2025, user=scp_user)
    campaign2025.status = CampaignStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_save(campaign=campaign2025, user=scp_user, seen_version=None)
    assert [m.to[0] for m in mail.outbox] == ["pilote11@example.org"]
    assert mail.outbox[0].subject == "[SPASER] Campagne 2025 ouverte : bilan à soumettre avant le 31/01/2027"
