"""What the public site and the open data show: the one place that reads the plan for readers
without an account.

Only a plan SCP published (`Plan.objects.public()`), its fiches SCP has not withheld
(`Fiche.objects.public()`), and of the yearly follow-up only what a *validated* annual review covers:
its values (`IndicatorValue.objects.validated()`), its narrative, the progress it states, the
milestones completed that year. Pilots appear as their post (role, service, direction), never as
accounts; a withheld fiche appears as its number and the reason SCP gave, nothing else. What these
selectors return is safe to show: templates and exports lay it out and add nothing.

Each selector runs a fixed number of queries whatever the size of the plan.
"""

import copy
import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from actions.enums import MilestoneState, ProgressStatus
from actions.models import (
    Actor,
    Axis,
    Direction,
    Fiche,
    FichePilot,
    GlossaryEntry,
    Goal,
    Indicator,
    Means,
    Milestone,
    Objective,
    Pack,
    Pilot,
    Plan,
    Principle,
    VigilancePoint,
)
from indicators.enums import ReviewStatus
from indicators.models import (
    NO_PROGRESS,
    UNKNOWN_PROGRESS,
    UNKNOWN_PROGRESS_LABEL,
    AnnualReview,
    IndicatorValue,
    Progress,
    current_progress,
)
from indicators.sheets import IndicatorRow, fiche_sheet
from reporting.models import PublishedBilan
from reporting.selectors import bilan_public_refusal

# --- which plans are public, since when, last changed when ------------------------------------------


@dataclass(frozen=True)
class PlanMeta:
    """A public plan and the dates its open data is described with."""

    plan: Plan
    updated_at: datetime.datetime  # the last change of anything the public site shows of the plan
    published_at: datetime.datetime | None  # when SCP first published it
    is_demo: bool  # the public data includes demo values or reviews


# Tables whose rows (and history) belong to a plan, directly or through a fiche.
_PLAN_TABLES = (Principle, Direction, Axis, Pack, GlossaryEntry, Pilot, Fiche, PublishedBilan)
_FICHE_TABLES = (Goal, Milestone, Actor, Means, VigilancePoint, Indicator, FichePilot)


def _newest_change(model, **lookups) -> Subquery:
    rows = model.history.model.objects.filter(**lookups).order_by("-history_date")
    return Subquery(rows.values("history_date")[:1])


def _change_dates() -> dict[str, Subquery]:
    """The newest history record of each table, for the plan of the outer query.

    Values of a validated year cannot change (the year is locked), so a year's values change what
    the public sees only when the year is validated or reopened: the reviews' history records of
    those transitions stand for them (returns, and the pilots' edits of a returned year, count too:
    the date is then a little late, never early).
    """
    plan = OuterRef("pk")
    changes = {
        "changed_plan": _newest_change(Plan, id=plan),
        "changed_objective": _newest_change(Objective, axis__plan=plan),
        "changed_review": _newest_change(
            AnnualReview,
            fiche__plan=plan,
            status__in=(ReviewStatus.VALIDATED, ReviewStatus.RETURNED),
        ),
    }
    changes |= {f"changed_{m._meta.model_name}": _newest_change(m, plan=plan) for m in _PLAN_TABLES}
    changes |= {f"changed_{m._meta.model_name}": _newest_change(m, fiche__plan=plan) for m in _FICHE_TABLES}
    return changes


def public_plans() -> list[PlanMeta]:
    """Every public plan, most recent first, with its dates and demo flag: one query."""
    plan = OuterRef("pk")
    first_public = Plan.history.model.objects.filter(id=plan, is_public=True).order_by("history_date")
    demo_reviews = AnnualReview.objects.validated().filter(fiche__plan=plan, is_demo=True)
    demo_values = IndicatorValue.objects.validated().filter(indicator__fiche__plan=plan, is_demo=True)
    changes = _change_dates()
    plans = Plan.objects.public().annotate(
        **changes,
        first_public=Subquery(first_public.values("history_date")[:1]),
        demo_reviews=Exists(demo_reviews.filter(fiche__is_withheld=False)),
        demo_values=Exists(demo_values.filter(indicator__fiche__is_withheld=False)),
    )
    return [
        PlanMeta(
            plan=plan,
            updated_at=max(
                (d for d in (getattr(plan, name) for name in changes) if d), default=timezone.now()
            ),
            published_at=plan.first_public,
            is_demo=plan.demo_reviews or plan.demo_values,
        )
        for plan in plans.order_by("-start_year", "pk")
    ]


# --- the rows the public may read -----------------------------------------------------------------


@dataclass
class PublicRows:
    """A public plan's public fiches and their validated follow-up, in a fixed number of queries."""

    plan: Plan
    fiches: list[Fiche]  # public fiches, in plan order
    withheld: list[dict]  # number, reason and objective of each withheld fiche: nothing else
    reviews: dict[int, dict[int, AnnualReview]]  # fiche id -> year -> its *validated* review
    values: dict[int, dict[int, IndicatorValue]]  # indicator id -> year -> *validated* value

    @classmethod
    def read(cls, plan: Plan, *, number: int | None = None, details: bool = True) -> "PublicRows":
        fiches = Fiche.objects.public().filter(plan=plan)
        if number is not None:
            fiches = fiches.filter(number=number)
        fiches = list((fiches.with_details() if details else fiches.with_summary()).in_plan_order())
        ids = [fiche.pk for fiche in fiches]
        reviews = defaultdict(dict)
        for review in AnnualReview.objects.validated().filter(fiche_id__in=ids).order_by("year"):
            reviews[review.fiche_id][review.year] = review
        values = defaultdict(dict)
        if details:
            indicators = {i.pk: i for fiche in fiches for i in fiche.indicators.all()}
            for value in IndicatorValue.objects.validated().filter(indicator_id__in=indicators):
                value.indicator = indicators[value.indicator_id]  # read to display itself: no query
                values[value.indicator_id][value.year] = value
        withheld = []
        if number is None:
            withheld = list(
                Fiche.objects.filter(plan=plan, is_withheld=True)
                .order_by("number")
                .values("number", "withheld_reason", "objective_id")
            )
        return cls(plan=plan, fiches=fiches, withheld=withheld, reviews=reviews, values=values)

    def validated_years(self, fiche: Fiche) -> list[int]:
        return sorted(self.reviews[fiche.pk])

    def progress(self, fiche: Fiche) -> Progress:
        """The fiche's current progress: its latest validated review's (indicators.current_progress)."""
        return current_progress(self.reviews[fiche.pk].values())

    def is_demo(self) -> bool:
        reviews = any(r.is_demo for per_year in self.reviews.values() for r in per_year.values())
        return reviews or any(v.is_demo for per_year in self.values.values() for v in per_year.values())


def followed_years(plan: Plan) -> list[int]:
    """The plan's years that have begun: the ones whose follow-up may exist."""
    this_year = timezone.localdate().year
    return [year for year in plan.years if year <= this_year]


def pilot_labels(fiche: Fiche, *, full: bool = True) -> list[str]:
    """The fiche's pilots as posts (role, service, direction), never as the accounts that hold them."""
    return [pilot.full_label if full else pilot.label for pilot in fiche.ordered_pilots()]


def public_milestone_state(milestone: Milestone, validated_years, today: datetime.date | None = None):
    """A milestone as the public sees it: a completion counts once its year is validated."""
    shown = milestone.completion_validated(validated_years)
    return milestone.state(today, completion_shown=shown), milestone.state_label(
        today, completion_shown=shown
    )


def withheld_numbers(plan: Plan) -> list[int]:
    return list(
        Fiche.objects.filter(plan=plan, is_withheld=True).order_by("number").values_list("number", flat=True)
    )


def public_bilans(*, plan: Plan) -> list[PublishedBilan]:
    """The versions SCP made public, if every figure in them is validated (bilan_public_refusal)."""
    versions = PublishedBilan.objects.of_plan(plan).public().defer("pdf").order_by("year", "version")
    return [bilan for bilan in versions if bilan_public_refusal(data=bilan.data) is None]


def public_bilan(*, plan: Plan, scope: str, version: int) -> PublishedBilan | None:
    """One public version ("2024" or "fin-de-plan", version number), if the public may read it."""
    if scope == "fin-de-plan":
        year = None
    elif re.fullmatch(r"[0-9]{4}", scope):
        year = int(scope)
    else:
        return None
    versions = PublishedBilan.objects.of_plan(plan).for_year(year).public().filter(version=version)
    bilan = versions.defer("pdf").select_related("plan").first()
    if bilan is None:
        return None
    return bilan if bilan_public_refusal(data=bilan.data) is None else None


def _without_evidence(data: dict) -> None:
    data["evidence_shown"] = False
    data["key_figures"].pop("evidence", None)
    for axis in data["axes"]:
        for fiche in axis["fiches"]:
            fiche.pop("evidence", None)
            for indicator in fiche["indicators"]:
                indicator.pop("evidence", None)


def public_bilan_data(bilan: PublishedBilan, withheld: list[int]) -> dict:
    """A version's frozen data as the public reads it: without the account that published it, without
    the evidence behind its figures (never public, not even its titles or counts), and without the
    fiches now withheld from the public site (`withheld`; the key figures, totals of the whole plan,
    still count them, which the document says)."""
    data = copy.deepcopy(bilan.data)
    if data.get("publication"):
        data["publication"].pop("published_by", None)
    _without_evidence(data)
    if data.get("national") and not data["national"].get("public"):
        data["national"] = None  # computed from national data SCP had not published
    left_out = set(withheld)
    for axis in data["axes"]:
        axis["fiches"] = [fiche for fiche in axis["fiches"] if fiche["number"] not in left_out]
    data["axes"] = [axis for axis in data["axes"] if axis["fiches"]]
    data["withheld_numbers"] = sorted(
        left_out & {f["number"] for a in bilan.data["axes"] for f in a["fiches"]}
    )
    return data


# --- the plan at a glance ----------------------------------------------------------------------------


@dataclass
class FicheEntry:
    """A fiche in the plan's table; a withheld one has only its number and SCP's reason."""

    number: int
    title: str = ""
    principles: str = ""
    pilots: list[str] = field(default_factory=list)
    progress: Progress = NO_PROGRESS
    is_flagship: bool = False
    pack: str = ""
    withheld_reason: str = ""

    @property
    def is_withheld(self) -> bool:
        return bool(self.withheld_reason)


@dataclass
class YearEntry:
    year: int
    validated: int  # public fiches whose review of the year is validated
    total: int

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.validated == self.total


@dataclass
class PublicPlanPage:
    plan: Plan
    axes: list[dict]  # {"axis": Axis, "objectives": [{"objective": Objective, "fiches": [FicheEntry]}]}
    years: list[YearEntry]
    status_counts: list[dict]  # {"code", "label", "count"}, every status in a fixed order
    fiche_count: int
    withheld_count: int
    bilans: list[PublishedBilan]
    glossary: list[GlossaryEntry]
    packs: list[Pack]
    is_demo: bool


def _fiche_entry(fiche: Fiche, rows: PublicRows) -> FicheEntry:
    return FicheEntry(
        number=fiche.number,
        title=fiche.title,
        principles=" / ".join(p.label for p in fiche.principles.all()),
        pilots=pilot_labels(fiche, full=False),
        progress=rows.progress(fiche),
        is_flagship=fiche.is_flagship,
        pack=fiche.pack.name if fiche.pack else "",
    )


def _status_counts(entries: list[FicheEntry]) -> list[dict]:
    counts = Counter(entry.progress.code for entry in entries)
    statuses = [*ProgressStatus.choices, (UNKNOWN_PROGRESS, UNKNOWN_PROGRESS_LABEL)]
    return [{"code": code, "label": label, "count": counts[code]} for code, label in statuses]


def public_plan_page(*, plan: Plan) -> PublicPlanPage:
    """The plan at a glance: axes, objectives, fiches with their progress, the validated years, the
    public bilans. About ten queries whatever the plan's size."""
    rows = PublicRows.read(plan, details=False)
    entries = {fiche.pk: _fiche_entry(fiche, rows) for fiche in rows.fiches}
    per_objective = defaultdict(list)
    for fiche in rows.fiches:
        per_objective[fiche.objective_id].append(entries[fiche.pk])
    for item in rows.withheld:
        reason = item["withheld_reason"]
        per_objective[item["objective_id"]].append(FicheEntry(number=item["number"], withheld_reason=reason))
    axes = []
    for axis in Axis.objects.filter(plan=plan).order_by("position").prefetch_related("objectives"):
        objectives = [
            {"objective": o, "fiches": sorted(per_objective[o.pk], key=lambda e: e.number)}
            for o in sorted(axis.objectives.all(), key=lambda o: o.position)
            if per_objective[o.pk]
        ]
        if objectives:
            axes.append({"axis": axis, "objectives": objectives})
    years = [
        YearEntry(year, sum(year in rows.reviews[f.pk] for f in rows.fiches), len(rows.fiches))
        for year in followed_years(plan)
    ]
    return PublicPlanPage(
        plan=plan,
        axes=axes,
        years=years,
        status_counts=_status_counts(list(entries.values())),
        fiche_count=len(rows.fiches),
        withheld_count=len(rows.withheld),
        bilans=public_bilans(plan=plan),
        glossary=list(plan.glossary.order_by("acronym")),
        packs=list(plan.packs.order_by("name")),
        is_demo=rows.is_demo(),
    )


# --- a fiche -------------------------------------------------------------------------------------------


@dataclass
class MilestoneEntry:
    """A milestone as a page shows it: the row shape of templates/includes/fiche_sections/calendar.html,
    which the bilan's frozen milestones (reporting.selectors) share."""

    milestone: Milestone
    state: MilestoneState
    state_label: str

    @property
    def kind(self) -> str:
        return self.milestone.get_kind_display()

    @property
    def heading(self) -> str:
        return self.milestone.heading

    @property
    def text(self) -> str:
        return self.milestone.text

    @property
    def due(self) -> str:
        return self.milestone.due_text


@dataclass
class PublicFichePage:
    plan: Plan
    fiche: Fiche
    progress: Progress
    pilots: list[str]
    milestones: list[MilestoneEntry]
    indicators: list[IndicatorRow]  # cells of validated years only (indicators.sheets.fiche_sheet)
    years: list[int]
    validated_years: list[int]
    reviews: list[AnnualReview]  # validated only, oldest first
    is_demo: bool


def public_fiche_page(*, plan: Plan, number: int) -> PublicFichePage | None:
    """Every section of a public fiche, and of its follow-up only the validated years (about twelve
    queries). None for a fiche that does not exist or that SCP withheld."""
    rows = PublicRows.read(plan, number=number)
    if not rows.fiches:
        return None
    fiche = rows.fiches[0]
    validated = rows.validated_years(fiche)
    milestones = [MilestoneEntry(m, *public_milestone_state(m, validated)) for m in fiche.milestones.all()]
    years = followed_years(plan)
    sheet = fiche_sheet(
        plan=plan,
        indicators=fiche.indicators.all(),
        years=years,
        values_by=rows.values,
        validated=set(validated),
        shows_drafts=False,
    )
    return PublicFichePage(
        plan=plan,
        fiche=fiche,
        progress=rows.progress(fiche),
        pilots=pilot_labels(fiche),
        milestones=milestones,
        indicators=sheet.rows,
        years=years,
        validated_years=validated,
        reviews=list(rows.reviews[fiche.pk].values()),
        is_demo=rows.is_demo(),
    )
