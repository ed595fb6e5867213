"""The next plan prepared from the real SPASER 54 (2027-2032), and helpers for its pages."""

from django.urls import reverse

from actions.models import Plan
from planning.models import FicheDecision
from tests.conftest import NEXT_SLUG, next_plan_of

# The draft of 2027-2032 (`next_plan`, and `prepare` for a test that prepares it itself): tests/conftest.py.
NEW_SLUG = NEXT_SLUG
prepare = next_plan_of


def decision_of(plan: Plan, number: int) -> FicheDecision:
    return FicheDecision.objects.select_related("previous", "fiche", "plan").get(
        plan=plan, previous__number=number
    )


def decisions_url(plan: Plan) -> str:
    return reverse("planning:decisions", args=[plan.slug])
