"""Holders as a register: the DECP import keeps each contract's holder rows in step with its holders,
the migration fills them for contracts imported before; and the fiche indicators computed from the
shares by category of holders (RegisterIndicator with a category of holders, shares in %)."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from actions.models import Indicator
from contracts.enums import Category, IndicatorMeasure
from contracts.models import Contract, ContractHolder, DecpImport, RegisterIndicator
from contracts.selectors import PlanRegister, register_figures, supplier_tally
from contracts.services import decp_apply
from suppliers.models import Establishment, LegalUnit
from suppliers.services import sirene_apply
from tests.contracts import supplier_data
from tests.contracts.legal_data import BUYER, Spec, add_buyer, decp_file
from tests.contracts.supplier_data import A, B, C, D, E
from tests.suppliers import files as sirene_files

pytestmark = pytest.mark.django_db


def holders_of(contract_id: str) -> list[tuple[str, str, int, int]]:
    return list(
        ContractHolder.objects.filter(contract__contract_id=contract_id)
        .order_by("position")
        .values_list("identifier", "siren", "position", "holders")
    )


def test_the_import_writes_and_rewrites_the_holders_rows(spaser54, tmp_path):
    add_buyer(spaser54)
    first = [
        Spec("I-1", D(2025, 3, 1), Decimal("1000"), [], [], holders=[A, E]),
        Spec("I-2", D(2025, 3, 2), Decimal("2000"), [], [], holders=[]),
    ]
    decp_apply([str(decp_file(tmp_path / "a.json", first))], buyers=[BUYER])
    assert holders_of("I-1") == [(A, A[:9], 0, 2), (E, "", 1, 2)]
    assert holders_of("I-2") == []
    # Published again with other holders (a later publication date): the rows follow.
    later = [Spec("I-1", D(2025, 3, 1), Decimal("1000"), [], [], holders=[C])]
    path = decp_file(tmp_path / "b.json", later)
    path.write_text(path.read_text().replace('"2025-03-11"', '"2025-06-01"'))  # published later
    decp_apply([str(path)], buyers=[BUYER])
    assert Contract.objects.get(contract_id="I-1").holders == [C]
    assert holders_of("I-1") == [(C, C[:9], 0, 1)]
    assert ContractHolder.objects.count() == 1


def test_a_dry_run_writes_no_holder_row(spaser54, tmp_path):
    add_buyer(spaser54)
    path = decp_file(tmp_path / "a.json", [Spec("I-1", D(2025, 3, 1), Decimal("1000"), [], [], holders=[A])])
    decp_apply([str(path)], buyers=[BUYER], dry_run=True)
    assert not ContractHolder.objects.exists()


def test_the_migration_fills_the_rows_of_contracts_imported_before(spaser54):
    made = supplier_data.load(spaser54)
    ContractHolder.objects.all().delete()
    migration = importlib.import_module("contracts.migrations.0004_contract_holders")
    migration.backfill(apps, None)
    assert holders_of("S-2") == [(A, A[:9], 0, 3), (C, C[:9], 1, 3), (E, "", 2, 3)]
    assert ContractHolder.objects.count() == sum(len(spec.holders) for spec in made)


# --- fiche indicators ----------------------------------------------------------------------------------


def link(plan, code: str, *, holders: str, measure: str, category: str = Category.CONTRACTS) -> Indicator:
    indicator = Indicator.objects.get(fiche__plan=plan, code=code)
    RegisterIndicator.objects.create(indicator=indicator, category=category, holders=holders, measure=measure)
    return Indicator.objects.select_related("register_source").get(pk=indicator.pk)


@pytest.fixture
def linked(spaser54):
    made = supplier_data.load(spaser54)
    DecpImport.objects.create(files=["test.json"], buyers=[BUYER])  # something was imported
    indicators = [
        link(spaser54, "13-E1", holders="ea_esat", measure=IndicatorMeasure.COUNT),
        link(spaser54, "13-E2", holders="ea_esat", measure=IndicatorMeasure.AMOUNT),
        link(spaser54, "16-E2", holders="local", measure=IndicatorMeasure.SHARE_COUNT),
        link(spaser54, "18-E3", holders="pme", measure=IndicatorMeasure.SHARE_AMOUNT),
        link(spaser54, "18-E4", holders="", measure=IndicatorMeasure.SHARE_COUNT, category=Category.NONE),
    ]
    return spaser54, made, indicators


def test_fiche_indicators_are_computed_from_the_shares(linked):
    plan, made, indicators = linked
    wanted = supplier_data.expected(made, 2025)
    figures = {i.code: register_figures([i], 2025, plan=plan)[i.pk] for i in indicators}
    assert figures["13-E1"].value == wanted["ea_esat"]["count"] == 1
    assert figures["13-E2"].value == wanted["ea_esat"]["amount"] == Decimal("333.33")
    assert figures["16-E2"].value == Decimal("40.0")  # 2 of the 5 contracts counted
    assert figures["18-E3"].value == Decimal("98.8")  # 100 333,33 of 101 510,01 €
    assert figures["18-E4"].value == Decimal("100.0")  # every one says "no consideration"
    assert figures["13-E2"].count == 1 and figures["13-E2"].is_amount
    assert "Entreprises adaptées et ESAT" in figures["13-E1"].description


def test_fiche_indicators_cost_the_same_queries_whatever_their_number(linked, django_assert_max_num_queries):
    plan, _, indicators = linked
    # The plan's buyers, the last import, the thresholds, the year's contracts with their holders and
    # legal categories (1, whatever the indicators), the local départements (2), the holders' facts (3).
    with django_assert_max_num_queries(9):
        figures = register_figures(indicators, 2025, plan=plan)
    assert len(figures) == 5


def test_the_demo_links_the_plans_indicators_with_units_that_fit(demo_plan):
    sources = {
        source.indicator.code: source
        for source in RegisterIndicator.objects.filter(indicator__fiche__plan=demo_plan).select_related(
            "indicator"
        )
    }
    for code, holders, measure, value_type in (
        ("13-E1", "ea_esat", IndicatorMeasure.COUNT, "count"),
        ("13-E2", "ea_esat", IndicatorMeasure.AMOUNT, "amount"),
        ("16-E2", "local", IndicatorMeasure.SHARE_COUNT, "percentage"),
        ("18-E3", "pme", IndicatorMeasure.SHARE_COUNT, "percentage"),
        ("18-E4", "ess", IndicatorMeasure.SHARE_COUNT, "percentage"),
    ):
        source = sources[code]
        assert (source.holders, source.measure, source.indicator.value_type) == (holders, measure, value_type)


def test_b_is_a_holder_of_the_excluded_contract_only_counted_once(spaser54):
    """The excluded contract S-5 (B alone) counts nowhere: B's ESS share is S-1's half only."""
    made = supplier_data.load(spaser54)
    assert supplier_data.expected(made, 2025)["ess"] == {"count": 1, "amount": Decimal("50000.00")}
    assert B in Contract.objects.get(contract_id="S-5").holders


def test_the_sirene_import_keeps_the_registers_holders_and_the_shares_read_them(spaser54, tmp_path):
    """From the DECP file to the shares: the import of SIRENE keeps the contracts' holders (the
    register's provider, suppliers.wanted), not the other companies of the stock."""

    add_buyer(spaser54)
    specs = [
        Spec(
            "W-1", D(2025, 3, 1), Decimal("900"), [], [], holders=[sirene_files.HOLDER, sirene_files.SECOND]
        ),
        Spec("W-2", D(2025, 4, 1), Decimal("100"), [], [], holders=[sirene_files.OVERSEAS]),
    ]
    decp_apply([str(decp_file(tmp_path / "decp.json", specs))], buyers=[BUYER])
    units = sirene_files.units_file(tmp_path / "StockUniteLegale_utf8.csv", sirene_files.standard_units())
    establishments = sirene_files.establishments_file(
        tmp_path / "StockEtablissement_utf8.csv", sirene_files.standard_establishments()
    )
    sirene_apply(paths=[str(units), str(establishments)], source_date=D(2026, 11, 1))
    assert not LegalUnit.objects.filter(siren=sirene_files.OTHER[:9]).exists()
    assert set(Establishment.objects.values_list("siret", flat=True)) == {
        sirene_files.HOLDER,
        sirene_files.SECOND,
        sirene_files.OVERSEAS,
    }

    register = PlanRegister.of(spaser54)
    figures = supplier_tally(register.contracts().filter(year=2025), register.thresholds(), [])
    # W-1: HOLDER (PME, ESS) and SECOND (a GE's closed establishment), 450 € each; W-2: a PME, TPE.
    assert figures["pme"] == {"count": 2, "amount": Decimal("550.00")}
    assert figures["ess"] == {"count": 1, "amount": Decimal("450.00")}
    assert figures["tpe"] == {"count": 1, "amount": Decimal("100.00")}
    assert figures["unidentified"] == {"count": 0, "amount": Decimal("0.00")}
