"""`manage.py publish_plan` (run by `make run` on the demo): publishes the plan and a year's bilan, once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.demo import demo_load
from reporting.models import PublishedBilan
from tests.conftest import DEMO_PATH
from tests.factories import AnnualReviewFactory

pytestmark = pytest.mark.django_db


def test_publish_plan_publishes_once(small_plan, scp_user, capsys):
    demo_load(path=DEMO_PATH)
    call_command("publish_plan", small_plan.slug, "--by", "scp", "--bilan", "2024")
    small_plan.refresh_from_db()
    assert small_plan.is_public and small_plan.history.first().history_user == scp_user
    (bilan,) = PublishedBilan.objects.all()
    assert bilan.is_public and bilan.year == 2024
    call_command("publish_plan", small_plan.slug, "--by", "scp", "--bilan", "2024")
    assert PublishedBilan.objects.count() == 1 and small_plan.history.count() == 2  # loaded, published
    assert "déjà" in capsys.readouterr().out


def test_publish_plan_refuses_what_cannot_be_public(small_plan, fiche11):
    with pytest.raises(CommandError, match="inconnu"):
        call_command("publish_plan", "plan-inconnu")
    AnnualReviewFactory(fiche=fiche11, year=2025, submitted=True)  # submitted, not validated
    with pytest.raises(CommandError, match="ne peut pas être rendu public"):
        call_command("publish_plan", small_plan.slug, "--bilan", "2025")
