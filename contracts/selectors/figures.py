"""The legal indicators of one year as the command gives them, and the fiche indicators computed from
the register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.formats import date_format

from actions.models import Plan
from suppliers.selectors import local_departements

from .. import rules
from ..enums import Category, Duty, IndicatorMeasure, Measure
from ..models import (
    Contract,
    DecpImport,
    RegisterIndicator,
)
from .register import PlanRegister, notable_contracts, tally, tally_share
from .suppliers import KEYS as SUPPLIER_KEYS
from .suppliers import HolderRow, holder_rows, rows_facts, split_tally, supplier_tally

# --- the command: one year's legal indicators -----------------------------------------------------------


@dataclass
class LegalFigures:
    plan: Plan
    year: int
    buyers: list[str]
    tally: dict[str, dict]  # category -> {"count": int, "amount": Decimal}
    lists: dict[str, list[Contract]]
    is_demo: bool
    frozen_at: datetime.datetime | None = None
    published_after_closing: int = 0
    suppliers: dict[str, dict] | None = None  # key (SupplierCategory) -> {"count", "amount"}

    @property
    def missing_environmental(self) -> list[str]:
        return [contract.uid for contract in self.lists["missing_environmental"]]

    def as_json(self) -> dict:
        """The command's output (`legal_indicators --format json`), amounts with two decimals."""
        data = {"plan": self.plan.slug, "year": self.year, "buyers": self.buyers}
        for category in Category.values:
            figure = self.tally[category]
            data[category] = {"count": figure["count"], "amount": f"{figure['amount']:.2f}"}
        for key in SUPPLIER_KEYS:
            figure = self.suppliers[key]
            data[key] = {"count": figure["count"], "amount": f"{figure['amount']:.2f}"}
        uids = {name: [contract.uid for contract in contracts] for name, contracts in self.lists.items()}
        data["missing_environmental_since_2026_08_21"] = uids["missing_environmental"]
        data["duties_since_2026_08_21"] = {duty: uids[duty] for duty in Duty.values}
        data["amount_anomalies"] = uids["anomalies"]
        data["corrected"] = uids["corrected"]
        data["corrected_count"] = len(uids["corrected"])
        data["excluded"] = uids["excluded"]
        data["frozen_at"] = self.frozen_at.isoformat() if self.frozen_at else None
        data["published_after_closing"] = self.published_after_closing
        return data

    def share(self, category: str, measure: str = Measure.COUNT) -> Decimal | None:
        """The category's share of all the year's contracts, in %, one decimal (None without contracts)."""
        return tally_share(self.tally, category, measure)


def legal_figures(plan: Plan, year: int, buyers: list[str] | None = None) -> LegalFigures:
    """The year's legal indicators for the plan's buyers (or `buyers`), and the shares by category of
    holders: about twelve queries, whatever the number of contracts."""
    register = PlanRegister.of(plan, buyers)
    thresholds = register.thresholds()
    contracts = register.contracts().filter(year=year)
    return LegalFigures(
        plan=plan,
        year=year,
        buyers=register.sirets,
        tally=tally(contracts, thresholds),
        lists=notable_contracts(contracts, thresholds),
        is_demo=contracts.filter(is_demo=True).exists(),
        frozen_at=register.frozen_at,
        published_after_closing=register.published_after_closing(),
        suppliers=supplier_tally(contracts, thresholds, local_departements(plan)[0]),
    )


# --- fiche indicators computed from the register --------------------------------------------------


@dataclass
class RegisterFigure:
    """A fiche indicator's value for a year as the register computes it, with where it comes from."""

    source: RegisterIndicator
    year: int
    value: Decimal
    count: int  # the contracts the figure counts (of the holders' category, when it has one)
    buyers: list[str]
    last_import: DecpImport | None
    is_demo: bool
    frozen_at: datetime.datetime | None = None

    @property
    def is_amount(self) -> bool:
        return self.source.measure in (IndicatorMeasure.AMOUNT, IndicatorMeasure.SHARE_AMOUNT)

    @property
    def description(self) -> str:
        what = self.source.get_category_display().lower()
        if self.source.holders:
            category = self.source.get_holders_display()
            what += (
                f", part des montants revenant aux titulaires de la catégorie « {category} »"
                if self.is_amount
                else f" dont un titulaire au moins relève de la catégorie « {category} »"
            )
        frozen = f" (chiffres arrêtés le {date_format(self.frozen_at, 'j F Y')})" if self.frozen_at else ""
        return f"{self.source.get_measure_display()} : {what}, notifiés en {self.year}{frozen}"


def _register_source(indicator) -> RegisterIndicator | None:
    try:
        return indicator.register_source
    except RegisterIndicator.DoesNotExist:
        return None


def _share(part, whole) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def _figure_value(source: RegisterIndicator, rows: list[HolderRow], facts: dict) -> tuple[Decimal, int]:
    """The value of one fiche indicator over the year's counted contracts `rows`, and how many
    contracts it counts. A share is taken of all the contracts of the indicator's legal category."""
    chosen = [row for row in rows if row.marks[source.category]]
    whole = split_tally(chosen, facts)
    part = whole[source.holders] if source.holders else whole["contracts"]
    measure = source.measure
    if measure == IndicatorMeasure.COUNT:
        value = Decimal(part["count"])
    elif measure == IndicatorMeasure.AMOUNT:
        value = part["amount"]
    elif measure == IndicatorMeasure.SHARE_COUNT:
        value = _share(part["count"], whole["contracts"]["count"])
    else:
        value = _share(part["amount"], whole["contracts"]["amount"])
    return value, part["count"]


def register_figures(indicators, year: int, *, plan: Plan) -> dict[int, RegisterFigure]:
    """The register's figure of each of `indicators` SCP computes from the register, by indicator pk.

    None is computed (the indicator is typed like any other) while the plan has no buyer or nothing was
    imported. `indicators` come with `select_related("register_source")`: no query when none is
    linked; else 4 (5 for a closed plan) whatever their number, and 5 more when one counts a category
    of holders (the local départements and the holders' facts).
    """
    sources = [source for source in map(_register_source, indicators) if source is not None]
    if not sources:
        return {}
    register = PlanRegister.of(plan)
    last_import = DecpImport.objects.order_by("-started_at").first()
    if not register.sirets or last_import is None:
        return {}  # nothing to compute from: the indicator is typed like any other
    filters = rules.category_filters()
    marks = {category: filters[category] for category in {source.category for source in sources}}
    rows = holder_rows(
        register.contracts().filter(year=year), register.thresholds(), {**marks, "demo": Q(is_demo=True)}
    )
    facts = rows_facts(rows, local_departements(plan)[0]) if any(s.holders for s in sources) else {}
    figures = {}
    for source in sources:
        value, count = _figure_value(source, rows, facts)
        figures[source.indicator_id] = RegisterFigure(
            source,
            year,
            value,
            count,
            register.sirets,
            last_import,
            any(row.marks["demo"] for row in rows if row.marks[source.category]),
            register.frozen_at,
        )
    return figures
