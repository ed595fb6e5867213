"""Publishing: the exact data and PDF are frozen; later edits change nothing; versions are kept."""

import hashlib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Fiche
from actions.services import plan_publication_set
from reporting.models import PublishedBilan
from reporting.services import PublicationRefused, bilan_publish, published_bilan_set_public
from tests.conftest import SPASER54
from tests.factories import AnnualReviewFactory, IndicatorValueFactory
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def test_published_bilan_is_unchanged_after_edits(client, scp_user, committee_user, small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=5)
    indicator = fiche.indicators.first()
    value = IndicatorValueFactory(indicator=indicator, year=2024, value_number=Decimal(37))
    review = AnnualReviewFactory(fiche=fiche, year=2024, achievements="Réalisation d'origine")
    old_title = fiche.title

    client.force_login(scp_user)
    response = client.post(reverse("reporting:bilan_publish", args=[SPASER54, 2024]))
    published = PublishedBilan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reporting:published_detail", args=[SPASER54, published.pk]
    )
    assert published.version == 1 and published.published_by == scp_user and published.year == 2024
    assert published.sha256 == hashlib.sha256(bytes(published.pdf)).hexdigest()
    original_pdf = bytes(published.pdf)
    assert "37 %" in pdf_text(original_pdf)

    # Everything the bilan shows is edited afterwards.
    value.value_number = Decimal(99)
    value.save()
    review.achievements = "Réalisation réécrite"
    review.save()
    fiche.title = "Titre modifié après publication"
    fiche.save()

    client.force_login(committee_user)
    served = client.get(reverse("reporting:published_pdf", args=[SPASER54, published.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served.content == original_pdf
    assert served["ETag"] == f'"{published.sha256}"'
    # Read from the database once: the next download is the same bytes, and no query reads the PDF.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(reverse("reporting:published_pdf", args=[SPASER54, published.pk]))
    assert again.content == original_pdf
    assert not [q for q in queries.captured_queries if '"pdf"' in q["sql"]]
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk])).content.decode()
    assert old_title in page and "Titre modifié après publication" not in page
    assert "37 %" in page and "99 %" not in page and "Réalisation d&#x27;origine" in page
    live = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2024])).content.decode()
    assert "Titre modifié après publication" in live and "99 %" in live and "Réalisation réécrite" in live


def test_new_version_and_list_of_versions(client, scp_user, committee_user, small_plan):
    first = bilan_publish(plan=small_plan, year=2025, user=scp_user)
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    IndicatorValueFactory(indicator=fiche.indicators.first(), year=2025, value_number=Decimal(55))
    second = bilan_publish(plan=small_plan, year=2025, user=scp_user)
    other_year = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    final = bilan_publish(plan=small_plan, year=None, user=scp_user)
    assert (first.version, second.version, other_year.version, final.version) == (1, 2, 1, 1)
    assert first.data != second.data and bytes(first.pdf) != bytes(second.pdf)
    assert second.data["publication"]["version"] == 2
    assert "version 2" in squash(pdf_text(bytes(second.pdf)))

    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_list", args=[SPASER54])).content.decode()
    for bilan in (first, second, other_year, final):
        assert reverse("reporting:published_detail", args=[SPASER54, bilan.pk]) in page
        assert reverse("reporting:published_pdf", args=[SPASER54, bilan.pk]) in page
    assert "Bilan de fin de plan 2021-2026" in page
    year_page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert "Versions publiées (2)" in year_page


def test_public_flag_opens_the_published_bilan_without_login(client, scp_user, small_plan):
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    args = [small_plan.slug, "2024", published.version]
    public_url, public_pdf = reverse("public:bilan", args=args), reverse("public:bilan_pdf", args=args)
    public_list = reverse("public:bilans", args=[small_plan.slug])
    assert client.get(public_url).status_code == 404
    assert client.get(public_pdf).status_code == 404
    assert public_url not in client.get(public_list).content.decode()

    client.force_login(scp_user)
    page = client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk])).content.decode()
    assert "Rendre public" in page
    response = client.post(
        reverse("reporting:published_set_public", args=[SPASER54, published.pk]), {"is_public": "1"}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.is_public
    assert published.history.first().history_user == scp_user
    client.logout()

    assert public_url in client.get(public_list).content.decode()
    page = client.get(public_url)
    assert page.status_code == 200 and "Bilan annuel 2024" in page.content.decode()
    pdf = client.get(public_pdf)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The public PDF is the frozen data rendered as a tagged PDF, without the publisher's name.
    text = squash(pdf_text(pdf.content))
    assert "Bilan annuel 2024" in text and "version 1" in text and "Scp Test" not in text
    assert "Scp Test" in squash(pdf_text(bytes(published.pdf)))

    published_bilan_set_public(bilan=published, is_public=False, user=scp_user)
    assert client.get(public_url).status_code == 404


def test_a_version_with_figures_not_validated_cannot_be_made_public(client, scp_user, small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True, achievements="Pas encore validé")
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    client.force_login(scp_user)
    response = client.post(
        reverse("reporting:published_set_public", args=[SPASER54, published.pk]),
        {"is_public": "1"},
        follow=True,
    )
    assert "le bilan annuel de la fiche 11 n&#x27;est pas validé" in response.content.decode()
    published.refresh_from_db()
    assert not published.is_public
    with pytest.raises(
        PublicationRefused,
        match="ne peut pas être rendu public : le bilan annuel de la fiche 11 n'est pas validé",
    ):
        published_bilan_set_public(bilan=published, is_public=True, user=scp_user)


def test_publish_needs_post(client, scp_user, small_plan):
    client.force_login(scp_user)
    assert client.get(reverse("reporting:bilan_publish", args=[SPASER54, 2025])).status_code == 405
    assert not PublishedBilan.objects.exists()


def test_published_list_and_page_query_budget(
    client, committee_user, scp_user, small_plan, django_assert_max_num_queries
):
    for year in (2022, 2023, 2024):
        bilan_publish(plan=small_plan, year=year, user=scp_user)
    client.force_login(committee_user)
    # Session, user, groups, demo flag, plan, published versions (with their author): not one per version.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("reporting:bilan_list", args=[SPASER54]))
    assert page.status_code == 200
    published = PublishedBilan.objects.first()
    # Session, user, groups, demo flag, the published row: the frozen data needs no other table.
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("reporting:published_detail", args=[SPASER54, published.pk])).status_code
            == 200
        )
