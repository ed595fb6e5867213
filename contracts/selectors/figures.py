"""The legal indicators of one year as the command gives them, and the fiche indicators computed from
the register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format

from actions.models import Plan

from .. import rules
from ..enums import Category, Duty, Measure
from ..models import (
    Contract,
    DecpImport,
    RegisterIndicator,
)
from .register import AMOUNT, PlanRegister, notable_contracts, tally, tally_share

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

    @property
    def missing_environmental(self) -> list[str]:
        return [contract.uid for contract in self.lists["missing_environmental"]]

    def as_json(self) -> dict:
        """The command's output (`legal_indicators --format json`), amounts with two decimals."""
        data = {"plan": self.plan.slug, "year": self.year, "buyers": self.buyers}
        for category in Category.values:
            figure = self.tally[category]
            data[category] = {"count": figure["count"], "amount": f"{figure['amount']:.2f}"}
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
    """The year's legal indicators for the plan's buyers (or `buyers`): about six queries."""
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
    )


# --- fiche indicators computed from the register --------------------------------------------------


@dataclass
class RegisterFigure:
    """A fiche indicator's value for a year as the register computes it, with where it comes from."""

    source: RegisterIndicator
    year: int
    value: Decimal
    count: int
    buyers: list[str]
    last_import: DecpImport | None
    is_demo: bool
    frozen_at: datetime.datetime | None = None

    @property
    def is_amount(self) -> bool:
        return self.source.measure == Measure.AMOUNT

    @property
    def description(self) -> str:
        what = self.source.get_category_display().lower()
        frozen = f" (chiffres arrêtés le {date_format(self.frozen_at, 'j F Y')})" if self.frozen_at else ""
        return f"{self.source.get_measure_display()} : {what}, notifiés en {self.year}{frozen}"


def _register_source(indicator) -> RegisterIndicator | None:
    try:
        return indicator.register_source
    except RegisterIndicator.DoesNotExist:
        return None


def register_figures(indicators, year: int, *, plan: Plan) -> dict[int, RegisterFigure]:
    """The register's figure of each of `indicators` SCP computes from the register, by indicator pk.

    None is computed (the indicator is typed like any other) while the plan has no buyer or nothing was
    imported. `indicators` come with `select_related("register_source")`: no query when none is
    linked; else 3 (4 for a closed plan), and 1 per linked indicator.
    """
    sources = [source for source in map(_register_source, indicators) if source is not None]
    if not sources:
        return {}
    register = PlanRegister.of(plan)
    last_import = DecpImport.objects.order_by("-started_at").first()
    if not register.sirets or last_import is None:
        return {}  # nothing to compute from: the indicator is typed like any other
    valued = ~register.thresholds().anomaly()
    figures = {}
    for source in sources:
        contracts = register.counted().filter(year=year).filter(rules.category_filters()[source.category])
        row = contracts.aggregate(
            count=Count("pk"),
            amount=Coalesce(Sum("initial_amount", filter=valued), Value(0, output_field=AMOUNT)),
            demo=Count("pk", filter=Q(is_demo=True)),
        )
        value = Decimal(row["count"]) if source.measure == Measure.COUNT else row["amount"]
        figures[source.indicator_id] = RegisterFigure(
            source,
            year,
            value,
            row["count"],
            register.sirets,
            last_import,
            bool(row["demo"]),
            register.frozen_at,
        )
    return figures
