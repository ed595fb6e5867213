"""The bilan's section "Comparaison nationale": the comparison of the bilan's year as plain data,
frozen in a published version; the public site's copy leaves it out unless SCP published the
national computation it comes from."""

import datetime

import pytest
from django.urls import reverse

from national import services
from public.selectors import public_bilan_data
from reporting.selectors import bilan_build
from reporting.services import bilan_publish
from suppliers.models import LegalUnit
from tests.contracts.files import add_buyer
from tests.national.data import DEPARTEMENT, national_2022

pytestmark = pytest.mark.django_db
DATE = datetime.date(2026, 11, 1)


@pytest.fixture
def dataset(small_plan, tmp_path):
    add_buyer(small_plan, DEPARTEMENT)
    for siret in ("22540001600015", "22880001700013", "22570001900018"):
        LegalUnit.objects.create(siren=siret[:9], legal_category="7220", source_date=DATE)
    return services.national_compute(
        paths=[str(national_2022(tmp_path))], label="DECP test", source_date=DATE
    )


def test_the_bilan_of_2025_shows_the_buyer_among_the_departements(small_plan, dataset):
    national = bilan_build(plan=small_plan, year=2025)["national"]

    assert national["year"] == 2025 and not national["public"]
    buyer = national["buyers"][0]
    assert (buyer["siret"], buyer["kind_label"], buyer["contracts"], buyer["peers"]) == (
        DEPARTEMENT,
        "Départements",
        5,
        3,
    )
    assert buyer["rows"][0]["value"] == "40,0\u00a0%" and buyer["rows"][0]["rank"] == "2 sur 3"
    assert [row["year"] for row in buyer["trend"]] == [2021, 2022, 2023, 2024, 2025]
    assert buyer["trend"][3]["social"] == "100,0\u00a0%"  # D5 in 2024


def test_a_published_version_keeps_its_section_and_the_public_copy_only_once_published(
    small_plan, dataset, scp_user
):
    published = bilan_publish(plan=small_plan, year=2025, user=scp_user)
    dataset.figures.all().delete()  # later computations never change a published version

    assert published.data["national"]["buyers"][0]["contracts"] == 5
    assert public_bilan_data(published, [])["national"] is None

    services.dataset_publish(dataset=dataset, published=True, user=scp_user)
    again = bilan_publish(plan=small_plan, year=2025, user=scp_user)

    assert public_bilan_data(again, [])["national"]["public"] is True


def test_no_section_without_a_national_computation(small_plan):
    add_buyer(small_plan, DEPARTEMENT)

    assert bilan_build(plan=small_plan, year=2025)["national"] is None


def test_the_bilan_page_shows_the_section(client, committee_user, small_plan, dataset):
    client.force_login(committee_user)

    html = client.get(reverse("reporting:bilan_detail", args=[small_plan.slug, 2025])).content.decode()

    assert 'id="comparaison-nationale"' in html and "<td>2 sur 3</td>" in html
    assert "Source : DECP test, données du 1 novembre 2026." in html
