"""Evidence never reaches the public site nor its open data: unique markers in the titles, file names
and links of evidence of a validated (public) year and of a year in progress; the whole public site is
crawled (pages, the published bilan and its PDF, every open data file) and no marker may appear."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Fiche
from actions.services import plan_publication_set
from evidence.services import evidence_add
from reporting.services import bilan_publish, published_bilan_set_public
from tests.evidence.conftest import add_file
from tests.factories import AnnualReviewFactory
from tests.public.conftest import crawl, readable_text

pytestmark = pytest.mark.django_db

MARKERS = ("ZQ-preuve-titre-validee", "ZQ-preuve-fichier", "zq-preuve-lien", "ZQ-preuve-titre-en-cours")


@pytest.fixture
def site_with_evidence(small_plan, scp_user, campaign2025, pilot11):
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    fiche = Fiche.objects.select_related("plan").get(plan=small_plan, number=11)
    indicator = fiche.indicators.order_by("position").first()
    add_file(fiche, scp_user, year=2024, title=MARKERS[0], name=f"{MARKERS[1]}.pdf", indicator=indicator)
    evidence_add(
        fiche=fiche,
        year=2024,
        user=scp_user,
        title="Délibération",
        dated=datetime.date(2024, 6, 1),
        url=f"https://example.org/{MARKERS[2]}",
    )
    AnnualReviewFactory(fiche=fiche, year=2024, validated=True)  # the year is public now
    add_file(fiche, pilot11, year=2025, title=MARKERS[3])
    bilan = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    published_bilan_set_public(bilan=bilan, is_public=True, user=scp_user)
    return small_plan


def test_no_evidence_on_any_public_page_or_file(site_with_evidence):
    plan = site_with_evidence
    responses = crawl(Client())
    expected = {
        reverse("public:fiche", args=[plan.slug, 11]),
        reverse("public:bilan_pdf", args=[plan.slug, "2024", 1]),
        reverse("public:data_file", args=[plan.slug, "valeurs.csv"]),
    }
    assert expected <= set(responses), expected - set(responses)
    for path, response in responses.items():
        text = readable_text(response).lower()
        leaks = [marker for marker in MARKERS if marker.lower() in text]
        assert leaks == [], f"evidence {leaks} is public on {path}"
        assert "/preuves/" not in text, path
