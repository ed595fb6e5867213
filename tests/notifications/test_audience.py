"""Who is never e-mailed: pilots about a plan in preparation; deadline reminders go once a day."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from notifications.enums import NotificationKind, NotificationState
from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_to_pilots_about_a_plan_in_preparation(
    next_plan, pilot11, scp_user, django_capture_on_commit_callbacks
):
    assert next_plan.is_in_preparation
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind=NotificationKind.CAMPAIGN_OPENED,
            recipients=[pilot11],
            context={
                "year": 2027,
                "plan_title": "SPASER 54 2027-2032",
                "deadline": datetime.date(2028, 1, 31),
            },
            link="https://spaser.example.org/mes-fiches/",
            plan_id=next_plan.pk,
        )
        notify(  # SCP's kinds are not held back by the plan's state
            kind=NotificationKind.YEAR_SUBMITTED,
            recipients=[scp_user],
            context={"year": 2027, "fiche_number": 11},
            link="https://spaser.example.org/",
            plan_id=next_plan.pk,
        )
    assert [m.to for m in mail.outbox] == [["scp@example.org"]]
    held = Notification.objects.get(recipient=pilot11)
    assert held.state == NotificationState.SKIPPED and held.reason.startswith("Plan en préparation")


def remind(*args) -> str:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_deadline_notifications_come_14_and_3_days_before_and_once_a_day(fiche11, campaign2025, pilot11):
    assert "1 relance(s) envoyée(s)" in remind("--today", "2027-01-17")  # 14 days before 31 January
    assert "0 relance(s)" in remind("--today", "2027-01-17")  # the cron ran twice: nobody hears it twice
    assert "0 relance(s)" in remind("--today", "2027-01-24")  # 7 days: no longer a reminder day
    assert "1 relance(s)" in remind("--today", "2027-01-28")
    assert [m.subject for m in mail.outbox] == ["[SPASER] Bilan 2025 à soumettre avant le 31/01/2027"] * 2
    assert "dans 14 jours" in mail.outbox[0].body and "dans 3 jours" in mail.outbox[1].body
    assert Notification.objects.filter(kind=NotificationKind.DEADLINE).count() == 2
