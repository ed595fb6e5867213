"""Reads that assemble the plan and fiche pages with their follow-up, the pilot's workspace, SCP's
campaign list and the entry page.

Each selector runs a fixed number of queries whatever the number of fiches, indicators or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions.models import Axis, Fiche, Indicator, Milestone, Plan
from actions.selectors import plan_overview
from contracts.selectors import RegisterFigure, register_figures
from core import rights, values

from .enums import ReviewStatus, YearState
from .models import NO_PROGRESS, AnnualReview, Campaign, IndicatorValue, Progress, current_progress
from .sheets import Cell, FicheSheet, IndicatorRow, SeriesPart, fiche_sheet, indicator_lineages

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
    previous: list[Cell]  # the plan's years before the entry's
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
    def plan_indicators(self) -> list[Indicator]:
        """The fiche's indicators as the plan defines them, for the page's reminder (no query)."""
        return [row.indicator for row in self.indicators]

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
    for indicator in indicators:  # values read their indicator to display themselves: no query each
        for value in values[indicator.pk].values():
            value.indicator = indicator
    figures = register_figures(indicators, year, plan=fiche.plan)
    # The page is for the fiche's pilots and SCP: the years not validated are shown, marked (the
    # earlier plans' too).
    sheet = fiche_sheet(
        plan=fiche.plan,
        indicators=indicators,
        years=previous_years,
        values_by=values,
        validated={y for y, r in reviews.items() if r.is_validated},
        shows_drafts=True,
        lineages=indicator_lineages(indicators, plan=fiche.plan),
    )
    rows = [
        EntryIndicator(
            indicator=row.indicator,
            value=values[row.indicator.pk].get(year),
            previous=row.cells,
            register=figures.get(row.indicator.pk),
            earlier=row.earlier,
        )
        for row in sheet.rows
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
class FicheFollowUp:
    """The fiche page's follow-up: its sheet (`fiche_sheet`), the reviews, progress and history."""

    sheet: FicheSheet
    reviews: dict[int, AnnualReview]
    history: list[dict]
    progress: Progress = NO_PROGRESS

    @property
    def rows(self) -> list[IndicatorRow]:
        return self.sheet.rows

    @property
    def shows_drafts(self) -> bool:
        return self.sheet.shows_drafts


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
    values_by = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__fiche=fiche):
        values_by[value.indicator_id][value.year] = value
    indicators = fiche.indicators.all()  # prefetched by the fiche page
    sheet = fiche_sheet(
        plan=fiche.plan,
        indicators=indicators,
        years=fiche.plan.years,
        values_by=values_by,
        validated=validated,
        shows_drafts=shows_drafts,
        lineages=indicator_lineages(indicators, plan=fiche.plan, shows_drafts=shows_drafts),
    )
    return FicheFollowUp(
        sheet=sheet,
        reviews=reviews if shows_drafts else {y: r for y, r in reviews.items() if y in validated},
        history=_history(fiche) if shows_drafts else [],
        progress=current_progress(reviews.values()),
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
