"""Who the money went to: the shares of the contracts by category of their holders (PME, TPE, ESS,
SIAE, EA/ESAT, GEIQ, local, non identifié), one definition for the page, the bilan, the command and
the fiche indicators.

The rules (said on the pages, `SPLIT_RULE`): a contract counts in number in a category when at least
one of its holders belongs to it; in value, its initial amount (anomalous amounts left out, as in
every value total) is split evenly among its holders, each share counting in its holder's
categories; the sums are exact and rounded to the cent at the end. A contract whose data name no
holder at all counts as "non identifié", in number and in value (it is listed). A holder's
categories come from suppliers.selectors (SIRENE and the inclusion lists).

The shares read each contract's `holders` JSON, not the ContractHolder rows: a closed plan's
contracts as they stood at its closing carry the JSON too, so the live register and a closed plan
are counted by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import BooleanField, Case, Max, Q, Value, When

from actions.models import Plan
from core import values
from suppliers.enums import SourceKind, SupplierCategory
from suppliers.models import SupplierImport
from suppliers.selectors import RULES, HolderFacts, holder_facts, local_departements

from .. import rules
from ..models import ContractHolder
from .labels import euros, percent

KEYS = tuple(SupplierCategory.values)  # the keys of `supplier_tally`, in the order pages show them
UNIDENTIFIED = SupplierCategory.UNIDENTIFIED
LISTED_NO_HOLDER = 20  # contracts naming no holder, listed by the section (the register lists them all)
SPLIT_RULE = (
    "Un contrat compte en nombre dans une catégorie dès qu'au moins un de ses titulaires en relève ; "
    "en valeur, son montant initial (hors montants anormaux) est partagé à parts égales entre ses "
    "titulaires, chaque part comptant dans les catégories de son titulaire (sommes arrondies au "
    "centime à la fin). Un contrat dont les données ne nomment aucun titulaire compte comme « non "
    "identifié », en nombre et en valeur."
)


def holder_identifiers() -> list[str]:
    """Every holder the register names, once each: what the SIRENE import keeps (suppliers.wanted)."""
    return list(ContractHolder.objects.order_by().values_list("identifier", flat=True).distinct())


@dataclass(frozen=True)
class HolderRow:
    """A contract as the shares read it: its holders, and its amount (None: left out of the values)."""

    pk: int
    contract_id: str
    holders: tuple[str, ...]
    amount: Decimal | None
    marks: dict[str, bool]

    @property
    def has_holder(self) -> bool:
        return bool(self.holders)


def holder_rows(
    contracts, thresholds: rules.Thresholds, marks: dict[str, Q] | None = None
) -> list[HolderRow]:
    """The counted contracts of `contracts` as the shares read them, in one query; `marks` names
    conditions computed for each (e.g. the legal categories a fiche indicator counts in)."""
    marks = marks or {}
    annotations = {
        f"in_{name}": Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
        if condition  # an empty Q (every contract) cannot be a When's condition
        else Value(True, output_field=BooleanField())
        for name, condition in {"valued": ~thresholds.anomaly(), **marks}.items()
    }
    rows = (
        contracts.filter(rules.COUNTED)
        .annotate(**annotations)
        .order_by("notified_on", "uid")
        .values("id", "contract_id", "holders", "initial_amount", *annotations)
    )
    return [
        HolderRow(
            pk=row["id"],
            contract_id=row["contract_id"],
            holders=tuple(str(identifier) for identifier in row["holders"] or () if identifier),
            amount=row["initial_amount"] if row["in_valued"] else None,
            marks={name: row[f"in_{name}"] for name in marks},
        )
        for row in rows
    ]


def _categories(row: HolderRow, facts: dict[str, HolderFacts]) -> list[set[str]]:
    """The categories of each of the contract's holders (one "non identifié" holder when none)."""
    if not row.holders:
        return [{UNIDENTIFIED}]
    found = []
    for identifier in row.holders:
        one = facts.get(identifier)
        found.append(set(one.categories) if one is not None else {UNIDENTIFIED})
    return found


def cents(value: Fraction) -> Decimal:
    """An exact sum rounded to the cent (half up), at the end of the computation."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def split_tally(rows: list[HolderRow], facts: dict[str, HolderFacts]) -> dict[str, dict]:
    """`supplier_tally` of rows already read (no query): {category: {"count", "amount"}}, plus the
    whole ("contracts": the contracts and their valued amount) the shares are taken of."""
    counts = dict.fromkeys(KEYS, 0)
    amounts = dict.fromkeys(KEYS, Fraction(0))
    whole = Fraction(0)
    for row in rows:
        holders = _categories(row, facts)
        for category in set().union(*holders):
            if category in counts:
                counts[category] += 1
        if row.amount is None:
            continue
        whole += Fraction(row.amount)
        share = Fraction(row.amount) / len(holders)
        for categories in holders:
            for category in categories:
                if category in amounts:
                    amounts[category] += share
    figures = {key: {"count": counts[key], "amount": cents(amounts[key])} for key in KEYS}
    figures["contracts"] = {"count": len(rows), "amount": cents(whole)}
    return figures


def rows_facts(rows: list[HolderRow], local_departements) -> dict[str, HolderFacts]:
    """The facts of every holder of `rows`: 3 queries (none when no row names a holder)."""
    return holder_facts({identifier for row in rows for identifier in row.holders}, local_departements)


def supplier_tally(contracts, thresholds: rules.Thresholds, local_departements) -> dict[str, dict]:
    """Count and value of the counted contracts of `contracts` per category of their holders:
    {key: {"count": int, "amount": Decimal}} for pme, tpe, ess, siae, ea_esat, geiq, local and
    unidentified (and "contracts", the whole). 4 queries whatever the number of contracts (1 for
    the contracts and their holders, 3 for the holders' facts)."""
    rows = holder_rows(contracts, thresholds)
    return split_tally(rows, rows_facts(rows, local_departements))


def contracts_in_category(rows: list[HolderRow], facts: dict[str, HolderFacts], category: str) -> list[int]:
    """The pks of the contracts that count in number in `category` (the register's filter)."""
    return [row.pk for row in rows if any(category in found for found in _categories(row, facts))]


def data_sources(facts: dict[str, HolderFacts]) -> list[str]:
    """The sources the categories were read from, each with its latest date ("SIRENE – unités
    légales (StockUniteLegale) du 1 novembre 2026"), for the pages to say what the figures rest on."""
    latest: dict[str, object] = {}
    for one in facts.values():
        for category, evidence in one.categories.items():
            if category == UNIDENTIFIED:
                continue
            if evidence.source not in latest or evidence.date > latest[evidence.source]:
                latest[evidence.source] = evidence.date
    return [f"{source} du {date:%d/%m/%Y}" for source, date in sorted(latest.items())]


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def import_dates() -> list[str]:
    """The latest SIRENE and inclusion files imported, each with its date. 1 query."""
    rows = SupplierImport.objects.order_by().values("source").annotate(date=Max("source_date"))
    return [
        f"{SourceKind(row['source']).label} du {row['date']:%d/%m/%Y}"
        for row in sorted(rows, key=lambda r: r["source"])
    ]


def supplier_rows(figures: dict[str, dict]) -> list[dict]:
    """The table's rows as plain data (a published bilan freezes them): per category, its rule, the
    number and value of contracts and their shares of the whole."""
    whole = figures["contracts"]
    rows = []
    for key in KEYS:
        figure = figures[key]
        rows.append(
            {
                "category": key,
                "label": SupplierCategory(key).label,
                "rule": RULES[key],
                "count": figure["count"],
                "count_label": values.format_number(figure["count"], 0),
                "count_share_label": percent(_share(figure["count"], whole["count"])),
                "amount": f"{figure['amount']:.2f}",
                "amount_label": euros(figure["amount"]),
                "amount_share_label": percent(_share(figure["amount"], whole["amount"])),
            }
        )
    return rows


def supplier_section(plan: Plan, contracts, thresholds: rules.Thresholds) -> dict:
    """The "Titulaires des contrats" section of the legal indicators' page and of the bilan, as plain
    data: the table, the rules, the local départements and where they come from, the data the
    categories were read from, and the contracts that name no holder. 7 queries whatever the number
    of contracts and holders."""
    rows = holder_rows(contracts, thresholds)
    local, local_source = local_departements(plan)
    facts = rows_facts(rows, local)
    figures = split_tally(rows, facts)
    no_holder = [row for row in rows if not row.has_holder]
    return {
        "tally": {key: {"count": f["count"], "amount": f"{f['amount']:.2f}"} for key, f in figures.items()},
        "rows": supplier_rows(figures),
        "contracts": figures["contracts"]["count"],
        "amount_label": euros(figures["contracts"]["amount"]),
        "split_rule": SPLIT_RULE,
        "local": ", ".join(local),
        "local_source": local_source,
        "sources": sorted(set(import_dates()) | set(data_sources(facts))),
        "is_demo": any(one.is_demo for one in facts.values()),
        "no_holder_count": len(no_holder),
        "no_holder": [{"id": row.contract_id, "pk": row.pk} for row in no_holder[:LISTED_NO_HOLDER]],
    }
