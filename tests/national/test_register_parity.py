"""THE rule of the national comparison: a buyer's national figures are what the register computes for
that buyer from the same file (contracts.services.decp_apply, then contracts.selectors.legal_figures),
category by category, in number and value, for every buyer and year of the file: hand-built files
with every case, and real files as published."""

import datetime
from pathlib import Path

import pytest

from contracts import selectors
from contracts import services as register
from contracts.enums import Category
from contracts.models import Contract, Threshold
from national import services
from national.models import NationalFigure
from tests.contracts.files import DATA
from tests.factories import PlanFactory
from tests.national.data import national_2019, national_2022

pytestmark = pytest.mark.django_db
REAL = DATA / "real"


def register_tally(plan, siret: str, year: int) -> dict:
    tally = selectors.legal_figures(plan, year, [siret]).tally
    return {c: {"count": tally[c]["count"], "amount": f"{tally[c]['amount']:.2f}"} for c in Category.values}


def assert_same_as_register(paths: list[Path]) -> int:
    dataset = services.national_compute(
        paths=[str(p) for p in paths], label="Test", source_date=datetime.date(2026, 11, 1)
    )
    figures = list(NationalFigure.objects.filter(dataset=dataset))
    sirets = sorted({f.buyer_siret for f in figures})
    register.decp_apply([str(p) for p in paths], buyers=sirets)
    plan = PlanFactory()
    for figure in figures:
        assert figure.tally == register_tally(plan, figure.buyer_siret, figure.year), figure
    # and no buyer-year of the register is missing nationally
    registered = {(c.buyer_siret, c.year) for c in Contract.objects.all()}
    assert registered == {(f.buyer_siret, f.year) for f in figures}
    return len(figures)


def test_hand_built_files_give_the_register_figures(tmp_path):
    assert assert_same_as_register([national_2022(tmp_path), national_2019(tmp_path)]) == 8


def test_with_a_ceiling_of_scp(tmp_path):
    Threshold.objects.create(
        kind="plafond", amount=120000, valid_from=datetime.date(2019, 1, 1), source="Test"
    )
    Threshold.objects.create(
        kind="plafond", amount=5000, valid_from=datetime.date(2025, 3, 15), source="Test"
    )

    assert_same_as_register([national_2022(tmp_path)])


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.json")))
def test_real_files_give_the_register_figures(name):
    assert assert_same_as_register([REAL / name]) > 0


def test_real_files_together():
    """Several files at once, as a national run over the years reads them."""
    assert assert_same_as_register(sorted(REAL.glob("*.json"))) > 50
