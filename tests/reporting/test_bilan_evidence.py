"""The evidence in the bilan: each fiche's titles per year (never the files, never removed evidence),
the indicators whose figure has none, the key figures' "Chiffres appuyés par une preuve"; frozen in
published versions; in the PDF; never on the public site."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Fiche
from actions.services import plan_publication_set
from reporting.models import PublishedBilan
from reporting.pdf import bilan_pdf
from reporting.selectors import bilan_build
from reporting.services import bilan_publish, published_bilan_set_public
from tests.conftest import SPASER54
from tests.factories import (
    AnnualReviewFactory,
    EvidenceFactory,
    IndicatorValueFactory,
    MilestoneFactory,
)
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def _fiche(bilan: dict, number: int) -> dict:
    return next(f for a in bilan["axes"] for f in a["fiches"] if f["number"] == number)


def _indicator(fiche: dict, code: str) -> dict:
    return next(i for i in fiche["indicators"] if i["code"] == code)


@pytest.fixture
def fiche11(small_plan) -> Fiche:
    return Fiche.objects.get(plan=small_plan, number=11)


@pytest.fixture
def supported(fiche11):
    """Fiche 11 in 2025: its first indicator's value with two pieces of evidence (a file, a link), its
    second indicator's value with none, a removed piece, a milestone's piece and one of 2024."""
    first, second = fiche11.indicators.order_by("position")[:2]
    for indicator in (first, second):
        IndicatorValueFactory(indicator=indicator, year=2025, value_number=Decimal(4))
    EvidenceFactory(indicator=first, year=2025, title="Convention d'insertion signée")
    EvidenceFactory(indicator=first, year=2025, title="Tableau de suivi en ligne", link=True)
    EvidenceFactory(indicator=second, year=2025, title="Preuve retirée", removed_at=timezone.now())
    milestone = MilestoneFactory(fiche=fiche11, text="Charte des achats adoptée")
    EvidenceFactory(milestone=milestone, year=2025, title="Délibération de l'assemblée")
    EvidenceFactory(fiche=fiche11, year=2024, title="Compte rendu du comité 2024")
    return first, second


def test_each_fiche_lists_its_current_evidence_per_year_and_marks_indicators_without(fiche11, supported):
    first, second = supported
    bilan = bilan_build(plan=fiche11.plan, year=2025)
    fiche = _fiche(bilan, 11)
    assert [(y["year"], y["count"], y["count_label"]) for y in fiche["evidence"]] == [
        (2024, 1, "1 preuve"),
        (2025, 3, "3 preuves"),
    ]
    titles = {item["title"]: item for item in fiche["evidence"][1]["items"]}
    assert set(titles) == {
        "Convention d'insertion signée",
        "Tableau de suivi en ligne",
        "Délibération de l'assemblée",
    }
    assert (
        titles["Tableau de suivi en ligne"]["is_link"]
        and not titles["Convention d'insertion signée"]["is_link"]
    )
    assert titles["Convention d'insertion signée"]["about"] == f"indicateur {first.code}"
    assert titles["Délibération de l'assemblée"]["about"] == "jalon « Charte des achats adoptée »"
    assert "Preuve retirée" not in json.dumps(bilan)  # removed: not counted, not named
    # Nothing of the file itself: no storage name, no URL, no checksum.
    assert set(titles["Convention d'insertion signée"]) == {"title", "is_link", "about"}

    assert _indicator(fiche, first.code)["evidence"] == {
        "count": 2,
        "filled": 1,
        "supported": 1,
        "unsupported_years": [],
    }
    assert _indicator(fiche, second.code)["evidence"]["unsupported_years"] == [2025]
    # An indicator with no value in 2025 is "non renseigné", not "sans preuve".
    third = fiche11.indicators.order_by("position")[2]
    assert _indicator(fiche, third.code)["evidence"]["unsupported_years"] == []


def test_key_figures_count_the_figures_resting_on_evidence(fiche11, supported):
    figures = bilan_build(plan=fiche11.plan, year=2025)["key_figures"]["evidence"]
    assert figures["label"] == "Chiffres appuyés par une preuve (2025)"
    assert (figures["filled"], figures["supported"], figures["share_label"]) == (2, 1, "50 %")
    axis = next(a for a in figures["by_axis"] if a["filled"])
    assert (axis["filled"], axis["supported"], axis["share_label"]) == (2, 1, "50 %")
    assert sum(a["filled"] for a in figures["by_axis"]) == figures["filled"]


def test_end_of_plan_bilan_marks_each_year_without_evidence(fiche11, supported):
    first, _ = supported
    IndicatorValueFactory(indicator=first, year=2023, value_number=Decimal(2))
    bilan = bilan_build(plan=fiche11.plan, year=None)
    assert _indicator(_fiche(bilan, 11), first.code)["evidence"]["unsupported_years"] == [2023]
    figures = bilan["key_figures"]["evidence"]
    assert figures["label"] == "Chiffres appuyés par une preuve (2021-2026, indicateur × année)"
    assert (figures["filled"], figures["supported"]) == (3, 1)


def test_evidence_is_read_in_one_query_whatever_its_amount(demo_plan):
    with CaptureQueriesContext(connection) as without:
        bilan_build(plan=demo_plan, year=2025)
    for fiche in Fiche.objects.filter(plan=demo_plan).prefetch_related("indicators"):
        for indicator in fiche.indicators.all()[:3]:
            EvidenceFactory.create_batch(2, indicator=indicator, year=2025, link=True)
        EvidenceFactory(fiche=fiche, year=2024, link=True)
    with CaptureQueriesContext(connection) as with_evidence:
        bilan = bilan_build(plan=demo_plan, year=2025)
    assert len(with_evidence.captured_queries) == len(without.captured_queries)
    assert all(f["evidence"] for a in bilan["axes"] for f in a["fiches"])


def test_the_page_shows_the_titles_and_the_key_figures_table(client, committee_user, fiche11, supported):
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert "Chiffres appuyés par une preuve (2025)" in page and 'id="chiffres-appuyes"' in page
    assert "Convention d&#x27;insertion signée" in page and "Tableau de suivi en ligne (lien)" in page
    assert '<span class="no-evidence">sans preuve</span>' in page
    assert "Preuve retirée" not in page
    assert "Aucune preuve jointe." in page  # fiche 5 has none


def test_the_pdf_lists_the_evidence_titles(fiche11, supported):
    text = squash(pdf_text(bilan_pdf(bilan_build(plan=fiche11.plan, year=2025))))
    assert "Convention d'insertion signée" in text and "Compte rendu du comité 2024" in text
    assert "Chiffres appuyés par une preuve (2025)" in text and "sans preuve" in text
    assert "Preuve retirée" not in text


def test_a_published_version_keeps_its_evidence_as_it_was(client, scp_user, fiche11, supported):
    first, second = supported
    published = bilan_publish(plan=fiche11.plan, year=2025, user=scp_user)
    frozen_pdf, frozen_data = bytes(published.pdf), published.data
    assert "Convention d'insertion signée" in pdf_text(frozen_pdf)

    EvidenceFactory(indicator=second, year=2025, title="Preuve ajoutée après publication")
    old = first.evidence.get(title="Convention d'insertion signée")
    old.removed_at = timezone.now()
    old.save()

    published = PublishedBilan.objects.get(pk=published.pk)
    assert bytes(published.pdf) == frozen_pdf and published.data == frozen_data
    client.force_login(scp_user)
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk])).content.decode()
    assert "Convention d&#x27;insertion signée" in page and "Preuve ajoutée après publication" not in page
    live = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert "Preuve ajoutée après publication" in live and "Convention d&#x27;insertion signée" not in live


def test_the_public_site_shows_no_evidence(client, scp_user, small_plan):
    """A public version of a bilan whose figures rest on evidence: neither its titles nor its counts."""
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    indicator = fiche.indicators.order_by("position").first()
    for number in (5, 11):
        AnnualReviewFactory(
            fiche=Fiche.objects.get(plan=small_plan, number=number), year=2021, validated=True
        )
    IndicatorValueFactory(indicator=indicator, year=2021, value_number=Decimal(3))
    EvidenceFactory(indicator=indicator, year=2021, title="ZQ-titre-de-preuve")
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    published = published_bilan_set_public(
        bilan=bilan_publish(plan=small_plan, year=2021, user=scp_user), is_public=True, user=scp_user
    )
    assert "ZQ-titre-de-preuve" in pdf_text(bytes(published.pdf))  # the internal version names it

    client.logout()
    page = client.get(reverse("public:bilan", args=[SPASER54, "2021", published.version]))
    assert page.status_code == 200
    pdf = client.get(reverse("public:bilan_pdf", args=[SPASER54, "2021", published.version]))
    for text in (page.content.decode(), pdf_text(pdf.content)):
        assert "ZQ-titre-de-preuve" not in text
        assert "Chiffres appuyés par une preuve" not in text and "sans preuve" not in text
        assert "Preuves" not in text
