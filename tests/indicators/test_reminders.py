"""The cron reminder: pilots whose fiches are not submitted hear about the deadline, others do not."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from indicators.services import campaigns, workflow

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """The command, with its e-mails sent as they are once its notifications commit."""
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_pilots_with_unsubmitted_fiches_are_reminded_on_the_configured_days(
    fiche11, campaign2025, pilot11, pilot11b, pilot5, settings
):
    settings.SPASER_REMINDER_DAYS = [7]
    workflow.fiche_year_submit(fiche=fiche11.plan.fiches.get(number=5), year=2025, user=pilot5)
    output = run("--today", "2027-01-24")  # 7 days before the 31 January deadline
    assert "2 relance(s) envoyée(s)" in output
    recipients = {m.to[0]: m for m in mail.outbox}
    assert set(recipients) == {"pilote11@example.org", "pilote11b@example.org"}  # pilot5 has submitted
    body = recipients["pilote11@example.org"].body
    assert "31/01/2027" in body and "dans 7 jours" in body and "11, 12, 13, 14, 15" in body
    assert "/mes-fiches/" in body
    assert "à compléter et soumettre : 11" in recipients["pilote11b@example.org"].body


def test_no_reminder_on_other_days_nor_for_closed_campaigns(fiche11, campaign2025, pilot11, scp_user):
    assert "0 relance(s)" in run("--today", "2027-01-23", "--days", "7")
    assert mail.outbox == []
    campaigns.campaign_close(campaign=campaign2025, user=scp_user)
    assert "0 relance(s)" in run("--today", "2027-01-24", "--days", "7")
    assert mail.outbox == []


def test_dry_run_sends_nothing_and_bad_dates_are_refused(fiche11, campaign2025, pilot11):
    assert "[essai] pilote11@example.org" in run("--today", "2027-01-30", "--days", "1", "--dry-run")
    assert mail.outbox == []
    with pytest.raises(CommandError, match="Date invalide"):
        run("--today", "30/01/2027")
    assert datetime.date(2027, 1, 31) == campaign2025.deadline
