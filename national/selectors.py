"""A buyer among its peers: its legal indicators beside those of the buyers of its kind, nationally.

The figures are those `decp_national` stored (one per buyer and year, counted with the register's
rules). A buyer's kind comes from SIRENE (suppliers.LegalUnit.legal_category of its SIREN), read in
the same query as the figures, so the whole comparison, for one buyer or every buyer of a plan, over
one year or all, costs two queries whatever the number of buyers in the country (the figures are
then grouped in Python: the country's buyers are some tens of thousands a year).

Shares are by number of contracts, as fractions; a buyer's peers are the buyers of its kind with
contracts notified that year, itself included; rank 1 is the highest share among them, buyers with
equal shares sharing the best rank.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from actions.models import Buyer, Plan
from core.values import format_number
from suppliers.enums import BuyerKind
from suppliers.models import LegalUnit

from .models import NationalDataset, NationalFigure

# categorieJuridiqueUniteLegale (INSEE's nomenclature of legal categories, level III).
KIND_CATEGORIES = {
    "7220": BuyerKind.DEPARTEMENT,
    "7230": BuyerKind.REGION,
    "7210": BuyerKind.COMMUNE,
    "7343": BuyerKind.EPCI,  # communauté urbaine
    "7344": BuyerKind.EPCI,  # métropole
    "7346": BuyerKind.EPCI,  # communauté de communes
    "7347": BuyerKind.EPCI,  # communauté de villes
    "7348": BuyerKind.EPCI,  # communauté d'agglomération
}
PNAD_SOURCE = "Plan national pour des achats durables 2022-2025"
# The PNAD's targets for 2025: 30 % of contracts with a social consideration, 100 % with an
# environmental one.
PNAD_TARGETS = {"social": Decimal("0.30"), "environmental": Decimal("1.00")}
PLACES = Decimal("0.0001")


class UnknownComparison(LookupError):
    """No figure to compare (no dataset, unknown buyer or year); the message is French."""


def kind_of(legal_category: str | None) -> str:
    """The buyer's kind from its legal category (no legal unit known: "other")."""
    return KIND_CATEGORIES.get(legal_category or "", BuyerKind.OTHER)


def share(part: int, whole: int) -> Decimal | None:
    """A fraction with 4 decimals (None without contracts)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(PLACES)


def latest_dataset(*, published_only: bool = False) -> NationalDataset | None:
    """The latest computation (the latest one SCP published, for the public site). 1 query."""
    datasets = NationalDataset.objects.all()
    if published_only:
        datasets = datasets.filter(published=True)
    return datasets.order_by("-source_date", "-started_at").first()


@dataclass
class Spread:
    """One share (social or environmental) among a buyer's peers."""

    value: Decimal | None
    median: Decimal | None
    first_quartile: Decimal | None
    third_quartile: Decimal | None
    rank: int | None
    national: Decimal | None
    target: Decimal


@dataclass
class YearComparison:
    buyer: str
    kind: str
    year: int
    contracts: int
    social: int
    environmental: int
    peers: int
    spreads: dict[str, Spread]

    @property
    def kind_label(self) -> str:
        return BuyerKind(self.kind).label

    def as_json(self) -> dict:
        """The command's output (`national_comparison --format json`)."""

        def number(value: Decimal | None):
            return None if value is None else float(value)

        social, environmental = self.spreads["social"], self.spreads["environmental"]
        return {
            "buyer": self.buyer,
            "kind": self.kind,
            "year": self.year,
            "contracts": self.contracts,
            "social_share": number(social.value),
            "environmental_share": number(environmental.value),
            "peers": self.peers,
            "median_social_share": number(social.median),
            "median_environmental_share": number(environmental.median),
            "rank_social": social.rank,
            "rank_environmental": environmental.rank,
        }


@dataclass
class _Group:
    """The figures of one kind of buyer in one year."""

    shares: dict[str, list[Decimal]] = field(default_factory=lambda: {"social": [], "environmental": []})
    contracts: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"social": 0, "environmental": 0})


def _rows(dataset: NationalDataset, years: list[int] | None):
    """Every figure of the dataset (of `years`), with its buyer's legal category: 1 query."""
    category = LegalUnit.objects.filter(siren=OuterRef("buyer_siren")).values("legal_category")[:1]
    figures = NationalFigure.objects.filter(dataset=dataset, contracts__gt=0)
    if years is not None:
        figures = figures.filter(year__in=years)
    return (
        figures.annotate(legal_category=Subquery(category))
        .order_by()
        .values_list("buyer_siret", "year", "contracts", "social", "environmental", "legal_category")
    )


def _quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    first, median, third = statistics.quantiles(values, n=4, method="inclusive")
    return first.quantize(PLACES), median.quantize(PLACES), third.quantize(PLACES)


def _spread(side: str, value: Decimal | None, group: _Group, national: _Group) -> Spread:
    shares = group.shares[side]
    first, median, third = _quartiles(shares) if shares else (None, None, None)
    rank = None if value is None else 1 + sum(1 for other in shares if other > value)
    return Spread(
        value=value,
        median=median,
        first_quartile=first,
        third_quartile=third,
        rank=rank,
        national=share(national.counts[side], national.contracts),
        target=PNAD_TARGETS[side],
    )


def comparisons(
    sirets: list[str], *, dataset: NationalDataset, years: list[int] | None = None
) -> dict[str, dict[int, YearComparison]]:
    """Each of `sirets`' comparison for each year it has contracts in the dataset (of `years`):
    1 query, whatever the number of buyers."""
    wanted = set(sirets)
    groups: dict[tuple[int, str], _Group] = defaultdict(_Group)
    mine: list[tuple] = []
    for siret, year, contracts, social, environmental, category in _rows(dataset, years):
        kind = kind_of(category)
        for group in (groups[year, kind], groups[year, ""]):  # "": every buyer (the national rate)
            group.contracts += contracts
            group.counts["social"] += social
            group.counts["environmental"] += environmental
        groups[year, kind].shares["social"].append(share(social, contracts))
        groups[year, kind].shares["environmental"].append(share(environmental, contracts))
        if siret in wanted:
            mine.append((siret, year, contracts, social, environmental, kind))
    result: dict[str, dict[int, YearComparison]] = {siret: {} for siret in sirets}
    for siret, year, contracts, social, environmental, kind in sorted(mine):
        group, national = groups[year, kind], groups[year, ""]
        values = {"social": share(social, contracts), "environmental": share(environmental, contracts)}
        result[siret][year] = YearComparison(
            buyer=siret,
            kind=kind,
            year=year,
            contracts=contracts,
            social=social,
            environmental=environmental,
            peers=len(group.shares["social"]),
            spreads={side: _spread(side, values[side], group, national) for side in values},
        )
    return result


def comparison(buyer_siret: str, year: int, dataset: NationalDataset | None = None) -> YearComparison:
    """One buyer's comparison for one year (UnknownComparison when there is none to make). 2 queries
    (1 when `dataset` is given)."""
    dataset = dataset or latest_dataset()
    if dataset is None:
        raise UnknownComparison("Aucune donnée nationale : lancez d'abord manage.py decp_national.")
    found = comparisons([buyer_siret], dataset=dataset, years=[year])[buyer_siret].get(year)
    if found is None:
        raise UnknownComparison(
            f"Aucun contrat de l'acheteur {buyer_siret} notifié en {year} dans les données nationales "
            f"« {dataset} » : SIRET ou année inconnus."
        )
    return found


# --- the page "Comparaison nationale" (and the bilan's section) ------------------------------------------


def percent(value: Decimal | None) -> str:
    """A fraction as the pages write it: "18,7 %" ("—" when there is none)."""
    return "—" if value is None else f"{format_number(value * 100, 1)}\u00a0%"


@dataclass
class BuyerComparison:
    siret: str
    name: str
    kind: str
    year: YearComparison | None  # the chosen year's (None: no contract notified that year)
    trend: list[tuple[int, YearComparison | None]]

    @property
    def kind_label(self) -> str:
        return BuyerKind(self.kind).label


@dataclass
class PlanComparison:
    dataset: NationalDataset | None
    year: int
    years: list[int]
    buyers: list[BuyerComparison]
    targets: dict[str, Decimal] = field(default_factory=lambda: dict(PNAD_TARGETS))
    target_source: str = PNAD_SOURCE

    @property
    def is_demo(self) -> bool:
        return bool(self.dataset and self.dataset.is_demo)


def plan_comparison(plan: Plan, year: int | None, *, published_only: bool = False) -> PlanComparison:
    """The plan's buyers beside the buyers of their kind, in `year` (None: the latest year of the plan
    with figures of its buyers) and over the plan's years, from the latest dataset (the latest one
    published, for the public site). 3 queries whatever the number of buyers (1 without a dataset)."""
    dataset = latest_dataset(published_only=published_only)
    years = list(plan.years)
    if dataset is None:  # nothing computed (or published) yet: 1 query
        return PlanComparison(dataset=None, year=year or years[-1], years=years, buyers=[])
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret").values_list("siret", "name"))
    found = comparisons([s for s, _ in buyers], dataset=dataset, years=years) if buyers else {}
    if year is None:
        with_figures = [y for by_year in found.values() for y in by_year]
        year = max(with_figures, default=years[-1])
    rows = []
    for siret, name in buyers:
        by_year = found.get(siret, {})
        kinds = [c.kind for c in by_year.values()]
        rows.append(
            BuyerComparison(
                siret=siret,
                name=name,
                kind=kinds[0] if kinds else BuyerKind.OTHER,
                year=by_year.get(year),
                trend=[(y, by_year.get(y)) for y in years],
            )
        )
    return PlanComparison(dataset=dataset, year=year, years=years, buyers=rows)
