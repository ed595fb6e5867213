"""The next plan prepared from the real SPASER 54 (2027-2032), and helpers for its pages."""

import pytest
from django.urls import reverse

from actions.models import FicheDecision, Plan
from actions.succession import plan_prepare_next

NEW_SLUG = "spaser54-2027-2032"


def prepare(old: Plan, user) -> Plan:
    return plan_prepare_next(
        old=old,
        slug=NEW_SLUG,
        title="Schéma de promotion des achats socialement et écologiquement responsables 2027-2032",
        short_title="SPASER 54",
        start_year=2027,
        end_year=2032,
        user=user,
    )


@pytest.fixture
def next_plan(spaser54, scp_user) -> Plan:
    """The draft of 2027-2032: every fiche of SPASER 54 carried over ("reconduite")."""
    return prepare(spaser54, scp_user)


def decision_of(plan: Plan, number: int) -> FicheDecision:
    return FicheDecision.objects.select_related("previous", "fiche", "plan").get(
        plan=plan, previous__number=number
    )


def decisions_url(plan: Plan) -> str:
    return reverse("planning:decisions", args=[plan.slug])
