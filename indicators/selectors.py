"""Reads that assemble the pilot's workspace, SCP's campaign list and the follow-up on the fiche page.

Each selector runs a fixed number of queries whatever the number of indicators or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from actions import roles
from actions.enums import MilestoneStatus
from actions.models import Fiche, Milestone, Plan

from .enums import ReviewStatus
from .models import AnnualReview, Campaign, Indicator, IndicatorValue

# What a fiche's year looks like from the pilot's side ("entered" is a draft with something in it).
STATE_DUE = "a_saisir"
STATE_LABELS = {
    STATE_DUE: "À saisir",
    ReviewStatus.DRAFT: "Saisie en cours",
    ReviewStatus.SUBMITTED: "Soumis",
    ReviewStatus.RETURNED: "Renvoyé au pilote",
    ReviewStatus.VALIDATED: "Validé",
}


@dataclass
class FicheYearState:
    fiche: Fiche
    year: int
    review: AnnualReview | None
    indicator_count: int
    entered_count: int

    @property
    def state(self) -> str:
        if self.review is None:
            return ReviewStatus.DRAFT if self.entered_count else STATE_DUE
        return self.review.status

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class CampaignFiches:
    campaign: Campaign
    rows: list[FicheYearState]

    @property
    def days_left(self) -> int:
        return (self.campaign.deadline - timezone.localdate()).days

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATE_LABELS, 0)
        for row in self.rows:
            counts[row.state] += 1
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
    def versions(self) -> dict[str, int]:
        versions = {
            f"value_{row.indicator.pk}": row.value.version if row.value else 0 for row in self.indicators
        }
        versions["review"] = self.review.version if self.review else 0
        return versions


def fiche_year_entry(*, fiche: Fiche, year: int) -> FicheYearEntry:
    """Everything the entry page of a fiche's year shows: 5 queries whatever its size."""
    indicators = list(Indicator.objects.filter(fiche=fiche).order_by("position"))
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
    validated = {y for y, r in reviews.items() if r.status == ReviewStatus.VALIDATED}
    for indicator in indicators:  # values read their indicator to display themselves: no query each
        for value in values[indicator.pk].values():
            value.indicator = indicator
    rows = [
        EntryIndicator(
            indicator=indicator,
            value=values[indicator.pk].get(year),
            previous=[(y, values[indicator.pk].get(y), y in validated) for y in previous_years],
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


@dataclass
class FicheFollowUp:
    years: list[int]
    rows: list[FollowUpRow]
    reviews: dict[int, AnnualReview]
    history: list[dict]
    shows_drafts: bool
    has_demo: bool


HISTORY_LIMIT = 40
REVIEW_NARRATIVE = ("achievements", "difficulties", "outlook")


def fiche_follow_up(*, fiche: Fiche, user) -> FicheFollowUp:
    """The fiche page's yearly values per indicator and the history of changes, in at most 5 queries.

    Everyone who reads the plan sees validated years; years not yet validated are shown, marked, to
    the fiche's pilots, the comité and SCP only.
    """
    shows_drafts = (
        roles.is_scp(user)
        or roles.is_committee(user)
        or Fiche.objects.piloted_by(user).filter(pk=fiche.pk).exists()
    )
    years = fiche.plan.years
    reviews = {r.year: r for r in AnnualReview.objects.filter(fiche=fiche)}
    validated = {y for y, r in reviews.items() if r.status == ReviewStatus.VALIDATED}
    values = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__fiche=fiche):
        if shows_drafts or value.year in validated:
            values[value.indicator_id][value.year] = value
    indicators = fiche.indicators.all()  # prefetched by the fiche page
    for indicator in indicators:
        for value in values[indicator.pk].values():
            value.indicator = indicator
    rows = [
        FollowUpRow(indicator, [(y, values[indicator.pk].get(y), y in validated) for y in years])
        for indicator in indicators
    ]
    history = []
    if shows_drafts:
        history = _history(fiche)
    has_demo = any(v.is_demo for per_year in values.values() for v in per_year.values())
    if not shows_drafts:
        reviews = {y: r for y, r in reviews.items() if y in validated}
    return FicheFollowUp(years, rows, reviews, history, shows_drafts, has_demo)


def _history(fiche: Fiche) -> list[dict]:
    """The latest changes of the fiche's values, reviews and milestones, newest first, with their authors."""
    from .formatting import format_value

    value_records = list(
        IndicatorValue.history.filter(indicator__fiche=fiche)
        .select_related("history_user", "indicator")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    review_records = list(
        AnnualReview.history.filter(fiche=fiche)
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    kinds = {"+": "création", "~": "modification", "-": "suppression"}
    entries = []
    for record in value_records:
        raw = record.instance.raw
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": kinds[record.history_type],
                "year": record.year,
                "what": f"Indicateur {record.indicator.code}",
                "change": "valeur supprimée"
                if record.history_type == "-"
                else format_value(record.indicator, raw),
                "comment": record.comment,
            }
        )
    # Records are newest first: the next one of the same review is the state it changed from.
    older: dict[int, object] = {}
    for record in reversed(review_records):
        previous = older.get(record.id)
        older[record.id] = record
        record.changed = [
            str(AnnualReview._meta.get_field(name).verbose_name)
            for name in REVIEW_NARRATIVE
            if previous is not None and getattr(previous, name) != getattr(record, name)
        ]
    for record in review_records:
        status = ReviewStatus(record.status).label
        change = f"{status} – avancement : {record.get_progress_status_display()}"
        if record.changed:
            change += f" – modifié : {', '.join(record.changed)}"
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": kinds[record.history_type],
                "year": record.year,
                "what": "Bilan annuel",
                "change": change,
                "comment": record.return_comment,
            }
        )
    milestone_records = (
        Milestone.history.filter(fiche=fiche, history_type="~")
        .exclude(history_user=None)  # the plan's loading and imports; pilots' updates have an author
        .select_related("history_user")
        .order_by("-history_date")[:HISTORY_LIMIT]
    )
    for record in milestone_records:
        done = record.status == MilestoneStatus.DONE
        entries.append(
            {
                "date": record.history_date,
                "user": record.history_user,
                "kind": "modification",
                "year": record.completed_on.year if done and record.completed_on else "",
                "what": f"Jalon « {record.text[:60]} »",
                "change": f"réalisé le {record.completed_on:%d/%m/%Y}"
                if done and record.completed_on
                else record.get_status_display().lower(),
                "comment": "",
            }
        )
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries[:HISTORY_LIMIT]
