"""The bilan's section "Titulaires des contrats" (reporting.bilan_suppliers): its figures are the shares
counted by hand, in the page and the PDF, and a published version keeps them when SIRENE or the
inclusion lists change later."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import PublishedBilan
from reporting.pdf import bilan_pdf
from reporting.selectors import bilan_build
from reporting.services import bilan_publish
from suppliers.models import InclusionListing, LegalUnit
from tests.conftest import SPASER54
from tests.contracts import supplier_data
from tests.contracts.legal_data import table_rows
from tests.contracts.supplier_data import A, B
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

TITLE = "Titulaires des contrats"


@pytest.fixture
def made(small_plan):
    return supplier_data.load(small_plan)


def rows(section: dict) -> dict[str, dict]:
    return {row["category"]: row for row in section["rows"]}


def test_the_annual_section_gives_the_years_shares(small_plan, made):
    bilan = bilan_build(plan=small_plan, year=2025)
    section = bilan["suppliers"]
    wanted = supplier_data.expected(made, 2025)
    for key, figure in wanted.items():
        row = rows(section)[key]
        assert (row["count"], Decimal(row["amount"])) == (figure["count"], figure["amount"]), key
    assert section["period_label"] == "notifiés en 2025" and section["contracts"] == 5
    json.dumps(bilan)  # plain data, as a published version stores it


def test_the_end_of_plan_section_adds_up_the_years(small_plan, made):
    section = bilan_build(plan=small_plan, year=None)["suppliers"]
    # S-7 (2024, A alone: PME, TPE, local) comes on top of 2025.
    assert rows(section)["tpe"]["count"] == 3 and rows(section)["tpe"]["amount"] == "52333.33"
    assert section["period_label"] == "notifiés de 2021 à 2026"


def test_no_section_without_buyers(small_plan):
    assert bilan_build(plan=small_plan, year=2025)["suppliers"] is None


def test_the_page_and_the_pdf_carry_the_section(small_plan, made, client, committee_user):
    client.force_login(committee_user)
    html = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert TITLE in html and 'href="#titulaires-des-contrats"' in html
    body = {row[0]: row[1:] for row in table_rows(html, "titulaires-categories")[1:]}
    assert body["PME (catégorie INSEE)"][:4] == ["3", "60,0 %", "100 333,33 €", "98,8 %"]
    text = squash(pdf_text(bilan_pdf(bilan_build(plan=small_plan, year=2025))))
    assert TITLE in text and squash("100 333,33 €") in text and "partagé à parts égales" in text


def test_a_published_version_keeps_its_figures_when_sirene_changes(
    small_plan, made, scp_user, client, committee_user
):
    published = bilan_publish(plan=small_plan, year=2025, user=scp_user)
    frozen = published.data["suppliers"]
    assert rows(frozen)["ess"]["count"] == 1
    # Later: B is no longer ESS, A joins the GEIQ list.
    LegalUnit.objects.filter(siren=B[:9]).update(ess=False)
    InclusionListing.objects.create(
        siret=A,
        siren=A[:9],
        kind="geiq",
        subkind="GEIQ",
        source="Liste des GEIQ",
        source_date=supplier_data.D(2026, 12, 1),
    )
    assert rows(bilan_build(plan=small_plan, year=2025)["suppliers"])["ess"]["count"] == 0
    published = PublishedBilan.objects.get(pk=published.pk)
    assert published.data["suppliers"] == frozen
    client.force_login(committee_user)
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk])).content.decode()
    body = {row[0]: row[1:] for row in table_rows(page, "titulaires-categories")[1:]}
    assert body["Économie sociale et solidaire"][0] == "1" and body["GEIQ"][0] == "1"


def test_a_version_published_before_the_section_still_renders(
    small_plan, made, scp_user, client, committee_user
):
    published = bilan_publish(plan=small_plan, year=2025, user=scp_user)
    data = dict(published.data)
    del data["suppliers"]
    PublishedBilan.objects.filter(pk=published.pk).update(data=data)
    client.force_login(committee_user)
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk]))
    assert page.status_code == 200 and TITLE not in page.content.decode()
