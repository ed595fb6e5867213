"""The SIRENE import keeps the national buyers' legal units: their kind comes from them."""

import pytest

from national.models import NationalDataset, NationalFigure
from suppliers.wanted import wanted_identifiers

pytestmark = pytest.mark.django_db


def test_the_national_buyers_are_wanted_by_their_siren():
    dataset = NationalDataset.objects.create(label="DECP", source_date="2026-11-01")
    for siret, year in (("22540001300013", 2024), ("22540001300013", 2025), ("21540395800016", 2025)):
        NationalFigure.objects.create(
            dataset=dataset,
            buyer_siret=siret,
            buyer_siren=siret[:9],
            year=year,
            contracts=1,
            social=0,
            environmental=0,
        )
    sirens, sirets = wanted_identifiers()
    assert {"225400013", "215403958"} <= sirens
    assert "22540001300013" not in sirets  # the buyer's kind is its legal unit's: no establishment needed
