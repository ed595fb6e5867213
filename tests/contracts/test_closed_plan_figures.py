"""A closed plan's legal figures are frozen at its closing: later imports still fill the register (it
belongs to the buyer), later corrections and thresholds apply to the plans in force, and none of it
changes what the closed plan shows -- its legal page, `legal_indicators`, its bilan's section, its fiche
indicators computed from the register. Its page says how many contracts of its years came after."""

import datetime
import html
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions import services as plan_services
from actions.enums import PlanState
from actions.models import Indicator, Plan
from contracts import services
from contracts.enums import Category, Measure
from contracts.models import Contract, RegisterFreeze, RegisterIndicator, Threshold
from contracts.selectors import register_figures
from reporting.selectors import bilan_build
from tests.contracts import files
from tests.contracts.files import BUYER, ENV_CLAUSE, NO_ENV, NO_SOCIAL, SOCIAL_CLAUSE, marche, write_2022

pytestmark = pytest.mark.django_db

IN_2026 = datetime.date(2026, 3, 1)


def import_file(path, **options) -> str:
    out = io.StringIO()
    call_command("decp_import", str(path), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def legal(plan, year: int) -> dict:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, format="json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def closed(spaser54, scp_user, tmp_path):
    """SPASER 54 with its buyer's 2025 and 2026 contracts imported, then closed."""
    files.add_buyer(spaser54, BUYER)
    import_file(
        write_2022(
            tmp_path / "avant.json",
            marches=[
                marche("A-1", amount=100000, social=[SOCIAL_CLAUSE], environmental=[NO_ENV]),
                marche("A-2", amount=200000, social=[NO_SOCIAL], environmental=[NO_ENV]),
                marche(
                    "B-1", notified="2026-02-01", amount=300000, social=[NO_SOCIAL], environmental=[NO_ENV]
                ),
            ],
        )
    )
    RegisterIndicator.objects.create(
        indicator=Indicator.objects.get(fiche__plan=spaser54, code="11-E1"),
        category=Category.SOCIAL,
        measure=Measure.COUNT,
    )
    plan_services.plan_state_set(plan=spaser54, state=PlanState.CLOSED, user=scp_user, today=IN_2026)
    return Plan.objects.get(pk=spaser54.pk)


def figures(plan, year: int) -> dict:
    """`legal_indicators` but the count of what came after the closing (it grows, by design)."""
    data = legal(plan, year)
    data.pop("published_after_closing")
    return data


def snapshot(client, plan) -> dict:
    """Everything the closed plan shows of the register."""
    indicator = Indicator.objects.select_related("register_source").get(fiche__plan=plan, code="11-E1")
    bilan = bilan_build(plan=plan, year=2025)
    return {
        "2025": figures(plan, 2025),
        "2026": figures(plan, 2026),
        "bilan": (bilan["legal"]["rows"], bilan["legal"]["trend"], bilan["legal"]["corrected_count"]),
        "fiche": [
            register_figures([indicator], year, plan=plan)[indicator.pk].value for year in (2025, 2026)
        ],
        "table": client.get(reverse("contracts:legal_indicators", args=[plan.slug, 2025]))
        .context["overview"]
        .rows,
    }


def write_after_closing(tmp_path, scp_user) -> str:
    """What may happen to the register after the plan closed; returns the import's output."""
    # An import without --plan (every plan's buyers): new contracts of its years, one republished.
    output = import_file(
        write_2022(
            tmp_path / "apres.json",
            marches=[
                marche("A-3", amount=50000, social=[SOCIAL_CLAUSE], environmental=[ENV_CLAUSE]),
                marche(
                    "B-1",
                    notified="2026-02-01",
                    amount=300000,
                    social=[SOCIAL_CLAUSE],
                    environmental=[NO_ENV],
                    published="2026-05-01",
                ),
                marche("A-4", amount=1e17),
            ],
        )
    )
    # SCP corrects and excludes; raises the ceiling.
    services.contract_correct(
        contract=Contract.objects.get(contract_id="A-2"),
        user=scp_user,
        flags={"reserved": True},
        excluded=False,
        reason="Marché réservé ESAT.",
    )
    services.contract_correct(
        contract=Contract.objects.get(contract_id="A-1"),
        user=scp_user,
        flags={},
        excluded=True,
        reason="Doublon.",
    )
    Threshold.objects.create(
        kind="plafond", amount=Decimal("10000"), valid_from=datetime.date(2020, 1, 1), source="Test"
    )
    return output


def test_closing_freezes_the_figures_later_writes_never_change_them(client, scp_user, closed, tmp_path):
    client.force_login(scp_user)
    frozen = snapshot(client, closed)
    assert frozen["2025"]["social"]["count"] == 1 and frozen["fiche"] == [Decimal(1), Decimal(0)]

    output = write_after_closing(tmp_path, scp_user)

    assert "2 nouveaux, 1 modifiés" in output  # the register filled...
    assert Contract.objects.filter(buyer_siret=BUYER).count() == 5
    assert snapshot(client, closed) == frozen  # ...and nothing the closed plan shows changed
    page = html.unescape(
        client.get(reverse("contracts:legal_indicators", args=[closed.slug, 2025])).content.decode()
    )
    freeze = RegisterFreeze.objects.get(plan=closed)
    assert "Plan clos : chiffres arrêtés au" in page
    assert (
        "3 contrats de ses années ont été publiés ou modifiés depuis : ils ne sont pas comptés ici." in page
    )
    assert legal(closed, 2026)["published_after_closing"] == 3
    assert legal(closed, 2026)["frozen_at"] == freeze.frozen_at.isoformat()
    # The register itself (the contract's page) shows the contract as it is now, saying so.
    detail = client.get(
        reverse("contracts:contract_detail", args=[closed.slug, Contract.objects.get(contract_id="B-1").pk])
    )
    assert (
        "il a changé depuis (voir l'historique), sans effet sur les chiffres du plan clos"
        in html.unescape(detail.content.decode())
    )


def test_putting_the_plan_back_in_force_shows_the_register_as_it_is(scp_user, closed, tmp_path):
    import_file(
        write_2022(tmp_path / "apres.json", marches=[marche("A-3", amount=50000, social=[SOCIAL_CLAUSE])])
    )
    assert legal(closed, 2025)["social"]["count"] == 1

    plan_services.plan_state_set(plan=closed, state=PlanState.IN_FORCE, user=scp_user, today=IN_2026)

    assert not RegisterFreeze.objects.filter(plan=closed).exists()
    assert legal(closed, 2025)["social"]["count"] == 2
    assert legal(closed, 2025)["frozen_at"] is None
