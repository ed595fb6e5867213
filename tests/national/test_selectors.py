"""The comparison: a buyer's shares beside its peers' (its kind, from SIRENE), medians, quartiles,
ranks, the national rate and the PNAD targets; the same number of queries whatever the number of
buyers; the command's JSON."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from national import selectors, services
from national.models import NationalDataset, NationalFigure
from suppliers.enums import BuyerKind
from suppliers.models import LegalUnit
from tests.national.data import (
    COMMUNE,
    DEPARTEMENT,
    OTHER_DEPARTEMENT,
    THIRD_DEPARTEMENT,
    UNKNOWN_KIND,
    national_2022,
)

pytestmark = pytest.mark.django_db
DATE = datetime.date(2026, 11, 1)


def legal_unit(siret: str, category: str) -> LegalUnit:
    return LegalUnit.objects.create(siren=siret[:9], legal_category=category, source_date=DATE)


@pytest.fixture
def dataset(tmp_path) -> NationalDataset:
    for siret in (DEPARTEMENT, OTHER_DEPARTEMENT, THIRD_DEPARTEMENT):
        legal_unit(siret, "7220")
    legal_unit(COMMUNE, "7210")
    return services.national_compute(paths=[str(national_2022(tmp_path))], label="Test", source_date=DATE)


def test_a_departement_among_the_departements(dataset):
    found = selectors.comparison(DEPARTEMENT, 2025)

    # Département 2/5 social, 1/5 environmental; the other 2/2 and 1/2; the third 0/1 and 0/1.
    assert (found.kind, found.contracts, found.peers) == (BuyerKind.DEPARTEMENT, 5, 3)
    social, environmental = found.spreads["social"], found.spreads["environmental"]
    assert (social.value, social.median, social.rank) == (Decimal("0.4"), Decimal("0.4"), 2)
    assert (social.first_quartile, social.third_quartile) == (Decimal("0.2"), Decimal("0.7"))
    assert (environmental.value, environmental.median, environmental.rank) == (
        Decimal("0.2"),
        Decimal("0.2"),
        2,
    )
    # Every buyer of 2025: 10 contracts, 5 social (2 + 2 + 0 + commune 1 + other 0), 4 environmental.
    assert (social.national, environmental.national) == (Decimal("0.5"), Decimal("0.4"))
    assert (social.target, environmental.target) == (Decimal("0.30"), Decimal("1.00"))


def test_a_buyer_without_legal_unit_is_among_the_others(dataset):
    found = selectors.comparison(UNKNOWN_KIND, 2025)

    assert (found.kind, found.peers, found.spreads["social"].rank) == (BuyerKind.OTHER, 1, 1)


def test_equal_shares_share_the_best_rank():
    dataset = NationalDataset.objects.create(label="Test", source_date=DATE)
    for number, (contracts, social) in enumerate([(4, 2), (2, 1), (10, 9), (3, 0)]):
        siret = f"22{number:07}00015"
        legal_unit(siret, "7220")
        NationalFigure.objects.create(
            dataset=dataset,
            buyer_siret=siret,
            buyer_siren=siret[:9],
            year=2025,
            contracts=contracts,
            social=social,
            environmental=0,
        )

    ranks = [selectors.comparison(f"22{n:07}00015", 2025).spreads["social"].rank for n in range(4)]

    assert ranks == [2, 2, 1, 4]


def test_the_comparison_of_every_buyer_costs_the_same_queries_at_any_size(django_assert_max_num_queries):
    for size in (10, 300):
        dataset = NationalDataset.objects.create(label=f"Test {size}", source_date=DATE)
        figures = []
        for number in range(size):
            siret = f"2{size:03}{number:010}"
            figures.append(
                NationalFigure(
                    dataset=dataset,
                    buyer_siret=siret,
                    buyer_siren=siret[:9],
                    year=2025,
                    contracts=10,
                    social=number % 10,
                    environmental=number % 7,
                )
            )
        NationalFigure.objects.bulk_create(figures)
        sirets = [f.buyer_siret for f in figures]
        with django_assert_max_num_queries(1):  # the figures with their buyers' legal categories
            found = selectors.comparisons(sirets, dataset=dataset, years=[2024, 2025])
        assert len(found) == size and all(found[s][2025].peers == size for s in sirets)


def test_the_command_prints_the_json_keys(dataset):
    out = io.StringIO()

    call_command(
        "national_comparison", "--year", "2025", "--buyer", DEPARTEMENT, "--format", "json", stdout=out
    )

    assert json.loads(out.getvalue()) == {
        "buyer": DEPARTEMENT,
        "kind": "departement",
        "year": 2025,
        "contracts": 5,
        "social_share": 0.4,
        "environmental_share": 0.2,
        "peers": 3,
        "median_social_share": 0.4,
        "median_environmental_share": 0.2,
        "rank_social": 2,
        "rank_environmental": 2,
    }


def test_four_decimals(dataset):
    found = selectors.comparison(OTHER_DEPARTEMENT, 2025).as_json()
    three = NationalFigure.objects.get(buyer_siret=THIRD_DEPARTEMENT)
    three.contracts, three.social = 3, 1
    three.save()

    assert found["environmental_share"] == 0.5
    assert selectors.comparison(THIRD_DEPARTEMENT, 2025).as_json()["social_share"] == 0.3333


@pytest.mark.parametrize(
    ("buyer", "year"), [(DEPARTEMENT, 2023), ("11111111111111", 2025)], ids=["year", "buyer"]
)
def test_unknown_buyer_or_year_is_a_french_error(dataset, buyer, year):
    with pytest.raises(CommandError, match=f"Aucun contrat de l'acheteur {buyer} notifié en {year}"):
        call_command("national_comparison", "--year", str(year), "--buyer", buyer, "--format", "json")


def test_without_any_dataset():
    with pytest.raises(CommandError, match="Aucune donnée nationale"):
        call_command("national_comparison", "--year", "2025", "--buyer", DEPARTEMENT)
