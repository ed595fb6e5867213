"""What a plan reads of the register (live, or as it stood at the plan's closing), and the
tallies and lists every legal figure is made of."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, DecimalField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from actions.models import Buyer, Plan

from .. import rules
from ..enums import Category, Duty, Measure
from ..models import (
    Contract,
    NationalReference,
    RegisterFreeze,
    Threshold,
)
from ..services import IMPORT_REASON

AMOUNT = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")


def plan_buyers(plan: Plan) -> list[str]:
    return sorted(set(Buyer.objects.filter(plan=plan).values_list("siret", flat=True)))


# --- what a plan reads of the register ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRegister:
    """A plan's buyers' contracts: as they are, or as they stood when the plan closed (`frozen_at`)."""

    plan: Plan
    sirets: list[str]
    frozen_at: datetime.datetime | None = None

    @classmethod
    def of(cls, plan: Plan, sirets: list[str] | None = None) -> PlanRegister:
        """1 query (2 for a closed plan, 1 fewer when `sirets` are given)."""
        sirets = sorted(set(sirets)) if sirets else plan_buyers(plan)
        frozen_at = None
        if plan.is_closed:
            frozen_at = RegisterFreeze.objects.filter(plan=plan).values_list("frozen_at", flat=True).first()
        return cls(plan, sirets, frozen_at)

    def _as_of(self, model):
        return model.history.as_of(self.frozen_at) if self.frozen_at else model.objects.all()

    def contracts(self):
        """Every contract of the buyers, excluded ones included (they are listed as such)."""
        return self._as_of(Contract).filter(buyer_siret__in=self.sirets)

    def counted(self):
        """The contracts the figures count (all but those SCP excluded)."""
        return self.contracts().filter(rules.COUNTED)

    def thresholds(self) -> rules.Thresholds:
        """The ceiling and the European thresholds, as they stood when the plan closed. 1 query."""
        return rules.Thresholds.of(self._as_of(Threshold))

    def national_references(self):
        return self._as_of(NationalReference)

    def published_after_closing(self) -> int:
        """Contracts of the plan's years that an import added or changed after the plan closed (they
        are in the register, not in the plan's frozen figures). 1 query."""
        if self.frozen_at is None:
            return 0
        return (
            Contract.history.filter(
                buyer_siret__in=self.sirets,
                year__in=self.plan.years,
                history_date__gt=self.frozen_at,
                history_change_reason=IMPORT_REASON,
            )
            .values("id")
            .distinct()
            .count()
        )


def _aggregates(thresholds: rules.Thresholds) -> dict:
    """`<category>__count` and `<category>__amount` (initial amounts, anomalies left out) of every
    legal category, over the contracts counted."""
    zero = Value(0, output_field=AMOUNT)
    valued = ~thresholds.anomaly()
    aggregates = {}
    for category, condition in rules.category_filters().items():
        counted = condition & rules.COUNTED
        aggregates[f"{category}__count"] = Count("pk", filter=counted)
        aggregates[f"{category}__amount"] = Coalesce(Sum("initial_amount", filter=counted & valued), zero)
    return aggregates


def _figures(row: dict) -> dict[str, dict]:
    return {
        category: {"count": row[f"{category}__count"], "amount": row[f"{category}__amount"]}
        for category in Category.values
    }


def tally(contracts, thresholds: rules.Thresholds) -> dict[str, dict]:
    """Count and initial amount of every legal category, in one query."""
    return _figures(contracts.aggregate(**_aggregates(thresholds)))


def tally_by_year(contracts, thresholds: rules.Thresholds) -> dict[int, dict[str, dict]]:
    """`tally` per notification year, in one query."""
    rows = contracts.order_by().values("year").annotate(**_aggregates(thresholds))
    return {row["year"]: _figures(row) for row in rows}


# The lists the legal page, the bilan and the command give: each a rule, read in one query together.
LISTED_FIELDS = (
    "id",
    "uid",
    "contract_id",
    "buyer_siret",
    "nature",
    "object",
    "cpv",
    "notified_on",
    "year",
    "initial_amount",
    "published_amount",
    "social",
    *rules.SOCIAL_FLAGS,
    "environmental",
    *rules.ENVIRONMENTAL_FLAGS,
    "corrected",
    "excluded",
    "is_demo",
)


def list_rules(thresholds: rules.Thresholds) -> dict[str, Q]:
    """What each list holds: anomalous amounts, corrections, exclusions, and the duties since 2026."""
    return {
        "anomalies": thresholds.anomaly() & rules.COUNTED,
        "corrected": Q(corrected=True),
        "excluded": Q(excluded=True),
        "missing_environmental": rules.missing_environmental() & rules.COUNTED,
        **{duty: thresholds.duty(duty) & rules.COUNTED for duty in Duty.values},
    }


def _marks(conditions: dict[str, Q]) -> dict[str, Case]:
    """`in_<name>`: whether a contract is in each list, computed by the database."""
    return {
        f"in_{name}": Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        for name, condition in conditions.items()
    }


def notable_contracts(contracts, thresholds: rules.Thresholds) -> dict[str, list[Contract]]:
    """The contracts of each list (`list_rules`), oldest notification first: one query.

    Read as values, then made contracts (unsaved instances with their pk), so that a closed plan's
    contracts as of its closing read like live ones; each carries `is_anomaly`."""
    conditions = list_rules(thresholds)
    anyone = Q()
    for condition in conditions.values():
        anyone |= condition
    marks = _marks(conditions)
    rows = (
        contracts.filter(anyone)
        .annotate(**marks)
        .order_by("notified_on", "uid")
        .values(*LISTED_FIELDS, *marks)
    )
    lists: dict[str, list[Contract]] = {name: [] for name in conditions}
    for row in rows:
        contract = Contract(**{name: row[name] for name in LISTED_FIELDS})
        contract.is_anomaly = row["in_anomalies"]
        for name in conditions:
            if row[f"in_{name}"]:
                lists[name].append(contract)
    return lists


def tally_share(tally: dict[str, dict], category: str, measure: str = Measure.COUNT) -> Decimal | None:
    """A category's share of all the contracts of a tally, in %, one decimal (None without contracts)."""
    whole = tally[Category.CONTRACTS][measure]
    if not whole:
        return None
    return (Decimal(tally[category][measure]) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def zero_tally() -> dict[str, dict]:
    return {category: {"count": 0, "amount": ZERO} for category in Category.values}


def tally_sum(tallies) -> dict[str, dict]:
    """The tallies of several years added up (the end-of-plan bilan's period)."""
    total = zero_tally()
    for one in tallies:
        for category in Category.values:
            total[category]["count"] += one[category]["count"]
            total[category]["amount"] += one[category]["amount"]
    return total
