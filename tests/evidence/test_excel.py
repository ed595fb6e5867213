"""The values workbook's evidence columns (evidence.workbook, plugged into indicators.workbook_extras):
one count per value and year, current evidence only; the import skips them, whatever they hold."""

from decimal import Decimal

import pytest
from django.utils import timezone

from actions.models import Fiche
from evidence.models import Evidence
from indicators import values_workbook as imports
from indicators.models import IndicatorValue
from tests.factories import EvidenceFactory, IndicatorValueFactory
from tests.utils import database_state
from tests.workbooks import Sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    first, second = fiche.indicators.order_by("position")[:2]
    IndicatorValueFactory(indicator=first, year=2025, value_number=Decimal(4))
    IndicatorValueFactory(indicator=second, year=2024, value_number=Decimal(9))
    EvidenceFactory(indicator=first, year=2025)
    EvidenceFactory(indicator=first, year=2025, link=True)  # a link supports the value too
    EvidenceFactory(indicator=first, year=2025, removed_at=timezone.now())  # removed: not counted
    EvidenceFactory(indicator=first, year=2023)
    EvidenceFactory(fiche=fiche, year=2025)  # the fiche's, about no value
    return first, second


def test_each_value_has_its_evidence_count_per_year(spaser54, indicators):
    first, second = indicators
    sheet = Sheet(imports.values_workbook(spaser54))
    years = [str(y) for y in spaser54.years]
    counts = [f"Preuves {y}" for y in years]
    assert sheet.headers == [*imports.FIXED_HEADERS, *years, *counts]
    assert [sheet.cell(first.code, h).value for h in counts] == [0, 0, 1, 0, 2, 0]
    assert [sheet.cell(second.code, h).value for h in counts] == [0] * 6


def test_the_import_ignores_the_evidence_columns(spaser54, scp_user, indicators):
    first, second = indicators
    sheet = Sheet(imports.values_workbook(spaser54))
    sheet.set(first.code, "Preuves 2025", 40)  # counts edited, even to nonsense: nothing about evidence
    sheet.set(second.code, "Preuves 2024", "beaucoup")
    sheet.set(second.code, "Preuves 2022", None)
    edited = sheet.save()
    before = database_state()

    preview = imports.values_import(file=edited, user=scp_user, dry_run=True, plan=spaser54)
    assert preview.messages == [] and preview.to_write == []
    result = imports.values_import(file=edited, user=scp_user, dry_run=False, plan=spaser54)
    assert result.messages == [] and result.to_write == []
    assert database_state() == before


def test_a_value_edited_beside_its_count_is_imported_alone(spaser54, scp_user, indicators):
    first, _ = indicators
    sheet = Sheet(imports.values_workbook(spaser54))
    sheet.set(first.code, "2025", 5)
    sheet.set(first.code, "Preuves 2025", 0)
    evidence_before = sorted(Evidence.objects.values_list("pk", "version", "removed_at"))
    history_before = Evidence.history.count()

    result = imports.values_import(file=sheet.save(), user=scp_user, dry_run=False, plan=spaser54)

    assert result.messages == [] and [(c.indicator, c.year) for c in result.to_write] == [(first, 2025)]
    assert IndicatorValue.objects.get(indicator=first, year=2025).value_number == 5
    assert sorted(Evidence.objects.values_list("pk", "version", "removed_at")) == evidence_before
    assert Evidence.history.count() == history_before


def test_a_refused_cell_still_writes_nothing(spaser54, scp_user, indicators):
    """All or nothing, the evidence columns aside: one bad value and nothing is written."""
    first, second = indicators
    sheet = Sheet(imports.values_workbook(spaser54))
    sheet.set(first.code, "2025", 6)
    sheet.set(second.code, "2024", "pas un nombre")
    sheet.set(first.code, "Preuves 2025", 9)
    before = database_state()
    result = imports.values_import(file=sheet.save(), user=scp_user, dry_run=False, plan=spaser54)
    assert not result.written and len(result.messages) == 1 and "2024" in result.messages[0]
    assert database_state() == before
