"""A fiche's yearly follow-up as every page draws it: the one fiche selector and the one cell shape.

The fiche page, the entry page's reminder of the earlier years, the bilan (HTML, PDF, published
versions) and the public fiche page all build their table of values with `fiche_sheet`, so that a
value reads the same everywhere (formatted by core.values) and each audience sees what it may:
insiders (core.rights.may_see_unvalidated) every year, marked when not validated; the public only
validated years. Each page reads its rows its own way (one fiche, or a whole plan for the bilan, in
a fixed number of queries); `fiche_sheet` itself runs no query.

A continued indicator (one that prolongs an indicator of an earlier plan) carries the earlier plans'
parts of its series (`indicator_lineages`), so that its pages show the whole series.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery

from actions.models import Indicator, Plan
from core import values

from .models import AnnualReview, IndicatorValue

# --- one cell ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A year of an indicator as a page shows it. `value` is None when nothing was entered, or when
    the audience may not see it (a year not validated, for the public); `text` is then "non renseigné"."""

    year: int
    value: IndicatorValue | None
    validated: bool  # the fiche's review of that year is validated
    text: str

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def is_demo(self) -> bool:
        return bool(self.value and self.value.is_demo)

    def as_data(self) -> dict:
        """Plain data, for the bilan that publishing freezes (its keys are read by published versions)."""
        return {
            "year": self.year,
            "text": self.text,
            "missing": self.missing,
            "validated": self.validated,
            "is_demo": self.is_demo,
        }


def cell(indicator: Indicator, year: int, value: IndicatorValue | None, validated: bool) -> Cell:
    """The cell of `indicator` for `year`: its value's text through core.values, or "non renseigné"."""
    return Cell(year, value, validated, values.format_value(indicator, value.raw if value else None))


# --- a continued indicator's series across plans ------------------------------------------------------


@dataclass
class SeriesPart:
    """One plan's part of an indicator's series: that plan's indicator (its code and its own target:
    targets stay with their plan) and its yearly cells. `indicator` is None when the indicator has no
    part in that plan (a new indicator shown beside continued ones)."""

    plan: Plan
    indicator: Indicator | None
    cells: list[Cell]

    @property
    def label(self) -> str:
        return f"Plan {self.plan.period}"


@dataclass
class PlanColumns:
    """The columns of one plan in a table of series spanning several plans, oldest plan first."""

    plan: Plan
    years: list[int]
    is_current: bool

    @property
    def label(self) -> str:
        return f"Plan {self.plan.period}"


def _earlier_indicators(indicators: list[Indicator], plan: Plan) -> dict[int, Indicator]:
    """The indicators continued directly, and those continued in the plans before the previous one
    (a lineage over three plans or more): one query, not one per plan."""
    direct = {indicator.continues_id for indicator in indicators if indicator.continues_id}
    before_previous = Plan.objects.filter(pk=plan.predecessor_id).values("start_year")[:1]
    return {
        row.pk: row
        for row in Indicator.objects.filter(
            Q(pk__in=direct)
            | Q(
                Exists(Indicator.objects.filter(continues=OuterRef("pk"))),
                fiche__plan__start_year__lt=Subquery(before_previous),
            )
        ).select_related("fiche__plan")
    }


def _chains(indicators: list[Indicator], earlier: dict[int, Indicator]) -> dict[int, list[Indicator]]:
    """Each continued indicator's earlier indicators, oldest plan first."""
    chains = {}
    for indicator in indicators:
        chain, link = [], indicator.continues_id
        while link in earlier and len(chain) < 20:  # 20: a guard against a cycle typed in the admin
            chain.insert(0, earlier[link])
            link = earlier[link].continues_id
        if chain:
            chains[indicator.pk] = chain
    return chains


def _earlier_values(
    used: set[int], earlier: dict[int, Indicator], *, shows_drafts: bool
) -> dict[int, dict[int, tuple[IndicatorValue, bool]]]:
    """The values of the earlier indicators with whether their own fiche's year is validated: 1 query."""
    validated_review = AnnualReview.objects.validated().filter(
        fiche=OuterRef("indicator__fiche"), year=OuterRef("year")
    )
    found: dict[int, dict[int, tuple[IndicatorValue, bool]]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__in=used).annotate(
        is_validated=Exists(validated_review)
    ):
        if shows_drafts or value.is_validated:
            value.indicator = earlier[value.indicator_id]  # to display itself: no query
            found[value.indicator_id][value.year] = (value, value.is_validated)
    return found


def indicator_lineages(indicators, *, plan: Plan, shows_drafts: bool = True) -> dict[int, list[SeriesPart]]:
    """The earlier plans' parts of the series of each continued indicator of `plan`, oldest plan first,
    keyed by the indicator's id (indicators that continue none are absent).

    Each part holds the earlier plan's indicator (with its fiche and plan) and a cell per year of that
    plan; a value is validated when its own fiche's review of that year is validated, and values not
    validated are left out unless `shows_drafts` (the rule of the page asking). No query when no
    indicator continues another; otherwise 2 queries, whatever the number of indicators and plans:
    the continued indicators of the earlier plans, then their values with their validation. The
    series only ever reads backwards: an earlier plan's pages never show a later plan's values.
    """
    indicators = list(indicators)
    if not any(indicator.continues_id for indicator in indicators):
        return {}
    earlier = _earlier_indicators(indicators, plan)
    chains = _chains(indicators, earlier)
    used = {row.pk for chain in chains.values() for row in chain}
    found = _earlier_values(used, earlier, shows_drafts=shows_drafts)
    return {
        pk: [
            SeriesPart(
                plan=row.fiche.plan,
                indicator=row,
                cells=[
                    cell(row, y, *found[row.pk][y]) if y in found[row.pk] else cell(row, y, None, False)
                    for y in row.fiche.plan.years
                ],
            )
            for row in chain
        ]
        for pk, chain in chains.items()
    }


def series_columns(plan: Plan, years: list[int], lineages: dict[int, list[SeriesPart]]) -> list[PlanColumns]:
    """The plans a table of series shows (those of every lineage, oldest first, then `plan`)."""
    plans = {part.plan.pk: part.plan for parts in lineages.values() for part in parts}
    ordered = sorted(plans.values(), key=lambda p: (p.start_year, p.pk))
    return [PlanColumns(p, p.years, False) for p in ordered] + [PlanColumns(plan, years, True)]


def series_parts(
    indicator: Indicator, own: list[Cell], earlier: list[SeriesPart], columns: list[PlanColumns]
) -> list[SeriesPart]:
    """An indicator's row in a table of series: one part per plan of `columns` (None where it has none)."""
    by_plan = {part.plan.pk: part for part in earlier}
    return [
        SeriesPart(column.plan, indicator, own)
        if column.is_current
        else by_plan.get(column.plan.pk) or SeriesPart(column.plan, None, [])
        for column in columns
    ]


# --- the fiche selector -------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """An indicator with its cells over the sheet's years, and for a continued indicator the earlier
    plans' parts of its series (`earlier`) and its row in the table across plans (`parts`)."""

    indicator: Indicator
    cells: list[Cell]
    earlier: list[SeriesPart] = field(default_factory=list)
    parts: list[SeriesPart] = field(default_factory=list)  # one per `FicheSheet.columns`


@dataclass
class FicheSheet:
    """A fiche's indicators with their yearly cells, as its audience may read them."""

    years: list[int]
    rows: list[IndicatorRow]
    shows_drafts: bool
    # The plans the table spans when an indicator continues one of an earlier plan (else empty).
    columns: list[PlanColumns] = field(default_factory=list)

    @property
    def first_year(self) -> int:
        return self.columns[0].years[0] if self.columns else self.years[0]

    @property
    def has_demo(self) -> bool:
        return any(
            c.is_demo
            for row in self.rows
            for c in [*row.cells, *(c for part in row.earlier for c in part.cells)]
        )


def fiche_sheet(
    *,
    plan: Plan,
    indicators,
    years: list[int],
    values_by: dict[int, dict[int, IndicatorValue]],
    validated: set[int],
    shows_drafts: bool,
    lineages: dict[int, list[SeriesPart]] | None = None,
) -> FicheSheet:
    """The follow-up of a fiche of `plan` over `years`, from rows its page has read: no query.

    `values_by`: indicator id -> year -> value; `validated`: the fiche's validated years. A value of a
    year not validated is shown (marked) only when `shows_drafts` (the fiche's pilots, the comité, SCP:
    core.rights.may_see_unvalidated; the bilan, which marks it); the public reads validated years only.
    `lineages` (indicator_lineages, read with the same audience) adds the earlier plans' series.
    """
    lineages = lineages or {}
    rows = []
    for indicator in indicators:
        own = values_by.get(indicator.pk, {})
        cells = [
            cell(indicator, y, own.get(y) if shows_drafts or y in validated else None, y in validated)
            for y in years
        ]
        rows.append(IndicatorRow(indicator, cells, earlier=lineages.get(indicator.pk, [])))
    columns = series_columns(plan, years, lineages) if lineages else []
    for row in rows if columns else []:
        row.parts = series_parts(row.indicator, row.cells, row.earlier, columns)
    return FicheSheet(years=years, rows=rows, shows_drafts=shows_drafts, columns=columns)
