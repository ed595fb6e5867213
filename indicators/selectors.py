"""Reads that assemble the plan and fiche pages with their follow-up, the pilot's workspace, SCP's
campaign list and the entry page.

Each selector runs a fixed number of queries whatever the number of fiches, indicators or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import Axis, Fiche, Indicator, Milestone, Plan
from actions.selectors import plan_overview
from contracts.selectors import RegisterFigure, register_figures
from core import rights, values

from .enums import ReviewStatus, YearState
from .models import NO_PROGRESS, AnnualReview, Campaign, IndicatorValue, Progress, current_progress

# --- indicator lineage: a continued indicator's series across plans ---------------------------------

Cell = tuple[int, "IndicatorValue | None", bool]  # year, value (None: not entered or not shown), validated


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
    # The indicators continued directly, and those continued in the plans before the previous one
    # (a lineage over three plans or more): one query, not one per plan.
    direct = {indicator.continues_id for indicator in indicators if indicator.continues_id}
    before_previous = Plan.objects.filter(pk=plan.predecessor_id).values("start_year")[:1]
    earlier = {
        row.pk: row
        for row in Indicator.objects.filter(
            Q(pk__in=direct)
            | Q(
                Exists(Indicator.objects.filter(continues=OuterRef("pk"))),
                fiche__plan__start_year__lt=Subquery(before_previous),
            )
        ).select_related("fiche__plan")
    }
    chains: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        chain, link = [], indicator.continues_id
        while link in earlier and len(chain) < 20:  # 20: a guard against a cycle typed in the admin
            chain.insert(0, earlier[link])
            link = earlier[link].continues_id
        if chain:
            chains[indicator.pk] = chain
    used = {row.pk for chain in chains.values() for row in chain}
    validated_review = AnnualReview.objects.validated().filter(
        fiche=OuterRef("indicator__fiche"), year=OuterRef("year")
    )
    cells: dict[int, dict[int, tuple[IndicatorValue, bool]]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__in=used).annotate(
        is_validated=Exists(validated_review)
    ):
        if shows_drafts or value.is_validated:
            value.indicator = earlier[value.indicator_id]  # to display itself: no query
            cells[value.indicator_id][value.year] = (value, value.is_validated)
    lineages = {}
    for pk, chain in chains.items():
        parts = []
        for row in chain:
            per_year = cells[row.pk]
            parts.append(
                SeriesPart(
                    plan=row.fiche.plan,
                    indicator=row,
                    cells=[
                        (y, *per_year[y]) if y in per_year else (y, None, False) for y in row.fiche.plan.years
                    ],
                )
            )
        lineages[pk] = parts
    return lineages


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


# --- the plan and fiche pages -------------------------------------------------------------------------


def plan_page(*, plan: Plan) -> list[Axis]:
    """The plan's axes, objectives and fiches, each fiche with its current `progress` (5 queries)."""
    axes = plan_overview(plan=plan)
    fiches = [
        fiche for axis in axes for objective in axis.objectives.all() for fiche in objective.fiches.all()
    ]
    progress = AnnualReview.objects.current_progress([f.pk for f in fiches])
    for fiche in fiches:
        fiche.progress = progress.get(fiche.pk, NO_PROGRESS)
    return axes


@dataclass
class FicheYearState:
    fiche: Fiche
    year: int
    review: AnnualReview | None
    indicator_count: int
    entered_count: int

    @property
    def state(self) -> YearState:
        if self.review is None:
            return YearState.DRAFT if self.entered_count else YearState.DUE
        return YearState(self.review.status)


@dataclass
class CampaignFiches:
    campaign: Campaign
    rows: list[FicheYearState]

    @property
    def days_left(self) -> int:
        return (self.campaign.deadline - timezone.localdate()).days

    @property
    def counts(self) -> dict[str, int]:
        """How many fiches are in each state, by the state's label, in the workflow's order."""
        counts = {state.label: 0 for state in YearState}
        for row in self.rows:
            counts[row.state.label] += 1
        return counts


def _fiche_year_states(fiches: QuerySet, year: int) -> list[FicheYearState]:
    """Fiches with their review of `year` and how many of their indicators have a value: 2 queries."""
    entered = (
        IndicatorValue.objects.filter(indicator__fiche=OuterRef("pk"), year=year)
        .order_by()
        .values("indicator__fiche")
        .annotate(n=Count("pk"))
        .values("n")
    )
    fiches = list(
        fiches.select_related("plan")
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            entered_count=Coalesce(Subquery(entered, output_field=IntegerField()), 0),
        )
        .in_plan_order()
    )
    reviews = {
        r.fiche_id: r
        for r in AnnualReview.objects.filter(fiche__in=[f.pk for f in fiches], year=year).select_related(
            "submitted_by", "validated_by"
        )
    }
    return [FicheYearState(f, year, reviews.get(f.pk), f.indicator_count, f.entered_count) for f in fiches]


def pilot_workspace(*, user, plan: Plan | None) -> list[CampaignFiches]:
    """The open campaigns of the plan with the state of each fiche the user pilots (3 queries each + 1)."""
    if plan is None:
        return []
    fiches = Fiche.objects.piloted_by(user).of_plan(plan)
    return [
        CampaignFiches(campaign, _fiche_year_states(fiches, campaign.year))
        for campaign in Campaign.objects.filter(plan=plan).open().order_by("-year")
    ]


def campaign_fiches(*, campaign: Campaign) -> CampaignFiches:
    """Every fiche of the plan with its state for the campaign's year (SCP's follow-up list)."""
    return CampaignFiches(campaign, _fiche_year_states(Fiche.objects.of_plan(campaign.plan), campaign.year))


@dataclass
class EntryIndicator:
    indicator: Indicator
    value: IndicatorValue | None
    previous: list[tuple[int, IndicatorValue | None, bool]]  # year, value, validated
    register: RegisterFigure | None = None  # computed from the contracts register (SCP linked it)
    # The earlier plans' parts of a continued indicator's series, oldest first: previous years too.
    earlier: list[SeriesPart] = field(default_factory=list)

    @property
    def differs_from_register(self) -> bool:
        """A stored value that is not the register's figure: the page shows both."""
        return bool(
            self.register and self.value and not values.same_value(self.value.raw, self.register.value)
        )


@dataclass
class FicheYearEntry:
    fiche: Fiche
    year: int
    campaign: Campaign | None
    review: AnnualReview | None
    indicators: list[EntryIndicator]
    milestones: list[Milestone]
    previous_reviews: list[AnnualReview] = field(default_factory=list)

    @property
    def state(self) -> YearState:
        return YearState(self.review.status) if self.review else YearState.DUE

    @property
    def has_demo(self) -> bool:
        return bool(self.review and self.review.is_demo) or any(
            row.value and row.value.is_demo for row in self.indicators
        )


def fiche_year_entry(*, fiche: Fiche, year: int) -> FicheYearEntry:
    """Everything the entry page of a fiche's year shows: 5 queries whatever its size (plus 2, and 1 per
    indicator computed from the contracts register, for fiches that have such indicators; plus 2 when
    an indicator continues one of an earlier plan, whose values are shown as previous years)."""
    indicators = list(
        Indicator.objects.filter(fiche=fiche).select_related("register_source").order_by("position")
    )
    values = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__fiche=fiche, year__lte=year).select_related(
        "updated_by"
    ):
        values[value.indicator_id][value.year] = value
    reviews = {
        r.year: r
        for r in AnnualReview.objects.filter(fiche=fiche, year__lte=year).select_related("updated_by")
    }
    campaign = Campaign.objects.filter(plan_id=fiche.plan_id, year=year).first()
    previous_years = [y for y in fiche.plan.years if y < year]
    validated = {y for y, r in reviews.items() if r.is_validated}
    for indicator in indicators:  # values read their indicator to display themselves: no query each
        for value in values[indicator.pk].values():
            value.indicator = indicator
    figures = register_figures(indicators, year, plan=fiche.plan)
    # The page is for the fiche's pilots and SCP: the earlier plans' years not validated are shown, marked.
    lineages = indicator_lineages(indicators, plan=fiche.plan)
    rows = [
        EntryIndicator(
            indicator=indicator,
            value=values[indicator.pk].get(year),
            previous=[(y, values[indicator.pk].get(y), y in validated) for y in previous_years],
            register=figures.get(indicator.pk),
            earlier=lineages.get(indicator.pk, []),
        )
        for indicator in indicators
    ]
    return FicheYearEntry(
        fiche=fiche,
        year=year,
        campaign=campaign,
        review=reviews.get(year),
        indicators=rows,
        milestones=list(Milestone.objects.filter(fiche=fiche).order_by("position")),
        previous_reviews=[reviews[y] for y in previous_years if y in reviews],
    )


@dataclass
class FollowUpRow:
    indicator: Indicator
    cells: list[tuple[int, IndicatorValue | None, bool]]  # year, value, validated
    parts: list[SeriesPart] = field(default_factory=list)  # per plan of `FicheFollowUp.columns`


@dataclass
class FicheFollowUp:
    years: list[int]
    rows: list[FollowUpRow]
    reviews: dict[int, AnnualReview]
    history: list[dict]
    shows_drafts: bool
    has_demo: bool
    progress: Progress = NO_PROGRESS
    # The plans the table spans when an indicator continues one of an earlier plan (else empty).
    columns: list[PlanColumns] = field(default_factory=list)

    @property
    def first_year(self) -> int:
        return self.columns[0].years[0] if self.columns else self.years[0]


HISTORY_LIMIT = 40
REVIEW_NARRATIVE = ("achievements", "difficulties", "outlook")
HISTORY_KINDS = {"+": "création", "~": "modification", "-": "suppression"}


def fiche_follow_up(*, fiche: Fiche, user) -> FicheFollowUp:
    """The fiche page's yearly values per indicator, its progress and the history, in at most 6 queries
    (2 more when an indicator continues one of an earlier plan: `indicator_lineages`).

    Everyone who reads the plan sees validated years; years not yet validated, and the history, are
    shown, marked, to the fiche's pilots, the comité and SCP only -- the earlier plans' years too.
    """
    shows_drafts = rights.may_see_unvalidated(user, fiche)
    reviews = {r.year: r for r in AnnualReview.objects.filter(fiche=fiche)}
    validated = {y for y, r in reviews.items() if r.is_validated}
    per_indicator = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__fiche=fiche):
        if shows_drafts or value.year in validated:
            per_indicator[value.indicator_id][value.year] = value
    indicators = fiche.indicators.all()  # prefetched by the fiche page
    for indicator in indicators:
        for value in per_indicator[indicator.pk].values():
            value.indicator = indicator
    years = fiche.plan.years
    rows = [
        FollowUpRow(indicator, [(y, per_indicator[indicator.pk].get(y), y in validated) for y in years])
        for indicator in indicators
    ]
    lineages = indicator_lineages(indicators, plan=fiche.plan, shows_drafts=shows_drafts)
    columns = series_columns(fiche.plan, years, lineages) if lineages else []
    for row in rows if lineages else []:
        row.parts = series_parts(row.indicator, row.cells, lineages.get(row.indicator.pk, []), columns)
    earlier_demo = any(
        value and value.is_demo for parts in lineages.values() for part in parts for _, value, _ in part.cells
    )
    return FicheFollowUp(
        years=years,
        rows=rows,
        reviews=reviews if shows_drafts else {y: r for y, r in reviews.items() if y in validated},
        history=_history(fiche) if shows_drafts else [],
        shows_drafts=shows_drafts,
        has_demo=earlier_demo
        or any(v.is_demo for per_year in per_indicator.values() for v in per_year.values()),
        progress=current_progress(reviews.values()),
        columns=columns,
    )


def _value_history(fiche: Fiche) -> list[dict]:
    records = (
        IndicatorValue.history.filter(indicator__fiche=fiche)
        .select_related("history_user", "indicator")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    return [
        {
            "date": record.history_date,
            "user": record.history_user,
            "kind": HISTORY_KINDS[record.history_type],
            "year": record.year,
            "what": f"Indicateur {record.indicator.code}",
            "change": "valeur supprimée"
            if record.history_type == "-"
            else values.format_value(record.indicator, record.instance.raw),
            "comment": record.comment,
        }
        for record in records
    ]


def _review_history(fiche: Fiche) -> list[dict]:
    records = list(
        AnnualReview.history.filter(fiche=fiche)
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    # Records are newest first: the next one of the same review is the state it changed from.
    older: dict[int, object] = {}
    entries = []
    for record in reversed(records):
        previous = older.get(record.id)
        older[record.id] = record
        changed = [
            str(AnnualReview._meta.get_field(name).verbose_name)
            for name in REVIEW_NARRATIVE
            if previous is not None and getattr(previous, name) != getattr(record, name)
        ]
        change = f"{ReviewStatus(record.status).label} – avancement : {record.get_progress_status_display()}"
        if changed:
            change += f" – modifié : {', '.join(changed)}"
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": HISTORY_KINDS[record.history_type],
                "year": record.year,
                "what": "Bilan annuel",
                "change": change,
                "comment": record.return_comment,
            }
        )
    return entries


def _milestone_history(fiche: Fiche) -> list[dict]:
    records = (
        Milestone.history.filter(fiche=fiche, history_type="~")
        .exclude(history_user=None)  # the plan's loading and imports; pilots' updates have an author
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    entries = []
    for record in records:
        done = record.instance.is_done
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": HISTORY_KINDS["~"],
                "year": record.completed_on.year if done and record.completed_on else "",
                "what": f"Jalon « {record.text[:60]} »",
                "change": f"réalisé le {record.completed_on:%d/%m/%Y}"
                if done and record.completed_on
                else record.get_status_display().lower(),
                "comment": "",
            }
        )
    return entries


def _history(fiche: Fiche) -> list[dict]:
    """The latest changes of the fiche's values, reviews and milestones, newest first, with their authors."""
    entries = _value_history(fiche) + _review_history(fiche) + _milestone_history(fiche)
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries[:HISTORY_LIMIT]
