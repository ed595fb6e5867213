"""A holder's page (/registre/titulaires/<identifier>/): who it is, its categories with their source and
date, its contracts with the plan's buyers and its amounts per year; linked from the contract's page."""

from html import unescape

import pytest
from django.core.cache import caches
from django.urls import reverse

from contracts.models import Contract
from tests.contracts import supplier_data
from tests.contracts.legal_data import table_rows
from tests.contracts.supplier_data import A, B, E, G

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(spaser54):
    return supplier_data.load(spaser54)


def holder_url(identifier: str) -> str:
    return reverse("contracts:holder_detail", args=[identifier])


def page_of(client, user, identifier: str) -> str:
    client.force_login(user)
    response = client.get(holder_url(identifier))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_who_the_holder_is_and_its_categories(client, scp_user, made):
    page = page_of(client, scp_user, A)
    assert "Menuiserie Dupont" in page and A in page and A[:9] in page
    assert "Toul (54)" in page and "ouvert" in page
    categories = {row[0]: row[1:] for row in table_rows(page, "categories-titulaire")[1:]}
    assert categories == {
        "PME (catégorie INSEE)": ["SIRENE – unités légales (StockUniteLegale)", "1 novembre 2026"],
        "TPE (moins de 10 salariés)": ["SIRENE – unités légales (StockUniteLegale)", "1 novembre 2026"],
        "Entreprises locales": ["SIRENE – établissements (StockEtablissement)", "1 novembre 2026"],
    }


def test_amounts_per_year_give_its_share_and_the_full_amounts(client, scp_user, made):
    page = page_of(client, scp_user, A)
    years = {row[0]: row[1:] for row in table_rows(page, "montants-par-annee")[1:]}
    # 2025: S-1 (half of 100 000) and S-2 (a third of 1 000); 2024: S-7 alone. S-8 is another buyer's.
    assert years == {
        "2025": ["2", "50 333,33 €", "101 000 €"],
        "2024": ["1", "2 000 €", "2 000 €"],
    }
    contracts = [row[1] for row in table_rows(page, "contrats-titulaire")[1:]]
    assert contracts == ["S-2", "S-1", "S-7"]
    s1 = Contract.objects.get(contract_id="S-1")
    assert f'href="{reverse("contracts:contract_detail", args=["spaser54-2021-2026", s1.pk])}"' in page


def test_a_closed_establishment_keeps_its_categories_and_an_excluded_contract_does_not_count(
    client, scp_user, made
):
    page = page_of(client, scp_user, B)
    assert "fermé" in page and "Économie sociale et solidaire" in page
    years = {row[0]: row[1:] for row in table_rows(page, "montants-par-annee")[1:]}
    assert years == {"2025": ["1", "50 000 €", "100 000 €"]}  # S-5, excluded, listed but not counted
    assert "exclu" in page and "S-5" in page


def test_an_unknown_holder_and_a_listing_by_siren(client, scp_user, made):
    page = page_of(client, scp_user, E)
    assert "absent de SIRENE" in page and "Titulaires non identifiés" in page
    page = page_of(client, scp_user, G)
    rows = {
        unescape(row[0]): list(map(unescape, row[1:])) for row in table_rows(page, "categories-titulaire")[1:]
    }
    assert rows == {
        "Structures d'insertion (SIAE)": ["Liste des SIAE (marché de l'inclusion)", "15 octobre 2026"]
    }


def test_a_holder_of_no_contract_of_the_plans_buyers_is_not_found(client, scp_user, made):
    client.force_login(scp_user)
    assert client.get(holder_url("99999999999999")).status_code == 404


def test_rights_like_the_register(client, made, committee_user, pilot11):
    client.force_login(committee_user)
    assert client.get(holder_url(A)).status_code == 200
    client.force_login(pilot11)
    assert client.get(holder_url(A)).status_code == 403


def test_the_contract_page_links_its_holders(client, scp_user, made, spaser54):
    client.force_login(scp_user)
    contract = Contract.objects.get(contract_id="S-2")
    page = client.get(
        reverse("contracts:contract_detail", args=[spaser54.slug, contract.pk])
    ).content.decode()
    for holder in (A, E):
        assert f'href="{holder_url(holder)}?plan={spaser54.slug}"' in page


def test_the_page_costs_the_same_queries_whatever_its_contracts(
    client, scp_user, made, django_assert_max_num_queries
):
    client.force_login(scp_user)
    # Session, user and rights (3), the plans, the demo notice, and the page's 8: the buyers, its
    # contracts, the thresholds, the local départements (2), its facts (3).
    caches["default"].clear()
    with django_assert_max_num_queries(14):
        client.get(holder_url(A))
    more = [
        supplier_data.Spec(
            f"M-{n}", supplier_data.D(2023, 5, 1), supplier_data.Decimal("100"), [], [], holders=[A]
        )
        for n in range(20)
    ]
    contracts = [supplier_data.create(spec) for spec in more]
    from contracts.services import contract_holders_sync

    contract_holders_sync(contracts=contracts)
    caches["default"].clear()
    with django_assert_max_num_queries(14):
        page = client.get(holder_url(A)).content.decode()
    assert "M-19" in page
