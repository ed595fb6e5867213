"""bilan_build: the one structure the page, the PDF and a published version render."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.enums import MilestoneStatus, ProgressStatus, ValueType
from actions.models import Fiche, Indicator, Milestone
from core.values import MISSING
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from reporting.selectors import bilan_build
from tests.factories import AnnualReviewFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db


def all_cells(bilan):
    for axis in bilan["axes"]:
        for fiche in axis["fiches"]:
            for indicator in fiche["indicators"]:
                for cell in indicator["cells"]:
                    yield fiche, indicator, cell


def find_fiche(bilan, number):
    return next(f for axis in bilan["axes"] for f in axis["fiches"] if f["number"] == number)


def test_structure_is_plain_json_and_in_plan_order(demo_plan):
    bilan = bilan_build(plan=demo_plan, year=2025)
    assert json.loads(json.dumps(bilan)) == bilan
    assert [a["name"] for a in bilan["axes"]] == [
        "Transversal",
        "Environnement",
        "Social",
        "Économie responsable",
    ]
    numbers = [f["number"] for a in bilan["axes"] for f in a["fiches"]]
    assert sorted(numbers) == list(range(1, 22))
    assert numbers[:5] == [1, 2, 3, 4, 5]  # axis order, then number (fiche 21 sits in Environnement)
    assert bilan["years"] == [2021, 2022, 2023, 2024, 2025]
    assert bilan_build(plan=demo_plan, year=None)["years"] == list(range(2021, 2027))


def test_missing_value_reads_non_renseigne_never_zero(demo_plan):
    indicator = Indicator.objects.filter(fiche__plan=demo_plan, value_type=ValueType.COUNT).first()
    IndicatorValue.objects.filter(indicator=indicator, year=2023).delete()
    bilan = bilan_build(plan=demo_plan, year=2025)
    cells = {c["year"]: c for f, i, c in all_cells(bilan) if i["code"] == indicator.code}
    assert cells[2023]["text"] == MISSING == "non renseigné"
    assert cells[2023]["missing"]
    assert all(c["text"] != "0" for _, _, c in all_cells(bilan) if c["missing"])
    # A real zero is shown as 0, not as missing.
    IndicatorValueFactory(indicator=indicator, year=2023, value_number=Decimal(0))
    cells = {
        c["year"]: c
        for f, i, c in all_cells(bilan_build(plan=demo_plan, year=2025))
        if i["code"] == indicator.code
    }
    assert cells[2023]["text"] == "0" and not cells[2023]["missing"]


def test_values_validated_only_when_the_fiche_review_of_that_year_is(demo_plan):
    fiche = Fiche.objects.get(plan=demo_plan, number=3)  # demo: 2025 review submitted, not validated
    bilan = bilan_build(plan=demo_plan, year=2025)
    cells = [c for f, i, c in all_cells(bilan) if f["number"] == 3 and not c["missing"]]
    assert {c["year"]: c["validated"] for c in cells if c["year"] == 2024} == {2024: True}
    assert any(c["year"] == 2025 for c in cells) and all(
        not c["validated"] for c in cells if c["year"] == 2025
    )
    AnnualReview.objects.filter(fiche=fiche, year=2025).update(status=ReviewStatus.VALIDATED)
    bilan = bilan_build(plan=demo_plan, year=2025)
    assert all(c["validated"] for f, i, c in all_cells(bilan) if f["number"] == 3 and c["year"] == 2025)


def test_later_years_are_not_shown_in_an_earlier_bilan(demo_plan):
    bilan = bilan_build(plan=demo_plan, year=2022)
    assert bilan["years"] == [2021, 2022]
    assert all(c["year"] <= 2022 for _, _, c in all_cells(bilan))
    assert all(r["year"] == 2022 for a in bilan["axes"] for f in a["fiches"] for r in f["reviews"])


def test_validation_state_and_demo_flag(demo_plan):
    validated = bilan_build(plan=demo_plan, year=2024)
    assert validated["validation"]["is_validated"] and validated["validation"]["validated"] == 21
    draft = bilan_build(plan=demo_plan, year=2025)
    assert not draft["validation"]["is_validated"]
    assert draft["validation"]["status_label"] == "Chiffres provisoires (non validés)"
    assert draft["is_demo"] and validated["is_demo"]


def test_no_demo_flag_without_demo_data(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    indicator = fiche.indicators.first()
    IndicatorValueFactory(indicator=indicator, year=2024, value_number=Decimal(12))
    AnnualReviewFactory(fiche=fiche, year=2024, validated=True)
    bilan = bilan_build(plan=spaser54, year=2024)
    assert not bilan["is_demo"]
    IndicatorValue.objects.filter(indicator=indicator).update(is_demo=True)
    assert bilan_build(plan=spaser54, year=2024)["is_demo"]


def test_key_figures_add_up(demo_plan):
    fiche = Fiche.objects.get(plan=demo_plan, number=6)
    AnnualReview.objects.filter(fiche=fiche, year=2024).update(progress_status=ProgressStatus.DONE)
    bilan = bilan_build(plan=demo_plan, year=2024)
    figures = bilan["key_figures"]
    assert figures["fiches"] == 21
    assert sum(a["fiches"] for a in figures["by_axis"]) == 21
    for axis in figures["by_axis"]:
        assert sum(c["count"] for c in axis["counts"]) == axis["fiches"]
    environment = next(a for a in figures["by_axis"] if a["name"] == "Environnement")
    assert {c["code"]: c["count"] for c in environment["counts"]}["realisee"] >= 1
    cells = [c for _, _, c in all_cells(bilan) if c["year"] == 2024]
    filled = sum(not c["missing"] for c in cells)
    assert (figures["indicators_filled"], figures["indicators_total"]) == (filled, len(cells))
    assert figures["indicators_share_label"] == f"{round(100 * filled / len(cells))} %"


def test_milestones_late_relative_to_the_end_of_the_bilan_year(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=2)
    first_half = fiche.milestones.get(text__startswith="Fin 1er semestre 2021")  # due 30 June 2021
    assert find_fiche(bilan_build(plan=spaser54, year=2021), 2)["late_milestones"] >= 1
    milestone = next(
        m
        for m in find_fiche(bilan_build(plan=spaser54, year=2021), 2)["milestones"]
        if m["text"] == first_half.text
    )
    assert milestone["is_late"] and milestone["state_label"] == "En retard"
    first_half.status = MilestoneStatus.DONE
    first_half.save()
    bilan = bilan_build(plan=spaser54, year=2021)
    milestone = next(m for m in find_fiche(bilan, 2)["milestones"] if m["text"] == first_half.text)
    assert not milestone["is_late"] and milestone["state"] == "done"
    figures = bilan["key_figures"]["milestones"]
    assert figures["done"] == 1
    assert figures["done"] + figures["on_time"] + figures["late"] + figures["cancelled"] == figures["total"]
    assert figures["total"] == Milestone.objects.filter(fiche__plan=spaser54).count()


def test_year_outside_the_plan_is_refused(spaser54):
    with pytest.raises(ValueError, match="2030 is outside the plan's years"):
        bilan_build(plan=spaser54, year=2030)


def test_query_count_does_not_grow_with_the_number_of_fiches(demo_plan, django_assert_max_num_queries):
    # Axes, fiches + 5 prefetches (principles, pilots, goals, milestones, indicators), values, reviews,
    # evidence (one query for the whole plan), glossary; and the legal indicators' section, the demo plan
    # having a buyer (8 for the end of plan: contracts.selectors.legal_overview, its thresholds included),
    # the holders' section (8: reporting.bilan_suppliers) and the national comparison's (3, the demo's
    # national sample loaded, whatever its buyers; 1 without a national computation).
    with django_assert_max_num_queries(30):
        bilan_build(plan=demo_plan, year=None)
    with CaptureQueriesContext(connection) as full:
        bilan_build(plan=demo_plan, year=2025)
    Fiche.objects.filter(plan=demo_plan, number__gt=2).delete()
    with CaptureQueriesContext(connection) as two_fiches:
        bilan = bilan_build(plan=demo_plan, year=2025)
    assert len([f for a in bilan["axes"] for f in a["fiches"]]) == 2
    assert len(full.captured_queries) == len(two_fiches.captured_queries)
