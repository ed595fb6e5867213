"""The register's rules as filters on contracts: one home for each definition.

Every rule is a `Q` on the contract's own columns, so that it applies the same to the live register
and to the register as it stood when a plan closed (`Contract.history.as_of(...)`, whose rows carry
the same columns): the legal indicators (art. L2111-3), what makes an amount an anomaly, and the
duties in force since 21 August 2026. The legal indicators are written once as data (`CATEGORIES`),
from which both the filters and the test of one contract read outside the database (the national
comparison, national.services) are derived.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from .enums import Category, Considerations, Duty, Nature, ThresholdKind

# Since 21 August 2026 (loi Climat et résilience, art. 35): an environmental award criterion
# (L2152-7), an environmental execution condition (L2112-2) and, above the European thresholds, a
# social execution condition (L2112-2-1), each with the exceptions the code sets.
ENVIRONMENTAL_DUTY_SINCE = datetime.date(2026, 8, 21)
# Below 1 € an amount is not a contract's value; above the ceiling SCP sets (1 billion € HT unless
# it sets another), it is taken for a typing error: the contract counts in number, not in value.
AMOUNT_FLOOR = Decimal("1")
DEFAULT_CEILING = Decimal("1000000000")
WORKS_CPV_DIVISION = "45"  # CPV division 45: construction work (marchés de travaux)

NOTHING = Q(pk__isnull=True)  # no contract (a rule whose amount is not set)
SOCIAL_FLAGS = ("social_clause", "social_criterion", "reserved")
ENVIRONMENTAL_FLAGS = ("environmental_clause", "environmental_criterion")
FLAGS = SOCIAL_FLAGS + ENVIRONMENTAL_FLAGS


def considerations(published: dict, correction=None) -> dict:
    """The contract's columns the figures use: the considerations as published, with SCP's correction
    over them (a flag it set wins; one it left empty is as published).

    A side is "stated" when one of its flags is; otherwise "none" when the publication said so, or
    stated flags SCP corrected away, or SCP set every flag of the side; otherwise it stays unknown
    (SCP said "no clause", nothing about the criterion: still not known).
    """
    values = {"corrected": correction is not None, "excluded": bool(correction and correction.excluded)}
    for side, flags in (("social", SOCIAL_FLAGS), ("environmental", ENVIRONMENTAL_FLAGS)):
        published_status = published.get(side, Considerations.UNKNOWN)
        set_by_scp = 0
        for flag in flags:
            chosen = getattr(correction, flag, None) if correction is not None else None
            values[flag] = bool(published.get(flag)) if chosen is None else chosen
            set_by_scp += chosen is not None
        if any(values[flag] for flag in flags):
            values[side] = Considerations.STATED
        elif set_by_scp == len(flags) or published_status != Considerations.UNKNOWN:
            values[side] = Considerations.NONE
        else:
            values[side] = Considerations.UNKNOWN
    return values


# --- the legal categories: one declarative definition each -------------------------------------------
#
# Each category is a condition on a contract's columns (the values `considerations()` gives), written
# once as data; the register's database filters (`category_filters`) and the national computation's
# test of one contract (`category_predicates`, national.services) are both derived from it, so the two
# paths cannot count differently.


@dataclass(frozen=True)
class Equals:
    """The column holds the value."""

    column: str
    value: object


@dataclass(frozen=True)
class AllOf:
    """Every part holds (no part: every contract)."""

    parts: tuple = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one part holds."""

    parts: tuple = ()


Condition = Equals | AllOf | AnyOf

_SOCIAL = Equals("social", Considerations.STATED)
_ENVIRONMENTAL = Equals("environmental", Considerations.STATED)
CATEGORIES: dict[str, Condition] = {
    Category.CONTRACTS: AllOf(),
    Category.SOCIAL: _SOCIAL,
    Category.RESERVED: Equals("reserved", True),
    Category.ENVIRONMENTAL: _ENVIRONMENTAL,
    Category.BOTH: AllOf((_SOCIAL, _ENVIRONMENTAL)),
    Category.NONE: AllOf(
        (Equals("social", Considerations.NONE), Equals("environmental", Considerations.NONE))
    ),
    Category.UNKNOWN: AnyOf(
        (Equals("social", Considerations.UNKNOWN), Equals("environmental", Considerations.UNKNOWN))
    ),
}
COUNTED_CONDITION = Equals("excluded", False)  # a contract SCP excluded (duplicate, error) counts nowhere


def as_q(condition: Condition) -> Q:
    """The condition as a filter on the contracts' table."""
    if isinstance(condition, Equals):
        return Q(**{condition.column: condition.value})
    parts = [as_q(part) for part in condition.parts]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if isinstance(condition, AllOf) else combined | part
    return combined


def as_predicate(condition: Condition) -> Callable[[dict], bool]:
    """The condition as a test of one contract's columns (a dict as `considerations()` returns)."""
    if isinstance(condition, Equals):
        column, value = condition.column, condition.value
        return lambda values: values[column] == value
    parts = tuple(as_predicate(part) for part in condition.parts)
    if isinstance(condition, AllOf):
        return lambda values: all(part(values) for part in parts)
    return lambda values: any(part(values) for part in parts)


COUNTED = as_q(COUNTED_CONDITION)


def category_filters() -> dict[str, Q]:
    """Each legal indicator as a filter on the contracts that count."""
    return {category: as_q(condition) for category, condition in CATEGORIES.items()}


def category_predicates() -> dict[str, Callable[[dict], bool]]:
    """Each legal indicator as a test of one contract's columns; with `counted` (the COUNTED rule) and
    `Thresholds.is_anomaly` (the value totals), what `category_filters` count in the database."""
    return {category: as_predicate(condition) for category, condition in CATEGORIES.items()}


counted = as_predicate(COUNTED_CONDITION)


def missing_environmental() -> Q:
    """Notified since the environmental duty began, without any environmental consideration stated."""
    return Q(notified_on__gte=ENVIRONMENTAL_DUTY_SINCE) & ~Q(environmental=Considerations.STATED)


@dataclass(frozen=True)
class Thresholds:
    """The dated amounts in force (SCP keeps them in the admin): for each kind, (valid from, amount)
    sorted by date; the amount valid at a contract's notification applies to it."""

    periods: dict[str, tuple[tuple[datetime.date, Decimal], ...]]
    sources: dict[tuple[str, datetime.date], str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows) -> Thresholds:
        """From Threshold rows (live, or as they stood when a plan closed)."""
        periods: dict[str, list] = {}
        sources = {}
        for row in sorted(rows, key=lambda r: (r.kind, r.valid_from)):
            periods.setdefault(row.kind, []).append((row.valid_from, Decimal(row.amount)))
            sources[(row.kind, row.valid_from)] = row.source
        return cls({kind: tuple(values) for kind, values in periods.items()}, sources)

    def _valid(self, kind: str, date: datetime.date) -> tuple[datetime.date, Decimal] | None:
        """The (valid from, amount) of `kind` on `date` (the earliest one known before it was set)."""
        values = self.periods.get(kind) or ()
        chosen = values[0] if values else None
        for value in values:
            if value[0] <= date:
                chosen = value
        return chosen

    def at(self, kind: str, date: datetime.date) -> Decimal | None:
        """The amount of `kind` valid on `date`."""
        chosen = self._valid(kind, date)
        if chosen is None:
            return DEFAULT_CEILING if kind == ThresholdKind.CEILING else None
        return chosen[1]

    def source(self, kind: str, date: datetime.date) -> str:
        chosen = self._valid(kind, date)
        return self.sources.get((kind, chosen[0]), "") if chosen else ""

    def _compare(self, kind: str, lookup: str) -> Q:
        """Contracts whose initial amount `lookup`s ("gt", "gte") the amount of `kind` valid at their
        notification; no contract when the kind has no amount."""
        values = self.periods.get(kind) or ()
        if not values:
            if kind == ThresholdKind.CEILING:
                return Q(**{f"initial_amount__{lookup}": DEFAULT_CEILING})
            return NOTHING
        condition = Q()
        for index, (_, amount) in enumerate(values):
            period = Q(**{f"initial_amount__{lookup}": amount})
            if index + 1 < len(values):
                period &= Q(notified_on__lt=values[index + 1][0])
            if index:
                period &= Q(notified_on__gte=values[index][0])
            condition |= period
        return condition

    def anomaly(self) -> Q:
        """An amount left out of every value total: missing, unreadable or too large to be a number
        (stored empty), below 1 €, or above the ceiling."""
        return (
            Q(initial_amount__isnull=True)
            | Q(initial_amount__lt=AMOUNT_FLOOR)
            | self._compare(ThresholdKind.CEILING, "gt")
        )

    def is_anomaly(self, amount: Decimal | None, date: datetime.date) -> bool:
        """`anomaly()` for one amount (the import's report)."""
        return amount is None or amount < AMOUNT_FLOOR or amount > self.at(ThresholdKind.CEILING, date)

    def above_european(self) -> Q:
        """At or above the European threshold of its kind (works: CPV division 45), which is when the
        formalised procedures, and the social execution condition since 2026, apply."""
        works = Q(cpv__startswith=WORKS_CPV_DIVISION)
        contract = Q(nature=Nature.CONTRACT)
        return (
            (contract & works & self._compare(ThresholdKind.WORKS, "gte"))
            | (contract & ~works & self._compare(ThresholdKind.SUPPLIES_SERVICES, "gte"))
            | (Q(nature=Nature.CONCESSION) & self._compare(ThresholdKind.CONCESSIONS, "gte"))
        ) & ~self.anomaly()

    def duty(self, duty: str) -> Q:
        """Contracts notified since 21 August 2026 that one duty would list for checking."""
        since = Q(notified_on__gte=ENVIRONMENTAL_DUTY_SINCE)
        if duty == Duty.ENVIRONMENTAL_CRITERION:
            return since & ~Q(environmental_criterion=True)
        if duty == Duty.ENVIRONMENTAL_CLAUSE:
            return since & ~Q(environmental_clause=True)
        return since & self.above_european() & ~Q(social_clause=True)
