"""The pages: the legal indicators (one year, or the plan's years for the end-of-plan bilan)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Max, Q

from actions.models import Buyer, Plan
from core import values

from .. import rules
from ..enums import Category, Duty, Measure, ThresholdKind
from ..models import (
    Contract,
    DecpImport,
    LegalTarget,
    NationalReference,
)
from .labels import euros, percent, stated_percent
from .register import (
    PlanRegister,
    notable_contracts,
    tally,
    tally_by_year,
    tally_share,
    tally_sum,
    zero_tally,
)
from .suppliers import supplier_section

# The categories the trend follows year by year (the whole of the contracts is each year's total).
TREND_CATEGORIES = (
    Category.SOCIAL,
    Category.RESERVED,
    Category.ENVIRONMENTAL,
    Category.BOTH,
    Category.UNKNOWN,
)
# Categories whose target is a ceiling (the plan aims to reduce them), the others' a floor.
CEILING_CATEGORIES = (Category.NONE, Category.UNKNOWN)
DUTY_YEAR = rules.ENVIRONMENTAL_DUTY_SINCE.year
LISTED = 20  # contracts shown per list on the page and in the bilan (the register lists them all)


def legal_default_year(plan: Plan) -> int:
    """The page's year when none is asked: the plan's latest year with contracts, else its last year."""
    latest = (
        PlanRegister.of(plan).contracts().filter(year__in=plan.years).aggregate(latest=Max("year"))["latest"]
    )
    return latest or plan.end_year


def plan_targets(plan: Plan, year: int) -> dict[tuple[str, str], LegalTarget]:
    """The plan's target of each (category, measure) for `year`: one set for the year wins over one
    set for every year (year left empty)."""
    targets = LegalTarget.objects.filter(plan=plan).filter(Q(year=year) | Q(year__isnull=True))
    chosen = {}
    for target in targets.order_by(F("year").asc(nulls_first=True)):
        chosen[(target.category, target.measure)] = target
    return chosen


def national_references(year: int, references=None) -> dict[tuple[str, str], NationalReference]:
    """The national figure of each (category, measure) to compare `year` with: the latest of `year` or
    before, else the oldest one published (each is shown with its own year and source)."""
    chosen: dict[tuple[str, str], NationalReference] = {}
    for reference in (references if references is not None else NationalReference.objects.all()).order_by(
        "year"
    ):
        key = (reference.category, reference.measure)
        if key not in chosen or reference.year <= year:
            chosen[key] = reference
    return chosen


def _target_data(target: LegalTarget | None, share: Decimal | None) -> dict | None:
    if target is None:
        return None
    met = None
    if share is not None:
        met = share <= target.share if target.category in CEILING_CATEGORIES else share >= target.share
    return {
        "share": float(target.share),
        "label": stated_percent(target.share) + (f" en {target.year}" if target.year else ""),
        "is_ceiling": target.category in CEILING_CATEGORIES,
        "met": met,
        "met_label": {None: "", True: "atteinte", False: "non atteinte"}[met],
    }


def _reference_data(reference: NationalReference | None) -> dict | None:
    if reference is None:
        return None
    return {
        "label": stated_percent(reference.share),
        "year": reference.year,
        "source": reference.source,
        "url": reference.url,
    }


def legal_table(tally: dict[str, dict], *, targets: dict, references: dict) -> list[dict]:
    """The rows of the legal indicators' table, as plain data (a published bilan freezes them): per
    category, the number and amount of contracts, their shares of all contracts, the share whose
    considerations are unknown (drawn beside), the plan's target and the national reference."""
    unknown = {measure: tally_share(tally, Category.UNKNOWN, measure) for measure in Measure.values}
    rows = []
    for category, label in Category.choices:
        measures = {}
        for measure in Measure.values:
            share = tally_share(tally, category, measure)
            measures[measure] = {
                "share": None if share is None else float(share),
                "share_label": percent(share),
                "unknown": float(unknown[measure] or 0),
                "target": _target_data(targets.get((category, measure)), share),
                "reference": _reference_data(references.get((category, measure))),
            }
        figure = tally[category]
        rows.append(
            {
                "category": category,
                "label": label,
                "count": figure["count"],
                "count_label": values.format_number(figure["count"], 0),
                "amount": f"{figure['amount']:.2f}",
                "amount_label": euros(figure["amount"]),
                "is_total": category == Category.CONTRACTS,
                "is_unknown": category == Category.UNKNOWN,
                "is_part": category == Category.RESERVED,  # "dont" : part of the social row
                "measures": measures,
            }
        )
    return rows


def trend_rows(by_year: dict[int, dict], years: list[int]) -> list[dict]:
    """Year by year: all contracts, and the number and share of each category followed."""
    rows = []
    for year in years:
        tally = by_year.get(year) or zero_tally()
        cells = []
        for category in TREND_CATEGORIES:
            share = tally_share(tally, category)
            cells.append(
                {
                    "category": category,
                    "label": Category(category).label,
                    "count": tally[category]["count"],
                    "count_label": values.format_number(tally[category]["count"], 0),
                    "share": None if share is None else float(share),
                    "share_label": percent(share),
                    "amount_share_label": percent(tally_share(tally, category, Measure.AMOUNT)),
                }
            )
        contracts = tally[Category.CONTRACTS]
        rows.append(
            {
                "year": year,
                "count": contracts["count"],
                "count_label": values.format_number(contracts["count"], 0),
                "amount_label": euros(contracts["amount"]),
                "cells": cells,
            }
        )
    return rows


@dataclass
class LegalOverview:
    """What the legal indicators' page and the bilan's section show: the table of one year (or of all
    `years` together), the trend over `years`, and the lists behind the figures: anomalous amounts,
    SCP's corrections and exclusions, and the duties in force since 21 August 2026."""

    plan: Plan
    year: int | None  # None: the table adds up every year of `years` (end-of-plan bilan)
    years: list[int]
    buyers: list[Buyer]
    tally: dict[str, dict]
    is_demo: bool = False
    rows: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    lists: dict[str, list[Contract]] = field(default_factory=lambda: {name: [] for name in LIST_NAMES})
    last_import: datetime.datetime | None = None  # when the register was last imported into
    frozen_at: datetime.datetime | None = None  # a closed plan: its figures as they stood then
    published_after_closing: int = 0
    european_thresholds: list[str] = field(default_factory=list)
    ceiling: str = ""  # the anomaly ceiling valid at the end of the year, with its source
    suppliers: dict | None = None  # the shares by category of holders (suppliers.supplier_section)

    @property
    def sirets(self) -> list[str]:
        return sorted({buyer.siret for buyer in self.buyers})

    @property
    def contracts(self) -> int:
        return self.tally[Category.CONTRACTS]["count"]

    @property
    def unknown_label(self) -> str:
        return percent(tally_share(self.tally, Category.UNKNOWN))

    @property
    def known_count(self) -> int:
        return self.contracts - self.tally[Category.UNKNOWN]["count"]

    @property
    def duty_applies(self) -> bool:
        """Whether the duties in force since 21 August 2026 cover the table's year or years."""
        return (self.year if self.year is not None else max(self.years)) >= DUTY_YEAR

    @property
    def missing(self) -> list[Contract]:
        return self.lists["missing_environmental"]

    @property
    def anomalies(self) -> list[Contract]:
        return self.lists["anomalies"]

    @property
    def corrected(self) -> list[Contract]:
        return self.lists["corrected"]

    @property
    def excluded(self) -> list[Contract]:
        return self.lists["excluded"]

    @property
    def duties(self) -> list[dict]:
        return [
            {"duty": duty, "label": label, "contracts": self.lists[duty], "count": len(self.lists[duty])}
            for duty, label in Duty.choices
        ]


LIST_NAMES = ("anomalies", "corrected", "excluded", "missing_environmental", *Duty.values)


def european_threshold_labels(thresholds: rules.Thresholds, on: datetime.date) -> list[str]:
    """The European thresholds valid on `on`, as the page and the bilan state them, each with its
    source ("travaux : 5 404 000 € HT (Règlement délégué (UE) 2025/2152 ...)")."""
    labels = []
    for kind, label in (
        ("fournitures_services", "fournitures et services"),
        ("travaux", "travaux (division CPV 45)"),
        ("concessions", "concessions"),
    ):
        amount, source = thresholds.at(kind, on), thresholds.source(kind, on)
        if amount is not None:
            labels.append(f"{label} : {euros(amount)} HT" + (f" ({source})" if source else ""))
    return labels


def ceiling_label(thresholds: rules.Thresholds, on: datetime.date) -> str:
    """The ceiling above which an amount is an anomaly, with its source."""
    source = thresholds.source(ThresholdKind.CEILING, on)
    amount = euros(thresholds.at(ThresholdKind.CEILING, on))
    return f"{amount} HT" + (f" ({source})" if source else "")


def legal_overview(
    plan: Plan, *, year: int | None, years: list[int], suppliers: bool = True
) -> LegalOverview:
    """The legal indicators of `year` (None: of all `years` together), their trend over `years`, the
    lists behind them, the plan's targets and the national references; for a closed plan, all as they
    stood at its closing. 8 queries whatever the number of contracts (10 for a closed plan; 1 when the
    plan has no buyer), 7 more for the holders' categories (`supplier_section`) unless `suppliers` is
    False (the bilan builds that section on its own, reporting.bilan_suppliers)."""
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret"))
    if not buyers:
        return LegalOverview(plan, year, years, buyers, zero_tally())
    register = PlanRegister.of(plan, [buyer.siret for buyer in buyers])
    thresholds = register.thresholds()
    contracts = register.contracts()
    by_year = tally_by_year(contracts.filter(year__in=years), thresholds)  # the trend: one query
    if year is None:
        period, figures = contracts.filter(year__in=years), tally_sum(by_year.values())
    else:
        period = contracts.filter(year=year)
        figures = by_year.get(year) or (zero_tally() if year in years else tally(period, thresholds))
    shown_years = sorted(set(years) | ({year} if year is not None else set()))
    reference_year = year if year is not None else max(years)
    return LegalOverview(
        plan=plan,
        year=year,
        years=years,
        buyers=buyers,
        tally=figures,
        is_demo=contracts.filter(year__in=shown_years, is_demo=True).exists(),
        rows=legal_table(
            figures,
            targets=plan_targets(plan, reference_year),
            references=national_references(reference_year, register.national_references()),
        ),
        trend=trend_rows(by_year, years),
        lists=notable_contracts(period, thresholds),
        last_import=DecpImport.objects.order_by("-started_at").values_list("started_at", flat=True).first(),
        frozen_at=register.frozen_at,
        published_after_closing=register.published_after_closing(),
        european_thresholds=european_threshold_labels(thresholds, datetime.date(reference_year, 12, 31)),
        ceiling=ceiling_label(thresholds, datetime.date(reference_year, 12, 31)),
        suppliers=supplier_section(plan, period, thresholds) if suppliers else None,
    )
