"""The "Indicateurs" sheet through django-import-export: round trip and French numbers."""

from decimal import Decimal

from indicators import excel
from indicators.models import Indicator
from indicators.resources import IndicatorResource, IndicatorsXLSX

from .conftest import Sheet


def _import(data: bytes, *, dry_run: bool):
    dataset = IndicatorsXLSX().create_dataset(data)
    return IndicatorResource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )


def test_export_then_import_unchanged_skips_every_row(spaser54):
    before = Indicator.history.count()
    result = _import(excel.plan_workbook(spaser54), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == Indicator.objects.of_plan(spaser54).count()
    assert Indicator.history.count() == before


def test_french_target_is_read_right_and_a_bad_one_writes_nothing(spaser54):
    sheet = Sheet(excel.plan_workbook(spaser54), "Indicateurs")
    first, second = Indicator.objects.of_plan(spaser54).in_plan_order()[:2]
    sheet.set(first.code, "Cible", "1 803,60")
    result = _import(sheet.save(), dry_run=False)
    assert not result.has_validation_errors()
    first.refresh_from_db()
    assert first.target_value == Decimal("1803.60")

    sheet.set(first.code, "Cible", "2 000")
    sheet.set(second.code, "Cible", "beaucoup")
    before = Indicator.history.count()
    result = _import(sheet.save(), dry_run=False)
    assert result.has_validation_errors()
    assert "n'est pas un nombre" in str(result.invalid_rows[0].error_dict)
    first.refresh_from_db()
    assert first.target_value == Decimal("1803.60") and Indicator.history.count() == before
