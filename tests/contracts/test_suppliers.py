"""The shares of the contracts by category of their holders (contracts.selectors.suppliers), checked
against counts made by hand from the contracts' specs: several holders, unknown holders, a closed
establishment, a contract naming no holder, an anomalous amount, an excluded contract."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from actions.enums import PlanState
from actions.models import Plan
from actions.services import plan_state_set
from contracts.models import Contract
from contracts.selectors import PlanRegister, legal_overview, supplier_tally
from contracts.services import contract_holders_sync
from suppliers.selectors import local_departements
from suppliers.wanted import wanted_identifiers
from tests.contracts import supplier_data
from tests.contracts.legal_data import table_rows
from tests.contracts.supplier_data import DD, A, B, C, E, G, H

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(spaser54):
    return spaser54


@pytest.fixture
def made(plan):
    return supplier_data.load(plan)


@pytest.fixture
def scp(client, scp_user):
    client.force_login(scp_user)
    return client


def tally_of(plan, year: int) -> dict:
    register = PlanRegister.of(plan)
    contracts = register.contracts().filter(year=year)
    return supplier_tally(contracts, register.thresholds(), local_departements(plan)[0])


def test_shares_match_the_rules_applied_by_hand(plan, made):
    figures = tally_of(plan, 2025)
    wanted = supplier_data.expected(made, 2025)
    for key, figure in wanted.items():
        assert figures[key] == figure, key
    # Spelt out, should the hand count above err like the code: S-1 (A, B), S-2 (A, C, E), S-3 (no
    # holder), S-4 (DD, anomalous amount), S-6 (G, H); S-5 excluded, S-7 of 2024, S-8 another buyer's.
    assert figures["pme"] == {"count": 3, "amount": Decimal("100333.33")}  # S-1 (A+B), S-2 (A), S-4
    assert figures["tpe"] == {"count": 2, "amount": Decimal("50333.33")}
    assert figures["ess"] == {"count": 1, "amount": Decimal("50000.00")}  # B closed keeps its categories
    assert figures["local"] == {"count": 2, "amount": Decimal("50666.67")}  # A and C in the 54
    assert figures["ea_esat"] == {"count": 1, "amount": Decimal("333.33")}
    assert figures["siae"] == {"count": 1, "amount": Decimal("5.01")}  # listed by its SIREN; 5.005
    assert figures["geiq"] == {"count": 1, "amount": Decimal("5.01")}
    assert figures["unidentified"] == {"count": 3, "amount": Decimal("833.33")}  # E's third, S-3
    assert figures["contracts"] == {"count": 5, "amount": Decimal("101510.01")}


def test_every_share_of_an_amount_goes_to_one_holder(plan, made):
    """The holders' shares add up to the contracts' amounts: with no category overlapping, the amounts
    of "ess", "ea_esat", "siae", "geiq", "unidentified" and the rest of the PME equal the whole."""
    figures = tally_of(plan, 2025)
    # A (PME) and DD's shares are in "pme"; B in "pme" too: pme + ea_esat + siae + geiq + E's and S-3's.
    parts = ("pme", "ea_esat", "siae", "geiq")
    total = sum(figures[key]["amount"] for key in parts) + Decimal("333.33") + Decimal("500.00")
    assert abs(total - figures["contracts"]["amount"]) <= Decimal("0.03")  # roundings only


def test_the_tally_costs_four_queries_whatever_the_contracts(plan, made, django_assert_num_queries):
    register = PlanRegister.of(plan)
    thresholds = register.thresholds()
    local = local_departements(plan)[0]
    contracts = register.contracts().filter(year=2025)
    with django_assert_num_queries(4):  # the contracts with their holders, the holders' facts (3)
        supplier_tally(contracts, thresholds, local)
    for n in range(30):
        supplier_data.create(
            supplier_data.Spec(
                f"N-{n}", supplier_data.D(2025, 9, 1), Decimal("10"), [], [], holders=[A, f"9{n:013d}"]
            )
        )
    with django_assert_num_queries(4):
        supplier_tally(contracts, thresholds, local)


def test_the_command_gives_each_category_with_two_decimals(plan, made):
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=2025, format="json", stdout=out)
    data = json.loads(out.getvalue())
    wanted = supplier_data.expected(made, 2025)
    for key in supplier_data.KEYS:
        assert data[key] == {"count": wanted[key]["count"], "amount": f"{wanted[key]['amount']:.2f}"}, key
    assert data["pme"] == {"count": 3, "amount": "100333.33"}


def test_a_list_of_departements_set_by_scp_replaces_the_buyers(plan, made):
    from suppliers.models import LocalArea

    LocalArea.objects.create(plan=plan, departements="57, 55")
    figures = tally_of(plan, 2025)
    assert figures["local"] == {"count": 2, "amount": Decimal("50005.01")}  # B (S-1), H (S-6)


def test_a_closed_plan_keeps_the_holders_it_had_when_it_closed(plan, made, scp_user):
    plan_state_set(plan=plan, state=PlanState.CLOSED, user=scp_user, today=supplier_data.D(2026, 12, 1))
    plan = Plan.objects.get(pk=plan.pk)
    before = tally_of(plan, 2025)
    contract = Contract.objects.get(contract_id="S-3")
    contract.holders = [A]  # a later import names a holder for S-3
    contract.save()
    contract_holders_sync(contracts=[contract])
    assert tally_of(plan, 2025) == before
    assert before["unidentified"]["count"] == 3


# --- the register: holders' rows, the SIRENE import's wanted list, the filter -------------------------


def test_holders_rows_follow_the_json(plan, made):
    rows = list(
        Contract.objects.get(contract_id="S-2").holder_rows.values_list(
            "identifier", "siren", "position", "holders"
        )
    )
    assert rows == [(A, A[:9], 0, 3), (C, C[:9], 1, 3), (E, "", 2, 3)]
    assert not Contract.objects.get(contract_id="S-3").holder_rows.exists()


def test_the_sirene_import_keeps_the_registers_holders(plan, made):
    sirens, sirets = wanted_identifiers()
    assert {A, B, C, DD, G, H} <= sirets
    assert {A[:9], DD[:9]} <= sirens
    assert E not in sirets


def test_the_register_lists_the_contracts_of_a_holders_category(scp, plan, made):
    base = reverse("contracts:contract_list", args=[plan.slug])
    wanted = {
        "pme": ["S-4", "S-2", "S-1"],
        "unidentified": ["S-4", "S-3", "S-2"],
        "siae": ["S-6"],
        "local": ["S-2", "S-1"],
    }
    for key, ids in wanted.items():
        page = scp.get(f"{base}?annee=2025&titulaires={key}").content.decode()
        assert [row[1].split()[0] for row in table_rows(page, "contrats")[1:]] == ids, key


def test_the_filtered_list_keeps_a_fixed_query_budget(scp, plan, made, django_assert_max_num_queries):
    url = reverse("contracts:contract_list", args=[plan.slug]) + "?annee=2025&titulaires=pme"
    caches["default"].clear()
    # Session, user and rights (3), the plan, the demo notice, the list (5), and the holders' filter
    # (6: contracts and holders, local départements (2), holders' facts (3)).
    with django_assert_max_num_queries(16):
        scp.get(url)


# --- the legal indicators' page -----------------------------------------------------------------------


def test_the_legal_page_shows_the_holders_section_with_links(scp, plan, made):
    page = scp.get(reverse("contracts:legal_indicators", args=[plan.slug, 2025])).content.decode()
    assert 'id="titulaires"' in page and "Titulaires des contrats" in page
    rows = {row[0]: row for row in table_rows(page, "titulaires-categories")[1:]}
    assert rows["PME (catégorie INSEE)"][1:5] == ["3", "60,0 %", "100 333,33 €", "98,8 %"]
    assert rows["Titulaires non identifiés"][1] == "3"
    link = reverse("contracts:contract_list", args=[plan.slug]) + "?annee=2025&amp;titulaires=ea_esat"
    assert page.count(f'href="{link}"') == 2  # the number and the value
    assert "partagé à parts égales" in page and "Départements « locaux » : 54" in page
    assert "SIRENE – unités légales (StockUniteLegale) du 01/11/2026" in page
    assert "Liste des EA et ESAT (FINESS) du 15/10/2026" in page
    assert re.search(r"1 contrat ne nomme aucun titulaire.*S-3", page)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []  # each anchor once (the PDF's links too)


def test_the_overview_says_the_same_as_the_tally(plan, made):
    overview = legal_overview(plan, year=2025, years=plan.years)
    assert overview.suppliers["tally"]["ess"] == {"count": 1, "amount": "50000.00"}
    assert overview.suppliers["no_holder"] == [
        {"id": "S-3", "pk": Contract.objects.get(contract_id="S-3").pk}
    ]
    json.dumps(overview.suppliers)  # plain data: a published bilan freezes it
