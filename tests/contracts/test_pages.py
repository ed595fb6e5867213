"""The register's pages: the legal indicators of a year, the list of contracts, a contract's page.

Figures are checked against counts computed in the test from the contracts' specs; every figure's link
is followed to the list of the contracts behind it.
"""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Buyer
from contracts.enums import Category
from contracts.models import Contract, LegalTarget, NationalReference
from contracts.services import decp_apply
from tests.contracts import legal_data
from tests.contracts.legal_data import (
    BUYER,
    OTHER_BUYER,
    Spec,
    add_buyer,
    create,
    expected,
    generate,
    table_rows,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def plan(spaser54):
    add_buyer(spaser54)
    return spaser54


@pytest.fixture
def specs(plan):
    specs = generate(60)
    specs.append(Spec("X1", D(2025, 3, 1), Decimal("99999"), ["Clause sociale"], [], buyer=OTHER_BUYER))
    for spec in specs:
        create(spec)
    return specs


@pytest.fixture
def scp(client, scp_user):
    client.force_login(scp_user)
    return client


def legal_url(plan, year) -> str:
    return reverse("contracts:legal_indicators", args=[plan.slug, year])


def list_url(plan) -> str:
    return reverse("contracts:contract_list", args=[plan.slug])


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def listed_count(client, url: str) -> int:
    found = re.search(r'<p id="resultats"[^>]*><strong>(\d+) contrats?</strong>', text(client.get(url)))
    return int(found.group(1))


# --- the legal indicators' page ---------------------------------------------------------------------


def test_the_table_shows_each_categorys_figures(scp, plan, specs):
    page = text(scp.get(legal_url(plan, 2025)))
    counts = expected(specs, years=[2025])
    body = {row[0]: row[1:] for row in table_rows(page, "taux-legaux")[1:]}
    whole = counts["contracts"]
    for category, label in Category.choices:
        cells = body[("↳ " if category == Category.RESERVED else "") + label]
        figure = counts[category]
        assert cells[0] == str(figure["count"]), category
        assert cells[2] == " ".join(legal_data.euros(figure["amount"]).split()), category
        if category != Category.CONTRACTS:
            assert cells[1] == " ".join(legal_data.share(figure["count"], whole["count"]).split())
            assert cells[3] == " ".join(legal_data.share(figure["amount"], whole["amount"]).split())
    known = whole["count"] - counts["unknown"]["count"]
    assert f"<strong>{known} contrat{'s' if known > 1 else ''} sur {whole['count']}</strong>" in page
    assert "Département de Meurthe-et-Moselle (SIRET 22540001600015)" in page
    assert 'style="' not in page  # the Content Security Policy forbids inline styles: SVG and classes


def test_each_figure_links_to_the_contracts_behind_it(scp, plan, specs):
    page = text(scp.get(legal_url(plan, 2024)))
    counts = expected(specs, years=[2024])
    for category in Category.values:
        link = f"{list_url(plan)}?annee=2024&amp;categorie={category}"
        assert link in page, category
        assert listed_count(scp, html.unescape(link)) == counts[category]["count"], category


def test_trend_covers_every_year_of_the_plan_with_links(scp, plan, specs):
    page = text(scp.get(legal_url(plan, 2025)))
    rows = table_rows(page, "tendance")[1:]
    assert [row[0] for row in rows] == [str(year) for year in plan.years]
    for row in rows:
        counts = expected(specs, years=[int(row[0])])
        assert row[1] == str(counts["contracts"]["count"])
        assert row[3].startswith(f"{counts['social']['count']} (")
    assert "<svg" in page and "Part des contrats de chaque catégorie" in page


def test_year_switcher_links_every_year_of_the_plan(scp, plan, specs):
    page = text(scp.get(legal_url(plan, 2023)))
    switcher = re.search(r'<nav class="actions-bar" aria-label="Années du plan">(.*?)</nav>', page, re.S)
    for year in plan.years:
        if year == 2023:
            assert '<strong aria-current="page">2023</strong>' in switcher.group(1)
        else:
            assert f'href="{legal_url(plan, year)}"' in switcher.group(1)


def test_without_year_the_page_opens_the_latest_year_with_contracts(scp, plan):
    latest = reverse("contracts:legal_latest", args=[plan.slug])
    assert scp.get(latest)["Location"] == legal_url(plan, plan.end_year)  # nothing imported yet
    create(Spec("A1", D(2023, 5, 1), Decimal("50000"), [], []))
    assert scp.get(latest)["Location"] == legal_url(plan, 2023)
    assert scp.get(reverse("contracts:legal_current"))["Location"] == legal_url(plan, 2023)


def test_years_outside_the_plan_and_unknown_plans_are_not_found(scp, plan):
    assert scp.get(legal_url(plan, 2020)).status_code == 404
    assert scp.get(reverse("contracts:legal_indicators", args=["inconnu", 2025])).status_code == 404
    assert scp.get(reverse("contracts:contract_list", args=["inconnu"])).status_code == 404


def test_a_plan_without_buyer_says_where_to_set_them(scp, spaser54):
    page = text(scp.get(legal_url(spaser54, 2025)))
    assert "Aucun acheteur n'est associé à ce plan" in page
    assert reverse("admin:actions_plan_change", args=[spaser54.pk]) in page  # SCP edits the plan
    assert "Acheteurs (SIRET)" in page and "decp_import" in page
    assert 'id="taux-legaux"' not in page


def test_a_plan_without_buyer_names_no_admin_link_for_the_comite(client, committee_user, spaser54):
    client.force_login(committee_user)
    page = text(client.get(legal_url(spaser54, 2025)))
    assert "Aucun acheteur n'est associé à ce plan" in page
    assert reverse("admin:actions_plan_change", args=[spaser54.pk]) not in page


def test_a_year_without_contracts_says_how_to_fill_the_register(scp, plan):
    page = text(scp.get(legal_url(plan, 2022)))
    assert "Aucun contrat notifié en 2022 n'est dans le registre" in page and "decp_import" in page


def test_demo_contracts_are_announced(scp, plan):
    create(Spec("R1", D(2025, 2, 1), Decimal("50000"), [], []))
    assert "contrats fictifs" not in text(scp.get(legal_url(plan, 2025)))
    create(Spec("D1", D(2025, 2, 2), Decimal("50000"), [], [], is_demo=True))
    assert "ces chiffres comprennent des contrats fictifs" in text(scp.get(legal_url(plan, 2025)))
    # Another year's page too: its trend shows 2025.
    assert "ces chiffres comprennent des contrats fictifs" in text(scp.get(legal_url(plan, 2024)))


def test_targets_and_national_references_are_shown_with_their_source(scp, plan, specs):
    LegalTarget.objects.create(plan=plan, category="social", measure="count", share=Decimal("25"))
    NationalReference.objects.create(
        category="social",
        measure="count",
        year=2023,
        share=Decimal("18.7"),
        source="OECP, recensement 2023",
        url="https://www.economie.gouv.fr/daj/oecp",
    )
    page = text(scp.get(legal_url(plan, 2025)))
    social = {row[0]: row for row in table_rows(page, "taux-legaux")}[Category.SOCIAL.label]
    counts = expected(specs, years=[2025])
    met = counts["social"]["count"] * 100 >= 25 * counts["contracts"]["count"]
    assert social[5] == f"en nombre : 25 % {'atteinte' if met else 'non atteinte'}"
    assert social[6] == "en nombre : 18,7 % (OECP, recensement 2023, 2023)"
    assert 'href="https://www.economie.gouv.fr/daj/oecp" rel="noopener noreferrer"' in page


def test_the_duties_since_21_august_2026_are_listed_one_by_one(client, plan, scp_user, committee_user):
    """Environmental criterion, environmental clause, and (above the European threshold valid at the
    notification: 216,000 € HT for supplies and services, 5,404,000 € HT for works in 2026) social
    clause; each a list of its own, said to be checked ("à vérifier")."""
    create(Spec("E1", D(2026, 8, 20), Decimal("500000"), [], []))  # before the duties: never listed
    create(Spec("E2", D(2026, 8, 21), Decimal("50000"), [], []))  # no criterion, no clause
    create(Spec("E3", D(2026, 10, 2), Decimal("50000"), [], ["Clause environnementale"]))  # no criterion
    create(Spec("E4", D(2026, 10, 3), Decimal("216000"), [], ["Critère environnemental"], cpv="79620000-6"))
    create(
        Spec("E5", D(2026, 10, 4), Decimal("215999.99"), [], ["Critère environnemental"], cpv="79620000-6")
    )
    create(Spec("E6", D(2026, 10, 5), Decimal("5000000"), [], ["Critère environnemental"], cpv="45233141-9"))
    create(
        Spec(
            "E7",
            D(2026, 10, 6),
            Decimal("300000"),
            ["Clause sociale"],
            ["Critère environnemental"],
            cpv="79620000-6",
        )
    )
    client.force_login(scp_user)
    page = text(client.get(legal_url(plan, 2026)))

    def listed(duty):
        return [row[1] for row in table_rows(page, f"obligation-{duty}-contrats")[1:]]

    assert listed("critere_env") == ["E2", "E3"]
    assert listed("clause_env") == ["E2", "E4", "E5", "E6", "E7"]
    # Supplies at the threshold are above it; works under the works threshold are not.
    assert listed("clause_sociale") == ["E4"]
    assert "À vérifier" in page and "date de notification du contrat, non celle du lancement" in page
    assert "fournitures et services : 216\u00a0000\u00a0€ HT" in page
    assert "si une exception du code s'applique" in page  # what SCP does about it
    assert listed_count(client, f"{list_url(plan)}?annee=2026&obligation=clause_sociale") == 1
    assert listed_count(client, f"{list_url(plan)}?annee=2026&obligation=critere_env") == 2
    assert listed_count(client, f"{list_url(plan)}?annee=2026&env=on") == 1  # no consideration at all
    # The comité sees the same lists (it oversees the plan; the contracts are open data anyway).
    client.force_login(committee_user)
    page = text(client.get(legal_url(plan, 2026)))
    assert listed("clause_sociale") == ["E4"]
    assert "si une exception du code s'applique" not in page
    assert "Sans objet pour 2025" in text(client.get(legal_url(plan, 2025)))


def test_the_thresholds_scp_sets_decide_the_social_list(client, plan, scp_user):
    """SCP edits the dated thresholds (admin): a new value from a date applies to the contracts notified
    since that date, the page naming the value it used."""
    from contracts.models import Threshold

    create(Spec("S1", D(2026, 9, 1), Decimal("150000"), [], ["Critère environnemental"], cpv="79620000-6"))
    create(Spec("S2", D(2026, 12, 1), Decimal("150000"), [], ["Critère environnemental"], cpv="79620000-6"))
    client.force_login(scp_user)
    before = html.unescape(text(client.get(legal_url(plan, 2026))))
    assert "Au-dessus des seuils européens, sans condition d'exécution sociale : 0 contrat" in before
    Threshold.objects.create(
        kind="fournitures_services", amount=Decimal("140000"), valid_from=D(2026, 11, 1), source="Test"
    )

    page = text(client.get(legal_url(plan, 2026)))

    assert [row[1] for row in table_rows(page, "obligation-clause_sociale-contrats")[1:]] == ["S2"]
    assert "fournitures et services : 140\u00a0000\u00a0€ HT" in page


def test_pilots_are_refused_and_anonymous_visitors_sent_to_login(client, plan, pilot11):
    url = legal_url(plan, 2025)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(pilot11)
    assert client.get(url).status_code == 403
    assert client.get(list_url(plan)).status_code == 403
    assert "Indicateurs légaux" not in text(client.get(reverse("indicators:plan_detail", args=[plan.slug])))


def test_the_navigation_links_the_page_for_scp_and_the_comite(client, plan, committee_user):
    client.force_login(committee_user)
    page = text(client.get(reverse("indicators:plan_detail", args=[plan.slug])))
    assert f'href="{reverse("contracts:legal_latest", args=[plan.slug])}">Indicateurs légaux</a>' in page


# --- the list of contracts ----------------------------------------------------------------------------


def test_list_filters_and_search(scp, plan, specs):
    ours = [s for s in specs if s.buyer == BUYER]
    assert listed_count(scp, list_url(plan)) == len(ours)
    expect = sum(1 for s in ours if s.year == 2026 and s.cpv.startswith("45") and s.environmental)
    assert listed_count(scp, f"{list_url(plan)}?annee=2026&cpv=45&categorie=environmental") == expect
    expect = sum(1 for s in ours if "Insertion" in s.object)
    assert listed_count(scp, f"{list_url(plan)}?q=insertion") == expect
    page = text(scp.get(f"{list_url(plan)}?q=X1"))
    assert "0 contrat</strong>" in page  # another buyer's contract is not in the plan's register
    page = text(scp.get(list_url(plan)))
    assert '<option value="45">45 – Travaux de construction</option>' in page
    page = text(scp.get(f"{list_url(plan)}?annee=2019"))  # a year without contracts: still shown as chosen
    assert '<option value="2019" selected>2019</option>' in page and "0 contrat</strong>" in page
    assert f'<option value="{ours[0].year}">' in page


def test_a_filter_that_cannot_be_read_is_said_and_ignored(scp, plan, specs):
    page = text(scp.get(f"{list_url(plan)}?annee=deux-mille&cpv=4"))
    assert "Un filtre n'a pas pu être lu" in page
    assert listed_count(scp, f"{list_url(plan)}?annee=deux-mille") == sum(
        1 for s in specs if s.buyer == BUYER
    )


def test_list_is_paginated_newest_first_and_pages_keep_the_filters(scp, plan):
    specs = generate(60, years=[2025])
    for spec in specs:
        create(spec)
    newest = sorted(specs, key=lambda s: (-s.notified.toordinal(), s.contract_id))
    first = text(scp.get(f"{list_url(plan)}?annee=2025"))
    rows = table_rows(first, "contrats")[1:]
    assert len(rows) == 50 and [r[1] for r in rows] == [s.contract_id for s in newest[:50]]
    assert 'href="?annee=2025&amp;page=2" rel="next"' in first  # the filters are kept
    second = table_rows(text(scp.get(f"{list_url(plan)}?annee=2025&page=2")), "contrats")[1:]
    assert [r[1] for r in second] == [s.contract_id for s in newest[50:]]


# --- a contract's page -----------------------------------------------------------------------------------


def test_contract_page_shows_every_field_and_its_history_with_authors(scp, plan, scp_user, tmp_path):
    Buyer.objects.filter(siret=BUYER).update(name="Département de Meurthe-et-Moselle")
    spec = Spec(
        "C1",
        D(2025, 4, 3),
        Decimal("150000.50"),
        ["Clause sociale", "Marché réservé"],
        ["Critère environnemental"],
        holders=["11122233344455", "66677788899900"],
        cpv="45233141-9",
    )
    first = legal_data.decp_file(tmp_path / "premier.json", [spec])
    decp_apply([str(first)], buyers=[BUYER], user=scp_user)
    record = legal_data.decp_record(spec)
    record["datePublicationDonnees"] = "2025-09-01"
    record["modifications"] = [
        {"modification": {"id": 1, "montant": 180000, "datePublicationDonneesModification": "2025-09-01"}}
    ]
    later = tmp_path / "modifie.json"
    later.write_text(__import__("json").dumps({"marches": {"marche": [record]}}), encoding="utf-8")
    decp_apply([str(later)], buyers=[BUYER], user=None)  # from the command line: no user

    contract = Contract.objects.get(contract_id="C1")
    page = text(scp.get(reverse("contracts:contract_detail", args=[plan.slug, contract.pk])))
    fields = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, re.S))
    clean = {k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in fields.items()}
    assert clean["Acheteur"] == "Département de Meurthe-et-Moselle (SIRET 22540001600015)"
    assert clean["Identifiant unique"].startswith("22540001600015C1")
    assert clean["Code CPV"] == "45233141-9 (division 45 : Travaux de construction)"
    assert clean["Date de notification"] == "3 avril 2025"
    assert clean["Montant initial"] == "150 000,50 € HT"
    assert clean["Montant après modifications"] == "180 000 € HT (1 modification)"
    assert clean["Considérations sociales"] == "Clause sociale, Marché réservé"
    assert clean["Considérations environnementales"] == "Critère environnemental"
    assert clean["Titulaires"] == (
        "SIRET 11122233344455 SIRET 66677788899900 "
        "(en valeur, le montant est partagé à parts égales entre les titulaires)"
    )
    assert clean["Publication des données"] == "1 septembre 2025"
    assert clean["Fichier source"] == "modifie.json"
    history = table_rows(page, "historique-contrat")[1:]
    assert [row[1:3] for row in history] == [
        ["import en ligne de commande", "Modification Import DECP"],
        ["Scp Test", "Création Import DECP"],
    ]
    assert "Montant après modifications (€ HT) : 150 000,50 € → 180 000 €" in history[0][3]
    assert "Fichier source : premier.json → modifie.json" in history[0][3]


def test_another_buyers_contract_is_not_found(scp, plan):
    other = create(Spec("O1", D(2025, 1, 1), Decimal("50000"), [], [], buyer=OTHER_BUYER))
    assert scp.get(reverse("contracts:contract_detail", args=[plan.slug, other.pk])).status_code == 404


# --- query budgets: constant whatever the number of contracts ----------------------------------------


def page_urls(plan) -> dict[str, str]:
    contract = Contract.objects.order_by("pk").first()
    return {
        "legal": legal_url(plan, 2026),
        "list": f"{list_url(plan)}?annee=2026&q=e",
        "detail": reverse("contracts:contract_detail", args=[plan.slug, contract.pk]),
    }


# Per page: session, user and rights (3), the plan, the page's selector, and the site's demo notice
# (spaser.context_processors, looked up once per data version: counted here, caches being empty).
BUDGETS = {
    "legal": 20,  # + 15: contracts.selectors.legal_overview (8), its holders' section (7)
    "list": 10,  # + 5: buyers, thresholds, years and CPV divisions, count, page
    "detail": 10,  # + 5: buyers, the contract and its correction, thresholds, its lists, its history
}


@pytest.mark.parametrize("count", [5, 60])
def test_pages_keep_to_their_query_budget(scp, plan, count, django_assert_max_num_queries):
    for spec in generate(count, years=[2026]):
        create(spec)
    for name, url in page_urls(plan).items():
        caches["default"].clear()
        with django_assert_max_num_queries(BUDGETS[name], info=name):
            text(scp.get(url))


def test_queries_do_not_grow_with_the_contracts(scp, plan):
    def measure() -> dict[str, int]:
        counts = {}
        for name, url in page_urls(plan).items():
            caches["default"].clear()
            with CaptureQueriesContext(connection) as queries:
                text(scp.get(url))
            counts[name] = len(queries)
        return counts

    for spec in generate(5, years=[2026], prefix="A"):
        create(spec)
    few = measure()
    for spec in generate(55, years=[2026], prefix="B", seed=2):
        create(spec)
    assert measure() == few
