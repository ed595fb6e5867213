"""What the legal indicators (art. L2111-3) say, read from the contracts register.

A plan reads its buyers' contracts through `PlanRegister`: live, or, once the plan is closed, as they
stood at its closing (`Contract.history.as_of`): later imports still fill the register, which belongs
to the buyer, but never change what a closed plan shows. Every figure counts the contracts SCP did
not exclude, with SCP's corrections over the published considerations, and leaves anomalous amounts
out of the value totals (contracts.rules). `legal_figures` is the command's computation;
`legal_overview` the page's and the bilan's; `register_figures` the fiche indicators computed from
the register.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, DecimalField, F, Max, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils.formats import date_format

from actions.models import Buyer, Plan
from core import values

from . import cpv, rules
from .enums import Category, Considerations, Duty, Measure, Nature, ThresholdKind
from .models import (
    Contract,
    ContractCorrection,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterFreeze,
    RegisterIndicator,
    Threshold,
)
from .services import IMPORT_REASON

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


def tally_share(tally: dict[str, dict], category: str, measure: str = Measure.COUNT) -> Decimal | None:
    """A category's share of all the contracts of a tally, in %, one decimal (None without contracts)."""
    whole = tally[Category.CONTRACTS][measure]
    if not whole:
        return None
    return (Decimal(tally[category][measure]) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


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


# --- the pages: the legal indicators (one year, or the plan's years for the end-of-plan bilan) -------

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


# French typography: a no-break space before "€" and "%", so that a narrow column never wraps them.
NBSP = "\u00a0"


def euros(amount) -> str:
    """An amount the French way: "1 234 567 €", or with cents when it has some ("1 234,50 €")."""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value()
    return f"{values.format_number(amount, 0 if whole else 2)}{NBSP}€"


def contract_amount(contract: Contract) -> str:
    """A contract's initial amount as read, or as published when it could not be ("1e+17")."""
    if contract.initial_amount is None:
        return f"« {contract.published_amount} »" if contract.published_amount else "non renseigné"
    return euros(contract.initial_amount)


def percent(share: Decimal | None) -> str:
    """A computed share, one decimal: "18,7 %" ("—" when there is nothing to share)."""
    return "—" if share is None else f"{values.format_number(share, 1)}{NBSP}%"


def stated_percent(share: Decimal) -> str:
    """A share someone set (a target, a national figure), as written: "30 %", "18,7 %"."""
    return f"{values.format_number(share)}{NBSP}%"


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


def legal_overview(plan: Plan, *, year: int | None, years: list[int]) -> LegalOverview:
    """The legal indicators of `year` (None: of all `years` together), their trend over `years`, the
    lists behind them, the plan's targets and the national references; for a closed plan, all as they
    stood at its closing. 8 queries whatever the number of contracts (10 for a closed plan; 1 when the
    plan has no buyer)."""
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
    )


# --- the register: the list of contracts and a contract's page -----------------------------------------

PAGE_SIZE = 50


@dataclass
class ContractFilters:
    """What the register's list is filtered by (every filter optional)."""

    category: str = ""
    year: int | None = None
    division: str = ""  # the CPV code's first two digits
    search: str = ""  # in the object, the contract's id and uid, the holders' SIRET
    missing_environmental: bool = False
    duty: str = ""  # one of the duties since 21 August 2026 (Duty)
    anomaly: bool = False  # amounts left out of the value totals
    corrected: bool = False  # contracts SCP corrected (or excluded)
    excluded: bool = False


def _search(text: str) -> Q:
    condition = Q(object__icontains=text) | Q(contract_id__icontains=text) | Q(uid__icontains=text)
    digits = text.replace(" ", "")
    if digits.isdigit():
        condition |= Q(holders__icontains=digits)  # the holders' SIRET, as JSON text
    return condition


def register_contracts(register: PlanRegister, filters: ContractFilters, thresholds: rules.Thresholds):
    """The buyers' contracts the filters keep, newest notification first. A category, a duty or an
    anomaly lists the contracts its figure counts (not the excluded ones); the excluded ones are
    listed on their own."""
    contracts = register.contracts()
    counted_only = filters.category or filters.duty or filters.anomaly or filters.missing_environmental
    if counted_only:
        contracts = contracts.filter(rules.COUNTED)
    if filters.category:
        contracts = contracts.filter(rules.category_filters()[filters.category])
    if filters.year:
        contracts = contracts.filter(year=filters.year)
    if filters.division:
        contracts = contracts.filter(cpv__startswith=filters.division)
    if filters.missing_environmental:
        contracts = contracts.filter(rules.missing_environmental())
    if filters.duty:
        contracts = contracts.filter(thresholds.duty(filters.duty))
    if filters.anomaly:
        contracts = contracts.filter(thresholds.anomaly())
    if filters.corrected:
        contracts = contracts.filter(corrected=True)
    if filters.excluded:
        contracts = contracts.filter(excluded=True)
    if filters.search.strip():
        contracts = contracts.filter(_search(filters.search.strip()))
    return contracts.order_by("-notified_on", "uid")


@dataclass
class RegisterPage:
    plan: Plan
    buyers: list[Buyer]
    page: Page
    years: list[int]  # the years the buyers' contracts were notified in
    divisions: list[tuple[str, str]]  # CPV divisions found in them, with their names
    frozen_at: datetime.datetime | None = None

    @property
    def buyer_names(self) -> dict[str, str]:
        return {buyer.siret: buyer.name for buyer in self.buyers}


def register_page(*, plan: Plan, filters: ContractFilters, page_number=None) -> RegisterPage:
    """The register's list: one page of the plan's buyers' contracts that the filters keep, and the
    years and CPV divisions to filter by. 5 queries whatever the number of contracts (6 for a closed
    plan, whose list is its contracts as they stood at its closing)."""
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret"))
    register = PlanRegister.of(plan, [buyer.siret for buyer in buyers] or ["-"])
    thresholds = register.thresholds()
    found = set(
        register.contracts()
        .annotate(division=Substr("cpv", 1, 2))
        .order_by()
        .values_list("year", "division")
        .distinct()
    )
    divisions = sorted({division for _, division in found if division.isdigit()})
    paginator = Paginator(register_contracts(register, filters, thresholds), PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    for contract in page.object_list:
        contract.is_anomaly = thresholds.is_anomaly(contract.initial_amount, contract.notified_on)
    return RegisterPage(
        plan=plan,
        buyers=buyers,
        page=page,
        years=sorted({year for year, _ in found}, reverse=True),
        divisions=[(division, cpv.division_label(division)) for division in divisions],
        frozen_at=register.frozen_at,
    )


@dataclass
class ConsiderationLine:
    """One flag of the contract page: as published, as counted, and whether SCP corrected it."""

    label: str
    published: bool
    counted: bool
    corrected: bool  # SCP set it (it may equal the published value)


@dataclass
class ContractPage:
    contract: Contract
    buyer: Buyer
    history: list[dict]  # newest first: when, who, what kind of change, which fields changed
    marks: dict[str, bool]  # list_rules' names -> whether the contract is in that list
    correction: ContractCorrection | None
    lines: list[ConsiderationLine]
    frozen_at: datetime.datetime | None = None
    changed_since_freeze: bool = False

    @property
    def date_label(self) -> str:
        """Concessions are dated by their signature (dateSignature), contracts by their notification."""
        return "Date de signature" if self.contract.nature == Nature.CONCESSION else "Date de notification"

    @property
    def division(self) -> str:
        return cpv.DIVISIONS.get(self.contract.cpv_division, "")

    @property
    def missing_environmental(self) -> bool:
        return self.marks["missing_environmental"]

    @property
    def is_anomaly(self) -> bool:
        return self.marks["anomalies"]

    @property
    def duties(self) -> list[str]:
        return [label for duty, label in Duty.choices if self.marks[duty]]

    @property
    def published_words(self) -> dict[str, list[str]]:
        published = self.contract.published or {}
        return {side: published.get(f"{side}_words") or [] for side in ("social", "environmental")}

    @property
    def published_status(self) -> dict[str, str]:
        published = self.contract.published or {}
        return {
            side: Considerations(published.get(side, Considerations.UNKNOWN)).label
            for side in ("social", "environmental")
        }


def _shown(name: str, value) -> str:
    """A stored field value as a reader reads it in the history."""
    model_field = Contract._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, bool):
        return values.format_yes_no(value)
    if isinstance(value, Decimal):
        return euros(value)
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, dict):
        return "(détail des considérations publiées)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


HISTORY_KINDS = {"+": "Création", "~": "Modification", "-": "Suppression"}
FIELD_ORDER = {model_field.name: index for index, model_field in enumerate(Contract._meta.fields)}


def _history(contract: Contract) -> list[dict]:
    records = list(contract.history.select_related("history_user").order_by("-history_date", "-history_id"))
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            for change in sorted(newer.diff_against(older).changes, key=lambda c: FIELD_ORDER[c.field]):
                label = Contract._meta.get_field(change.field).verbose_name
                changes.append(
                    {
                        "field": label,
                        "old": _shown(change.field, change.old),
                        "new": _shown(change.field, change.new),
                    }
                )
        rows.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                "kind": HISTORY_KINDS.get(newer.history_type, newer.history_type),
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


FLAG_LABELS = {
    "social_clause": "Clause sociale",
    "social_criterion": "Critère social",
    "reserved": "Marché réservé (ou concession réservée)",
    "environmental_clause": "Clause environnementale",
    "environmental_criterion": "Critère environnemental",
}


def contract_page(*, plan: Plan, pk: int) -> ContractPage | None:
    """A contract of the plan's buyers with its correction, its history and who made each change, and
    the lists it is in (None: not theirs). 6 queries (7 for a closed plan)."""
    buyers = {buyer.siret: buyer for buyer in Buyer.objects.filter(plan=plan)}
    contract = Contract.objects.of_buyers(buyers).filter(pk=pk).select_related("correction").first()
    if contract is None:
        return None
    register = PlanRegister.of(plan, list(buyers))
    conditions = _marks(list_rules(register.thresholds()))
    row = Contract.objects.filter(pk=pk).annotate(**conditions).values(*conditions).get()
    marks = {name.removeprefix("in_"): value for name, value in row.items()}
    correction = getattr(contract, "correction", None)
    published = contract.published or {}
    lines = [
        ConsiderationLine(
            label=label,
            published=bool(published.get(flag)),
            counted=getattr(contract, flag),
            corrected=correction is not None and getattr(correction, flag) is not None,
        )
        for flag, label in FLAG_LABELS.items()
    ]
    history = _history(contract)
    return ContractPage(
        contract=contract,
        buyer=buyers[contract.buyer_siret],
        history=history,
        marks=marks,
        correction=correction,
        lines=lines,
        frozen_at=register.frozen_at,
        changed_since_freeze=bool(register.frozen_at and history and history[0]["date"] > register.frozen_at),
    )
