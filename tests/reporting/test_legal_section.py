"""The bilan's section "Indicateurs légaux (art. L2111-3)": page, PDF (read back with pdftotext) and
published versions, which freeze it like the rest."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.enums import Category
from contracts.services import decp_apply
from reporting.models import PublishedBilan
from reporting.pdf import bilan_pdf
from reporting.selectors import bilan_build
from reporting.services import bilan_publish
from tests.conftest import SPASER54
from tests.contracts import legal_data
from tests.contracts.legal_data import BUYER, Spec, add_buyer, create, expected, generate, table_rows
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

TITLE = "Indicateurs légaux (art. L2111-3)"


@pytest.fixture
def plan(small_plan):
    add_buyer(small_plan)
    return small_plan


@pytest.fixture
def specs(plan):
    specs = generate(40, years=range(2021, 2027), seed=11)
    for spec in specs:
        create(spec)
    return specs


def rows(legal: dict) -> dict[str, dict]:
    return {row["category"]: row for row in legal["rows"]}


def test_no_section_while_the_plan_has_no_buyer(small_plan, client, committee_user):
    assert bilan_build(plan=small_plan, year=2025)["legal"] is None
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert TITLE not in page


def test_annual_section_counts_the_years_contracts(plan, specs):
    legal = bilan_build(plan=plan, year=2025)["legal"]
    counts = expected(specs, years=[2025])
    for category in Category.values:
        row = rows(legal)[category]
        assert row["count"] == counts[category]["count"], category
        assert row["amount_label"] == legal_data.euros(counts[category]["amount"]), category
    # The trend covers the bilan's years, as its indicators do: 2021 to 2025, not 2026.
    assert [row["year"] for row in legal["trend"]] == [2021, 2022, 2023, 2024, 2025]
    for row in legal["trend"]:
        assert row["count"] == expected(specs, years=[row["year"]])["contracts"]["count"]
    assert legal["contracts"] == counts["contracts"]["count"]
    assert legal["known_count"] == counts["contracts"]["count"] - counts["unknown"]["count"]
    assert not legal["duty_applies"] and not legal["is_demo"]


def test_end_of_plan_section_adds_up_the_plans_years(plan, specs):
    bilan = bilan_build(plan=plan, year=None)
    counts = expected(specs, years=plan.years)
    for category in Category.values:
        assert rows(bilan["legal"])[category]["count"] == counts[category]["count"], category
    assert [row["year"] for row in bilan["legal"]["trend"]] == plan.years
    assert bilan["legal"]["period_label"] == "notifiés de 2021 à 2026"
    json.dumps(bilan)  # plain data: a published version stores it as JSON


def test_contracts_missing_an_environmental_consideration_are_listed(plan):
    create(Spec("E1", datetime.date(2026, 9, 1), Decimal("60000"), [], []))
    create(Spec("E2", datetime.date(2026, 8, 1), Decimal("60000"), [], []))  # before the duty
    legal = bilan_build(plan=plan, year=2026)["legal"]
    assert legal["duty_applies"] and legal["missing_count"] == 1
    assert [c["id"] for c in legal["missing"]] == ["E1"]


def test_demo_contracts_label_the_bilan_as_demo(plan):
    create(Spec("D1", datetime.date(2024, 3, 1), Decimal("60000"), [], [], is_demo=True))
    bilan = bilan_build(plan=plan, year=2024)
    assert bilan["legal"]["is_demo"] and bilan["is_demo"]


@pytest.mark.parametrize("count", [5, 60])
def test_the_section_costs_the_same_queries_whatever_the_contracts(
    plan, count, django_assert_max_num_queries
):
    for spec in generate(count, years=[2025]):
        create(spec)
    # About ten for the bilan, ten for the section (contracts.selectors.legal_overview), eight for the
    # holders' section (reporting.bilan_suppliers: thresholds, contracts and holders, local
    # départements (2), holders' facts (3), data dates).
    with django_assert_max_num_queries(30):
        bilan = bilan_build(plan=plan, year=2025)
    assert bilan["legal"]["contracts"] == count


def test_the_sections_queries_do_not_grow_with_the_contracts(plan):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            bilan_build(plan=plan, year=2025)
        return len(queries)

    for spec in generate(5, years=[2025], prefix="A"):
        create(spec)
    few = measure()
    for spec in generate(55, years=[2025], prefix="B", seed=2):
        create(spec)
    assert measure() == few


def test_page_shows_the_section_with_the_same_figures(plan, specs, client, committee_user):
    client.force_login(committee_user)
    html = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert TITLE in html and 'href="#indicateurs-legaux"' in html
    counts = expected(specs, years=[2025])
    body = {row[0]: row[1:] for row in table_rows(html, "taux-legaux")[1:]}
    for category, label in Category.choices:
        cells = body[squash(("↳ " if category == Category.RESERVED else "") + label)]
        assert cells[0] == str(counts[category]["count"]), category
        assert cells[2] == squash(legal_data.euros(counts[category]["amount"])), category


def test_pdf_carries_the_section(plan, specs):
    bilan = bilan_build(plan=plan, year=2025)
    text = squash(pdf_text(bilan_pdf(bilan)))
    counts = expected(specs, years=[2025])
    assert TITLE in text
    for category, label in Category.choices:
        assert squash(label) in text, category
        assert squash(legal_data.euros(counts[category]["amount"])) in text, category
    share = legal_data.share(counts["social"]["count"], counts["contracts"]["count"])
    assert squash(share) in text
    assert "Département de Meurthe-et-Moselle (SIRET 22540001600015)" in text
    assert "DÉMONSTRATION" not in text


def test_published_version_is_frozen_when_contracts_are_imported_later(
    plan, specs, scp_user, client, committee_user, tmp_path
):
    published = bilan_publish(plan=plan, year=2025, user=scp_user)
    frozen_legal, frozen_pdf = published.data["legal"], bytes(published.pdf)
    before = expected(specs, years=[2025])["contracts"]["count"]
    assert frozen_legal["contracts"] == before

    client.force_login(committee_user)
    live_url = reverse("reporting:bilan_detail", args=[SPASER54, 2025])
    assert client.get(live_url).status_code == 200  # the live bilan is built (and cached) now

    later = [
        Spec(f"L{n}", datetime.date(2025, 6, n + 1), Decimal("45000"), ["Clause sociale"], [])
        for n in range(3)
    ]
    decp_apply([str(legal_data.decp_file(tmp_path / "later.json", later))], buyers=[BUYER])

    published = PublishedBilan.objects.get(pk=published.pk)
    assert published.data["legal"] == frozen_legal and bytes(published.pdf) == frozen_pdf
    frozen_page = client.get(
        reverse("reporting:published_detail", args=[SPASER54, published.pk])
    ).content.decode()
    live_page = client.get(live_url).content.decode()
    assert table_rows(frozen_page, "taux-legaux")[1][1] == str(before)
    # The live bilan reads the register as it is now (the import changed the data's version).
    assert table_rows(live_page, "taux-legaux")[1][1] == str(before + 3)
    assert bilan_build(plan=plan, year=2025)["legal"]["contracts"] == before + 3


def test_a_version_published_before_the_section_still_renders(plan, specs, scp_user, client, committee_user):
    published = bilan_publish(plan=plan, year=2025, user=scp_user)
    data = dict(published.data)
    del data["legal"]  # as stored by a version of the application that had no such section
    PublishedBilan.objects.filter(pk=published.pk).update(data=data)
    client.force_login(committee_user)
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk]))
    assert page.status_code == 200 and TITLE not in page.content.decode()


def test_the_section_says_what_its_figures_rest_on(plan, scp_user, client, committee_user):
    """Anomalous amounts and SCP's corrections, counted and listed: on the page each linked to the
    contract's page in the register, in the PDF as text (its links would lead nowhere)."""
    from contracts.models import Contract
    from contracts.services import contract_correct

    create(Spec("OK1", datetime.date(2025, 3, 1), Decimal("60000"), [], []))
    create(Spec("ANO1", datetime.date(2025, 4, 1), Decimal("0.50"), [], []))
    corrected = create(Spec("COR1", datetime.date(2025, 5, 1), Decimal("80000"), [], []))
    contract_correct(
        contract=corrected,
        user=scp_user,
        flags={"social_clause": True},
        excluded=False,
        reason="CCAP, art. 7.",
    )

    legal = bilan_build(plan=plan, year=2025)["legal"]

    assert (legal["anomalies_count"], [c["id"] for c in legal["anomalies"]]) == (1, ["ANO1"])
    assert (legal["corrected_count"], [c["id"] for c in legal["corrected"]]) == (1, ["COR1"])
    assert rows(legal)["social"]["count"] == 1  # the correction counts
    assert rows(legal)["contracts"]["amount"] == "140000.00"  # the anomaly does not
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    link = reverse("contracts:contract_detail", args=[plan.slug, corrected.pk])
    assert f'<a href="{link}">COR1</a>' in page
    assert "Chiffres reposant sur des corrections du service commande publique : 1 contrat" in squash(page)
    text = squash(pdf_text(bilan_pdf(bilan_build(plan=plan, year=2025))))
    assert "Montants anormaux" in text and "ANO1" in text and "COR1" in text
    assert Contract.objects.get(pk=corrected.pk).corrected
