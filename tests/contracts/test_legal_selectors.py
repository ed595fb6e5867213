"""The legal indicators as the page and the bilan read them (contracts.selectors), checked against counts
computed in the test from the contracts' own specs."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts import selectors
from contracts.enums import Category, Measure
from contracts.models import Contract, LegalTarget, NationalReference
from contracts.selectors import ContractFilters, legal_default_year, legal_overview
from contracts.services import decp_apply
from tests.contracts import legal_data
from tests.contracts.legal_data import BUYER, OTHER_BUYER, Spec, add_buyer, create, expected, generate

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def plan(spaser54):
    add_buyer(spaser54)
    return spaser54


@pytest.fixture
def specs(plan):
    """60 contracts of the plan's buyer over 2021-2026, and some of another buyer (never counted)."""
    ours = generate(60)
    theirs = [
        Spec(f"X{n}", D(2025, 3, n + 1), Decimal("99999.00"), ["Clause sociale"], [], buyer=OTHER_BUYER)
        for n in range(5)
    ]
    for spec in ours + theirs:
        create(spec)
    return ours + theirs


def rows_by_category(overview) -> dict[str, dict]:
    return {row["category"]: row for row in overview.rows}


@pytest.mark.parametrize("year", [2021, 2023, 2025, 2026])
def test_each_years_table_counts_what_the_contracts_say(plan, specs, year):
    overview = legal_overview(plan, year=year, years=plan.years)
    counts = expected(specs, years=[year])
    assert counts["contracts"]["count"] > 0
    rows = rows_by_category(overview)
    assert list(rows) == list(Category.values)
    whole = counts["contracts"]
    for category, figure in counts.items():
        row = rows[category]
        assert row["count"] == figure["count"], category
        assert Decimal(row["amount"]) == figure["amount"], category
        assert row["amount_label"] == legal_data.euros(figure["amount"]), category
        count_share = legal_data.share(figure["count"], whole["count"])
        assert row["measures"][Measure.COUNT]["share_label"] == count_share, category
        amount_share = legal_data.share(figure["amount"], whole["amount"])
        assert row["measures"][Measure.AMOUNT]["share_label"] == amount_share, category
    # The unknown share is carried by every row, to be drawn beside each share.
    unknown = counts["unknown"]["count"] * 100 / whole["count"]
    assert rows["social"]["measures"]["count"]["unknown"] == pytest.approx(unknown, abs=0.05)
    assert overview.unknown_label == legal_data.share(counts["unknown"]["count"], whole["count"])
    assert overview.known_count == whole["count"] - counts["unknown"]["count"]


def test_the_page_reads_the_same_figures_as_the_command(plan, specs):
    """legal_figures is the one computation: the command's JSON and the overview agree."""
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=2024, format="json", stdout=out)
    command = json.loads(out.getvalue())
    rows = rows_by_category(legal_overview(plan, year=2024, years=plan.years))
    for category in Category.values:
        assert rows[category]["count"] == command[category]["count"]
        assert rows[category]["amount"] == command[category]["amount"]


def test_trend_counts_every_year_of_the_plan_in_one_query(plan, specs, django_assert_num_queries):
    thresholds = selectors.PlanRegister.of(plan).thresholds()
    with django_assert_num_queries(1):
        by_year = selectors.tally_by_year(
            Contract.objects.of_buyers([BUYER]).filter(year__in=plan.years), thresholds
        )
    trend = selectors.trend_rows(by_year, plan.years)
    assert [row["year"] for row in trend] == plan.years
    for row in trend:
        counts = expected(specs, years=[row["year"]])
        assert row["count"] == counts["contracts"]["count"]
        assert row["amount_label"] == legal_data.euros(counts["contracts"]["amount"])
        for cell in row["cells"]:
            assert cell["count"] == counts[cell["category"]]["count"], (row["year"], cell["category"])
            assert cell["share_label"] == legal_data.share(
                counts[cell["category"]]["count"], counts["contracts"]["count"]
            )


def test_a_year_without_contracts_has_no_share_rather_than_zero(plan):
    create(Spec("A1", D(2022, 5, 1), Decimal("50000"), ["Clause sociale"], []))
    overview = legal_overview(plan, year=2023, years=plan.years)
    assert overview.contracts == 0
    assert rows_by_category(overview)["social"]["measures"]["count"]["share_label"] == "—"
    trend = {row["year"]: row for row in overview.trend}
    assert trend[2022]["cells"][0]["share_label"] == "100,0\u00a0%"
    assert trend[2023]["cells"][0]["share"] is None and trend[2023]["cells"][0]["share_label"] == "—"


def test_end_of_plan_period_adds_up_every_year(plan, specs):
    overview = legal_overview(plan, year=None, years=plan.years)
    counts = expected(specs, years=plan.years)
    for category, row in rows_by_category(overview).items():
        assert row["count"] == counts[category]["count"], category
        assert Decimal(row["amount"]) == counts[category]["amount"], category


def test_contracts_of_other_buyers_and_years_outside_the_plan_never_count(plan, specs):
    create(Spec("OLD", D(2019, 6, 1), Decimal("70000"), None, None))
    overview = legal_overview(plan, year=None, years=plan.years)
    assert overview.contracts == sum(1 for s in specs if s.buyer == BUYER)


def test_year_boundary_is_the_date_as_written(plan, tmp_path):
    """A contract notified "2025-12-31+01:00" counts in 2025 (the real import reads the file)."""
    specs = [
        Spec("B1", D(2025, 12, 31), Decimal("120000"), ["Clause sociale"], []),
        Spec("B2", D(2026, 1, 1), Decimal("80000"), [], ["Clause environnementale"]),
    ]
    decp_apply([str(legal_data.decp_file(tmp_path / "decp.json", specs))], buyers=[BUYER])
    rows_2025 = rows_by_category(legal_overview(plan, year=2025, years=plan.years))
    rows_2026 = rows_by_category(legal_overview(plan, year=2026, years=plan.years))
    assert (rows_2025["contracts"]["count"], rows_2025["social"]["count"]) == (1, 1)
    assert (rows_2026["contracts"]["count"], rows_2026["environmental"]["count"]) == (1, 1)


def test_a_real_import_gives_the_counts_of_the_file(plan, tmp_path):
    specs = generate(40, seed=7)
    decp_apply([str(legal_data.decp_file(tmp_path / "decp.json", specs))], buyers=[BUYER])
    for year in (2021, 2024, 2026):
        counts = expected(specs, years=[year])
        rows = rows_by_category(legal_overview(plan, year=year, years=plan.years))
        for category in Category.values:
            assert rows[category]["count"] == counts[category]["count"], (year, category)
            assert Decimal(rows[category]["amount"]) == counts[category]["amount"], (year, category)


def test_missing_environmental_consideration_since_21_august_2026(plan):
    create(Spec("E1", D(2026, 8, 20), Decimal("50000"), [], []))  # the day before: not flagged
    create(Spec("E2", D(2026, 8, 21), Decimal("50000"), [], []))  # none stated: flagged
    create(Spec("E3", D(2026, 9, 1), Decimal("50000"), [], None))  # unknown: flagged
    create(Spec("E4", D(2026, 9, 2), Decimal("50000"), [], ["Clause environnementale"]))
    create(Spec("E5", D(2026, 9, 3), Decimal("50000"), [], [], buyer=OTHER_BUYER))
    overview = legal_overview(plan, year=2026, years=plan.years)
    assert [c.contract_id for c in overview.missing] == ["E2", "E3"]
    assert overview.duty_applies
    assert not legal_overview(plan, year=2025, years=plan.years).duty_applies


def test_targets_for_the_year_win_over_targets_for_every_year(plan, specs):
    LegalTarget.objects.create(plan=plan, category="social", measure="count", share=Decimal("10"))
    LegalTarget.objects.create(plan=plan, category="social", measure="count", share=Decimal("95"), year=2025)
    LegalTarget.objects.create(plan=plan, category="environmental", measure="amount", share=Decimal("99"))
    LegalTarget.objects.create(plan=plan, category="unknown", measure="count", share=Decimal("100"))
    rows_2025 = rows_by_category(legal_overview(plan, year=2025, years=plan.years))
    rows_2024 = rows_by_category(legal_overview(plan, year=2024, years=plan.years))
    social_2025 = rows_2025["social"]["measures"]["count"]["target"]
    assert social_2025["label"] == "95\u00a0% en 2025" and social_2025["met"] is False
    social_2024 = rows_2024["social"]["measures"]["count"]["target"]
    counts = expected(specs, years=[2024])
    assert social_2024["label"] == "10\u00a0%"
    assert social_2024["met"] is (counts["social"]["count"] * 100 >= 10 * counts["contracts"]["count"])
    assert rows_2024["environmental"]["measures"]["amount"]["target"]["met"] is False
    assert rows_2024["environmental"]["measures"]["count"]["target"] is None
    unknown = rows_2024["unknown"]["measures"]["count"]["target"]
    assert unknown["is_ceiling"] and unknown["met"] is True  # a ceiling: 100 % is never exceeded


def test_national_reference_is_the_latest_not_after_the_year(plan):
    for year, value in ((2022, "15.2"), (2023, "18.7"), (2025, "21.0")):
        NationalReference.objects.create(
            category="social", measure="count", year=year, share=Decimal(value), source="OECP"
        )
    refs = {y: selectors.national_references(y)[("social", "count")] for y in (2021, 2024, 2026)}
    assert (refs[2021].year, refs[2024].year, refs[2026].year) == (2022, 2023, 2025)


def test_default_year_is_the_latest_year_of_the_plan_with_contracts(plan, spaser54):
    assert legal_default_year(plan) == plan.end_year  # nothing imported yet
    create(Spec("Y1", D(2023, 4, 1), Decimal("50000"), [], []))
    create(Spec("Y2", D(2030, 4, 1), Decimal("50000"), [], []))  # after the plan: not a page of it
    assert legal_default_year(plan) == 2023


def test_no_buyer_gives_an_empty_overview_in_one_query(spaser54, django_assert_num_queries):
    with django_assert_num_queries(1):
        overview = legal_overview(spaser54, year=2025, years=spaser54.years)
    assert overview.buyers == [] and overview.contracts == 0 and overview.rows == []


@pytest.mark.parametrize("count", [5, 60])
def test_overview_queries_do_not_grow_with_the_contracts(plan, count, django_assert_max_num_queries):
    for spec in generate(count, years=[2026]):
        create(spec)
    # Buyers, trend, the year's tally (3: legal_figures), demo flag, targets, references, missing,
    # last import; the holders' section (7: contracts and holders, local départements (2), holders'
    # facts (3), data dates).
    with django_assert_max_num_queries(17):
        overview = legal_overview(plan, year=2026, years=plan.years)
    assert overview.contracts == count


# --- the register's filters ---------------------------------------------------------------------------


def uids(queryset) -> list[str]:
    return [c.contract_id for c in queryset]


def register_contracts(sirets, filters):
    """The register's list of these buyers' contracts (the plan's register, live)."""
    register = selectors.PlanRegister(plan=None, sirets=sirets)
    return selectors.register_contracts(register, filters, register.thresholds())


def test_register_filters_by_category_year_division_and_search(plan, specs):
    ours = [s for s in specs if s.buyer == BUYER]
    by_date = sorted(ours, key=lambda s: (-s.notified.toordinal(), f"{s.buyer}{s.contract_id}"))
    assert uids(register_contracts([BUYER], ContractFilters())) == [s.contract_id for s in by_date]
    social_2025 = register_contracts([BUYER], ContractFilters(category="social", year=2025))
    assert sorted(uids(social_2025)) == sorted(s.contract_id for s in ours if s.year == 2025 and s.social)
    division = register_contracts([BUYER], ContractFilters(division="45"))
    assert sorted(uids(division)) == sorted(s.contract_id for s in ours if s.cpv.startswith("45"))
    repas = register_contracts([BUYER], ContractFilters(search="repas"))
    assert sorted(uids(repas)) == sorted(s.contract_id for s in ours if "Repas" in s.object)
    one = ours[3].contract_id
    assert uids(register_contracts([BUYER], ContractFilters(search=one))) == [one]


def test_register_search_finds_a_holders_siret(plan):
    create(Spec("H1", D(2024, 1, 1), Decimal("50000"), [], [], holders=["11122233344455"]))
    create(Spec("H2", D(2024, 1, 2), Decimal("50000"), [], [], holders=["99988877766655"]))
    assert uids(register_contracts([BUYER], ContractFilters(search="111 222 333"))) == ["H1"]
    assert uids(register_contracts([BUYER], ContractFilters(search="11122233344455"))) == ["H1"]
