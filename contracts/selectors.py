"""What the legal indicators (art. L2111-3) say, read from the contracts register.

`legal_figures` is the one computation: the command's JSON, the page, the bilan's section and the
fiche indicators computed from the register all read it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.formats import date_format

from actions import values
from actions.models import Buyer, Plan

from . import cpv
from .enums import Category, Measure, Nature
from .models import (
    ENVIRONMENTAL_DUTY_SINCE,
    Contract,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
)

AMOUNT = DecimalField(max_digits=18, decimal_places=2)


def plan_buyers(plan: Plan) -> list[str]:
    return sorted(set(Buyer.objects.filter(plan=plan).values_list("siret", flat=True)))


@dataclass
class LegalFigures:
    plan: Plan
    year: int
    buyers: list[str]
    tally: dict[str, dict]  # category -> {"count": int, "amount": Decimal}
    missing_environmental: list[str]  # uids
    is_demo: bool

    def as_json(self) -> dict:
        """The command's output (`legal_indicators --format json`), amounts with two decimals."""
        data = {"plan": self.plan.slug, "year": self.year, "buyers": self.buyers}
        for category in Category.values:
            figure = self.tally[category]
            data[category] = {"count": figure["count"], "amount": f"{figure['amount']:.2f}"}
        data["missing_environmental_since_2026_08_21"] = self.missing_environmental
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
    """The year's legal indicators for the plan's buyers (or `buyers`): three queries."""
    buyers = sorted(set(buyers)) if buyers else plan_buyers(plan)
    contracts = Contract.objects.of_buyers(buyers).notified_in(year)
    missing = list(
        contracts.missing_environmental().order_by("notified_on", "uid").values_list("uid", flat=True)
    )
    return LegalFigures(
        plan=plan,
        year=year,
        buyers=buyers,
        tally=contracts.tally(),
        missing_environmental=missing,
        is_demo=contracts.filter(is_demo=True).exists(),
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

    @property
    def is_amount(self) -> bool:
        return self.source.measure == Measure.AMOUNT

    @property
    def description(self) -> str:
        what = self.source.get_category_display().lower()
        return f"{self.source.get_measure_display()} : {what}, notifiés en {self.year}"


def _register_source(indicator) -> RegisterIndicator | None:
    try:
        return indicator.register_source
    except RegisterIndicator.DoesNotExist:
        return None


def register_figures(indicators, year: int, *, plan: Plan) -> dict[int, RegisterFigure]:
    """The register's figure of each of `indicators` SCP computes from the register, by indicator pk.

    None is computed (the indicator is typed like any other) while the plan has no buyer or nothing was
    imported. `indicators` come with `select_related("register_source")`: no query when none is
    linked; else 2, and 1 per linked indicator.
    """
    sources = [source for source in map(_register_source, indicators) if source is not None]
    if not sources:
        return {}
    buyers = plan_buyers(plan)
    last_import = DecpImport.objects.order_by("-started_at").first()
    if not buyers or last_import is None:
        return {}  # nothing to compute from: the indicator is typed like any other
    figures = {}
    for source in sources:
        contracts = Contract.objects.of_buyers(buyers).notified_in(year).in_category(source.category)
        row = contracts.aggregate(
            count=Count("pk"),
            amount=Coalesce(Sum("initial_amount"), Value(0, output_field=AMOUNT)),
            demo=Count("pk", filter=Q(is_demo=True)),
        )
        value = Decimal(row["count"]) if source.measure == Measure.COUNT else row["amount"]
        figures[source.indicator_id] = RegisterFigure(
            source, year, value, row["count"], buyers, last_import, bool(row["demo"])
        )
    return figures


# --- the pages: the legal indicators (one year, or the plan's years for the end-of-plan bilan) -------

ZERO = Decimal("0.00")
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
DUTY_YEAR = int(ENVIRONMENTAL_DUTY_SINCE[:4])


# French typography: a no-break space before "€" and "%", so that a narrow column never wraps them.
NBSP = "\u00a0"


def euros(amount) -> str:
    """An amount the French way: "1 234 567 €", or with cents when it has some ("1 234,50 €")."""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value()
    return f"{values.format_number(amount, 0 if whole else 2)}{NBSP}€"


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
    for tally in tallies:
        for category in Category.values:
            total[category]["count"] += tally[category]["count"]
            total[category]["amount"] += tally[category]["amount"]
    return total


def legal_default_year(plan: Plan) -> int:
    """The page's year when none is asked: the plan's latest year with contracts, else its last year."""
    latest = (
        Contract.objects.of_buyers(plan_buyers(plan))
        .filter(year__in=plan.years)
        .aggregate(latest=Max("year"))["latest"]
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


def national_references(year: int) -> dict[tuple[str, str], NationalReference]:
    """The national figure of each (category, measure) to compare `year` with: the latest of `year` or
    before, else the oldest one published (each is shown with its own year and source)."""
    chosen: dict[tuple[str, str], NationalReference] = {}
    for reference in NationalReference.objects.order_by("year"):
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
    `years` together), the trend over `years`, and the contracts the environmental duty flags."""

    plan: Plan
    year: int | None  # None: the table adds up every year of `years` (end-of-plan bilan)
    years: list[int]
    buyers: list[Buyer]
    tally: dict[str, dict]
    is_demo: bool = False
    rows: list[dict] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    missing: list[Contract] = field(default_factory=list)
    last_import: datetime.datetime | None = None  # when the register was last imported into

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
        """Whether the environmental duty (from 21 August 2026) covers the table's year or years."""
        return (self.year if self.year is not None else max(self.years)) >= DUTY_YEAR


def legal_overview(plan: Plan, *, year: int | None, years: list[int]) -> LegalOverview:
    """The legal indicators of `year` (None: of all `years` together), their trend over `years`, the
    plan's targets and the national references. 10 queries whatever the number of contracts (1 when
    the plan has no buyer)."""
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret"))
    if not buyers:
        return LegalOverview(plan, year, years, buyers, zero_tally())
    sirets = sorted({buyer.siret for buyer in buyers})
    contracts = Contract.objects.of_buyers(sirets)
    by_year = contracts.filter(year__in=years).by_year()  # the trend: one query
    if year is None:
        period, tally = contracts.filter(year__in=years), tally_sum(by_year.values())
    else:
        period, tally = contracts.notified_in(year), legal_figures(plan, year, sirets).tally
    shown_years = sorted(set(years) | ({year} if year is not None else set()))
    reference_year = year if year is not None else max(years)
    return LegalOverview(
        plan=plan,
        year=year,
        years=years,
        buyers=buyers,
        tally=tally,
        is_demo=contracts.filter(year__in=shown_years, is_demo=True).exists(),
        rows=legal_table(
            tally,
            targets=plan_targets(plan, reference_year),
            references=national_references(reference_year),
        ),
        trend=trend_rows(by_year, years),
        missing=list(period.missing_environmental().order_by("notified_on", "uid")),
        last_import=DecpImport.objects.order_by("-started_at").values_list("started_at", flat=True).first(),
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


def _search(text: str) -> Q:
    condition = Q(object__icontains=text) | Q(contract_id__icontains=text) | Q(uid__icontains=text)
    digits = text.replace(" ", "")
    if digits.isdigit():
        condition |= Q(holders__icontains=digits)  # the holders' SIRET, as JSON text
    return condition


def register_contracts(sirets: list[str], filters: ContractFilters):
    """The buyers' contracts the filters keep, newest notification first."""
    contracts = Contract.objects.of_buyers(sirets)
    if filters.category:
        contracts = contracts.in_category(filters.category)
    if filters.year:
        contracts = contracts.notified_in(filters.year)
    if filters.division:
        contracts = contracts.filter(cpv__startswith=filters.division)
    if filters.missing_environmental:
        contracts = contracts.missing_environmental()
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

    @property
    def buyer_names(self) -> dict[str, str]:
        return {buyer.siret: buyer.name for buyer in self.buyers}


def register_page(*, plan: Plan, filters: ContractFilters, page_number=None) -> RegisterPage:
    """The register's list: one page of the plan's buyers' contracts that the filters keep, and the
    years and CPV divisions to filter by. 4 queries whatever the number of contracts."""
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret"))
    sirets = sorted({buyer.siret for buyer in buyers})
    found = set(
        Contract.objects.of_buyers(sirets)
        .annotate(division=Substr("cpv", 1, 2))
        .order_by()
        .values_list("year", "division")
        .distinct()
    )
    divisions = sorted({division for _, division in found if division.isdigit()})
    paginator = Paginator(register_contracts(sirets, filters), PAGE_SIZE)
    return RegisterPage(
        plan=plan,
        buyers=buyers,
        page=paginator.get_page(page_number),
        years=sorted({year for year, _ in found}, reverse=True),
        divisions=[(division, cpv.division_label(division)) for division in divisions],
    )


@dataclass
class ContractPage:
    contract: Contract
    buyer: Buyer
    history: list[dict]  # newest first: when, who, what kind of change, which fields changed
    missing_environmental: bool  # notified since the environmental duty began, without one stated

    @property
    def date_label(self) -> str:
        """Concessions are dated by their signature (dateSignature), contracts by their notification."""
        return "Date de signature" if self.contract.nature == Nature.CONCESSION else "Date de notification"

    @property
    def division(self) -> str:
        return cpv.DIVISIONS.get(self.contract.cpv_division, "")


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
                "changes": changes,
            }
        )
    return rows


def contract_page(*, plan: Plan, pk: int) -> ContractPage | None:
    """A contract of the plan's buyers with its history and who made each change (None: not theirs).
    4 queries."""
    buyers = {buyer.siret: buyer for buyer in Buyer.objects.filter(plan=plan)}
    contract = Contract.objects.of_buyers(buyers).filter(pk=pk).first()
    if contract is None:
        return None
    return ContractPage(
        contract=contract,
        buyer=buyers[contract.buyer_siret],
        history=_history(contract),
        missing_environmental=Contract.objects.filter(pk=pk).missing_environmental().exists(),
    )
