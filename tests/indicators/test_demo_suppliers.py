"""`make run`'s demo: fictitious companies, inclusion lists and a national sample, so that the shares by
category of holders, the holder page and the national comparison show something, flagged as demo."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from contracts.selectors import legal_figures
from national import selectors as national_selectors
from national.models import NationalDataset, NationalFigure
from suppliers.models import Establishment, InclusionListing, LegalUnit, SupplierImport

DEMO = str(settings.BASE_DIR / "fixtures" / "demo" / "demo.yaml")


@pytest.fixture
def demo(spaser54):
    call_command("load_demo", DEMO)
    return spaser54


@pytest.mark.django_db
def test_the_demo_loads_companies_lists_and_a_national_sample_once_flagged(demo):
    counts = [m.objects.count() for m in (LegalUnit, Establishment, InclusionListing, NationalFigure)]
    call_command("load_demo", DEMO)
    assert [m.objects.count() for m in (LegalUnit, Establishment, InclusionListing, NationalFigure)] == counts
    assert counts[0] > 24 and counts[2] == 8 and NationalDataset.objects.count() == 1
    for model in (LegalUnit, Establishment, InclusionListing, SupplierImport, NationalDataset):
        assert not model.objects.filter(is_demo=False).exists()
    assert not NationalDataset.objects.get().published  # SCP publishes it, as with real data


@pytest.mark.django_db
def test_the_demo_buyer_has_shares_by_category_and_a_national_rank(demo):
    figures = legal_figures(demo, 2025).as_json()
    contracts = figures["contracts"]["count"]
    for key in ("pme", "ess", "siae", "ea_esat", "local"):
        assert 0 < figures[key]["count"] <= contracts
        assert Decimal("0") < Decimal(figures[key]["amount"]) <= Decimal(figures["contracts"]["amount"])
    comparison = national_selectors.comparison("99999999999954", 2025).as_json()
    assert comparison["kind"] == "departement" and comparison["contracts"] == contracts
    assert comparison["peers"] == 15  # the demo buyer and the 14 fictitious départements
