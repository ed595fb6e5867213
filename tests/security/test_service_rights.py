"""Every service that takes a user asks the rights module itself (core.rights.require): called by a
user without the right -- from a page, a command, a task or a future API alike -- it raises
PermissionDenied with the French reason, and nothing at all is written."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import services as account_services
from actions import services as plan_services
from actions.enums import PlanState
from actions.loading import plan_load
from actions.models import Fiche
from indicators import values_workbook
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from indicators.services import admin_edits, campaigns, entry, workflow
from indicators.services.entry import ValueInput
from planning import services as planning_services
from planning.enums import FicheDecision as DecisionChoice
from planning.models import FicheDecision
from public import services as public_services
from public.models import LegalInformation
from reporting import services as reporting_services
from reporting.models import PublishedBilan
from tests.conftest import PLAN_DIR
from tests.factories import AnnualReviewFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

SCP_ONLY = "Action réservée au service commande publique."
EDIT = "Modification du plan réservée au service commande publique."
PUBLISH_PLAN = "Publication réservée au service commande publique."
PUBLISH_BILAN = "Publication des bilans réservée au service commande publique."
PREPARE = "Préparation du plan suivant réservée au service commande publique."
IMPORT = "Import réservé au service commande publique."
NOT_PILOT = "Vous ne pilotez pas cette fiche."


def written() -> dict[str, int]:
    """Every row a service could write, and every history record (each write leaves one)."""
    labels = ("actions", "indicators", "planning", "public", "accounts", "auth")
    counted = [m for m in apps.get_models() if m._meta.app_label in labels]
    counts = {m._meta.label: m._default_manager.count() for m in counted}
    counts["reporting.PublishedBilan"] = PublishedBilan.objects.count()
    return counts


@pytest.fixture
def world(spaser54, fiche11, campaign2025, scp_user, committee_user, pilot11, pilot5, next_plan):
    """The plan in force with the 2025 campaign open, fiche 11's 2025 submitted and a 2024 value,
    a published 2024 bilan, and the next plan in preparation (by SCP)."""
    indicator = fiche11.indicators.order_by("position").first()
    value = IndicatorValueFactory(indicator=indicator, year=2024, value_number=Decimal(3))
    review = AnnualReviewFactory(fiche=fiche11, year=2025, submitted=True)
    bilan = PublishedBilan.objects.create(
        plan=spaser54,
        year=2024,
        version=1,
        data={},
        pdf=b"%PDF",
        sha256="0" * 64,
        published_at=timezone.now(),
        published_by=scp_user,
    )
    return {
        "plan": spaser54,
        "fiche": fiche11,
        "campaign": campaign2025,
        "indicator": indicator,
        "value": value,
        "review": review,
        "bilan": bilan,
        "next_plan": next_plan,
        "decision": FicheDecision.objects.of_plan(next_plan).first(),
        "new_fiche": Fiche.objects.filter(plan=next_plan).first(),
        "committee": committee_user,
        "pilot": pilot11,
        "other_pilot": pilot5,
    }


# (who calls, the service called, the French refusal)
CALLS = {
    # the plan (actions)
    "plan_content_save": (
        "committee",
        lambda w, u: plan_services.plan_content_save(obj=w["fiche"], user=u),
        EDIT,
    ),
    "plan_content_delete": (
        "pilot",
        lambda w, u: plan_services.plan_content_delete(obj=w["indicator"], user=u),
        EDIT,
    ),
    "plan_publication_set": (
        "committee",
        lambda w, u: plan_services.plan_publication_set(plan=w["plan"], is_public=True, user=u),
        PUBLISH_PLAN,
    ),
    "plan_state_set": (
        "committee",
        lambda w, u: plan_services.plan_state_set(
            plan=w["plan"], state=PlanState.CLOSED, user=u, today=datetime.date(2026, 2, 1)
        ),
        SCP_ONLY,
    ),
    "plan_load": (
        "committee",
        lambda w, u: plan_load(directory=PLAN_DIR, user=u),
        EDIT,
    ),
    # the public site's legal pages, the accounts
    "legal_information_save": (
        "committee",
        lambda w, u: public_services.legal_information_save(
            information=LegalInformation(), user=u, seen_version=None
        ),
        "Modification des pages légales réservée au service commande publique.",
    ),
    "user_invite": (
        "pilot",
        lambda w, u: account_services.user_invite(
            email="nouvelle@example.org", first_name="N", last_name="P", by=u, site_url="http://x"
        ),
        "Seul le service commande publique invite des personnes.",
    ),
    "user_deactivate": (
        "committee",
        lambda w, u: account_services.user_deactivate(user=w["other_pilot"], by=u),
        "Seul le service commande publique désactive des comptes.",
    ),
    # the yearly follow-up (indicators)
    "fiche_year_save": (
        "other_pilot",
        lambda w, u: entry.fiche_year_save(
            fiche=w["fiche"],
            year=2025,
            values={w["indicator"].pk: ValueInput(Decimal(7))},
            review=None,
            user=u,
            seen_versions={},
        ),
        NOT_PILOT,
    ),
    "fiche_years_save_values": (
        "other_pilot",
        lambda w, u: entry.fiche_years_save_values(
            plan=w["plan"],
            batch=[entry.FicheYearValues(w["fiche"], 2025, {w["indicator"].pk: ValueInput(Decimal(7))}, {})],
            user=u,
        ),
        NOT_PILOT,
    ),
    "fiche_year_submit": (
        "committee",
        lambda w, u: workflow.fiche_year_submit(fiche=w["fiche"], year=2024, user=u),
        NOT_PILOT,
    ),
    "fiche_year_validate": (
        "pilot",
        lambda w, u: workflow.fiche_year_validate(fiche=w["fiche"], year=2025, user=u),
        SCP_ONLY,
    ),
    "fiche_year_return": (
        "pilot",
        lambda w, u: workflow.fiche_year_return(fiche=w["fiche"], year=2025, user=u, comment="À revoir"),
        SCP_ONLY,
    ),
    "fiche_year_reopen": (
        "committee",
        lambda w, u: workflow.fiche_year_reopen(fiche=w["fiche"], year=2025, user=u),
        SCP_ONLY,
    ),
    "campaign_open": (
        "pilot",
        lambda w, u: campaigns.campaign_open(
            plan=w["plan"], year=2024, deadline=datetime.date(2025, 3, 31), user=u
        ),
        SCP_ONLY,
    ),
    "campaign_close": (
        "committee",
        lambda w, u: campaigns.campaign_close(campaign=w["campaign"], user=u),
        SCP_ONLY,
    ),
    "campaign_save": (
        "committee",
        lambda w, u: campaigns.campaign_save(campaign=w["campaign"], user=u, seen_version=None),
        SCP_ONLY,
    ),
    "indicator_value_save": (
        "pilot",
        lambda w, u: admin_edits.indicator_value_save(value=w["value"], user=u, seen_version=None),
        SCP_ONLY,
    ),
    "indicator_value_delete": (
        "pilot",
        lambda w, u: admin_edits.indicator_value_delete(value=w["value"], user=u),
        SCP_ONLY,
    ),
    "annual_review_save": (
        "committee",
        lambda w, u: admin_edits.annual_review_save(review=w["review"], user=u, seen_version=None),
        SCP_ONLY,
    ),
    "annual_review_delete": (
        "committee",
        lambda w, u: admin_edits.annual_review_delete(review=w["review"], user=u),
        SCP_ONLY,
    ),
    "values_import": (
        "committee",
        lambda w, u: values_workbook.values_import(
            file=values_workbook.values_workbook(w["plan"]), user=u, dry_run=False, plan=w["plan"]
        ),
        IMPORT,
    ),
    "values_import (aperçu)": (
        "pilot",
        lambda w, u: values_workbook.values_import(
            file=values_workbook.values_workbook(w["plan"]), user=u, dry_run=True, plan=w["plan"]
        ),
        IMPORT,
    ),
    # the bilans (reporting)
    "bilan_publish": (
        "committee",
        lambda w, u: reporting_services.bilan_publish(plan=w["plan"], year=2024, user=u),
        PUBLISH_BILAN,
    ),
    "published_bilan_set_public": (
        "pilot",
        lambda w, u: reporting_services.published_bilan_set_public(bilan=w["bilan"], is_public=True, user=u),
        PUBLISH_BILAN,
    ),
    # the next plan (planning)
    "plan_prepare_next": (
        "committee",
        lambda w, u: planning_services.plan_prepare_next(
            old=w["next_plan"], slug="suivant", title="Suivant", start_year=2033, end_year=2038, user=u
        ),
        PREPARE,
    ),
    "fiche_carry_over": (
        "committee",
        lambda w, u: planning_services.fiche_carry_over(
            fiche=w["fiche"], plan=w["next_plan"], user=u, number=99
        ),
        PREPARE,
    ),
    "fiche_decide": (
        "committee",
        lambda w, u: planning_services.fiche_decide(
            decision=w["decision"],
            decision_value=DecisionChoice.ABANDONED,
            reason="Plus de porteur",
            into=None,
            user=u,
            seen_version=None,
        ),
        PREPARE,
    ),
    "fiche_add_new": (
        "pilot",
        lambda w, u: planning_services.fiche_add_new(
            plan=w["next_plan"], number=99, title="Nouvelle", objective=w["new_fiche"].objective, user=u
        ),
        PREPARE,
    ),
}


@pytest.mark.parametrize("role, call, message", CALLS.values(), ids=CALLS.keys())
def test_a_service_refuses_a_user_without_the_right_and_writes_nothing(world, role, call, message):
    before = written()
    with pytest.raises(PermissionDenied, match=f"^{message}$"):
        call(world, world[role])
    assert written() == before


def test_the_refusals_are_of_the_user_not_of_the_rules(world, scp_user):
    """The same calls by SCP pass the rights check: the refusals above are the rights' alone."""
    review = workflow.fiche_year_validate(fiche=world["fiche"], year=2025, user=scp_user)
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.VALIDATED
    campaigns.campaign_close(campaign=world["campaign"], user=scp_user)
    admin_edits.indicator_value_delete(value=world["value"], user=scp_user)
    assert not IndicatorValue.objects.filter(pk=world["value"].pk).exists()


def test_a_command_run_by_an_account_without_the_right_is_refused_and_writes_nothing(
    spaser54, committee_user
):
    """A command naming its author (--by) meets the services' refusal, as a clear command error."""
    before = written()
    with pytest.raises(CommandError, match=f"^{PUBLISH_PLAN}$"):
        call_command("publish_plan", spaser54.slug, "--by", committee_user.username)
    with pytest.raises(CommandError, match=f"rien n'a été écrit : {PREPARE}$"):
        call_command(
            "plan_prepare_next",
            spaser54.slug,
            *("--slug", "suivant", "--title", "Suivant", "--start", "2027", "--end", "2032"),
            *("--by", committee_user.username),
        )
    assert written() == before
