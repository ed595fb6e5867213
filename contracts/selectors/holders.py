"""A holder's page: who it is (SIRENE), the categories it counts in with their source and date, its
contracts with the plan's buyers, and what they come to per year (its share of each amount split
among the holders, and the full amounts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from actions.models import Buyer, Plan
from core import values
from suppliers.selectors import HolderFacts, holder_facts, local_departements

from .. import rules
from ..models import ContractHolder, Threshold
from .labels import euros
from .suppliers import cents


@dataclass
class HolderPage:
    plan: Plan
    facts: HolderFacts
    contracts: list[dict]  # newest first: the contract, its buyer, its full amount and the holder's share
    years: list[dict]  # per notification year: contracts counted, the holder's shares, the full amounts
    local: list[str] = field(default_factory=list)
    local_source: str = ""

    @property
    def is_demo(self) -> bool:
        return self.facts.is_demo or any(line["contract"].is_demo for line in self.contracts)

    @property
    def categories(self) -> list[dict]:
        return self.facts.category_list()


def _line(holder: ContractHolder, buyers: dict[str, Buyer], thresholds: rules.Thresholds) -> dict:
    contract = holder.contract
    valued = not thresholds.is_anomaly(contract.initial_amount, contract.notified_on)
    share = Fraction(contract.initial_amount) / holder.holders if valued else None
    return {
        "contract": contract,
        "buyer": buyers[contract.buyer_siret],
        "holders": holder.holders,
        "counted": not contract.excluded,
        "is_anomaly": not valued,
        "share": share,
        "share_label": euros(cents(share)) if share is not None else values.MISSING,
    }


def _years(lines: list[dict]) -> list[dict]:
    """Per year, over the contracts that count (not excluded): their number, the holder's shares and
    the full amounts (anomalous amounts left out of both), newest year first."""
    by_year: dict[int, dict] = {}
    for line in lines:
        if not line["counted"]:
            continue
        year = by_year.setdefault(
            line["contract"].year, {"count": 0, "share": Fraction(0), "amount": Fraction(0), "anomalies": 0}
        )
        year["count"] += 1
        if line["share"] is None:
            year["anomalies"] += 1
            continue
        year["share"] += line["share"]
        year["amount"] += Fraction(line["contract"].initial_amount)
    return [
        {
            "year": year,
            "count": figures["count"],
            "anomalies": figures["anomalies"],
            "share": cents(figures["share"]),
            "share_label": euros(cents(figures["share"])),
            "amount": cents(figures["amount"]),
            "amount_label": euros(cents(figures["amount"])),
        }
        for year, figures in sorted(by_year.items(), reverse=True)
    ]


def holder_page(*, plan: Plan, identifier: str) -> HolderPage | None:
    """The holder `identifier` as the plan's register knows it (None: no contract of the plan's buyers
    names it). 8 queries whatever the number of its contracts: the buyers, its contracts, the
    thresholds, the local départements (2) and its facts (3)."""
    buyers = {buyer.siret: buyer for buyer in Buyer.objects.filter(plan=plan)}
    rows = list(
        ContractHolder.objects.filter(identifier=identifier, contract__buyer_siret__in=list(buyers))
        .select_related("contract")
        .order_by("-contract__notified_on", "contract__uid")
    )
    if not rows:
        return None
    thresholds = rules.Thresholds.of(Threshold.objects.all())
    local, local_source = local_departements(plan)
    facts = holder_facts([identifier], local)[identifier]
    lines = [_line(row, buyers, thresholds) for row in rows]
    return HolderPage(
        plan=plan, facts=facts, contracts=lines, years=_years(lines), local=local, local_source=local_source
    )
