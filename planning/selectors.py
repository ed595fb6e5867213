"""What the pages about moving from one plan to the next read.

The old plan's evaluation comes from the reporting app's end-of-plan bilan (`bilan_build` with
`year=None`: milestones, indicator values per year with their validation, annual reviews) and the
fiche's current progress from the indicators app's one rule (`AnnualReview.objects.current_progress`):
this module only picks from them, it computes no figure of its own beyond the trend's first and last
validated values. Each selector reads a fixed number of queries whatever the number of fiches.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from actions import enums
from actions.models import Fiche, Indicator, Plan
from core.excel.files import SheetSpec
from indicators.models import NO_PROGRESS, AnnualReview, Progress
from planning.models import FicheDecision
from reporting.selectors import bilan_build

from . import enums as planning_enums

SPARK_WIDTH, SPARK_HEIGHT = 120, 32


# --- the decision page ------------------------------------------------------------------------------


@dataclass
class Trend:
    """One indicator of the old plan over its years, validated values only."""

    code: str
    label: str
    first: tuple[int, str] | None
    last: tuple[int, str] | None
    points: str  # the SVG polyline's points ("" when fewer than two numeric values)
    count: int  # validated values

    @property
    def text(self) -> str:
        if self.first is None:
            return "aucune valeur validée"
        if self.first == self.last:
            return f"{self.first[0]} : {self.first[1]}"
        return f"{self.first[0]} : {self.first[1]} → {self.last[0]} : {self.last[1]}"


@dataclass
class Evaluation:
    """What the old plan's evaluation says of one fiche, beside its decision."""

    progress: Progress
    milestones_total: int = 0
    milestones_done: int = 0
    milestones_late: int = 0
    trends: list[Trend] = field(default_factory=list)
    review: dict | None = None  # the last validated annual review: year, difficulties, outlook


@dataclass
class DecisionRow:
    decision: FicheDecision
    evaluation: Evaluation

    @property
    def anchor(self) -> str:
        return f"decision-{self.decision.previous.number}"

    @property
    def label(self) -> str:
        """What tells one fiche's fields from another's, for screen readers."""
        return f"fiche {self.decision.previous.number}"


@dataclass
class DecisionPage:
    plan: Plan
    old: Plan
    rows: list[DecisionRow]
    fiches: list[Fiche]  # the new plan's fiches (targets of a merge)
    new_fiches: list[Fiche]  # those no carrying decision names


def _spark(points: list[tuple[int, float]]) -> str:
    if len(points) < 2:
        return ""
    years = [p[0] for p in points]
    values = [p[1] for p in points]
    low, high = min(values), max(values)
    span_x, span_y = (years[-1] - years[0]) or 1, (high - low) or 1
    return " ".join(
        f"{2 + (SPARK_WIDTH - 4) * (y - years[0]) / span_x:.1f},"
        f"{SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * (v - low) / span_y:.1f}"
        for y, v in points
    )


def _trend(indicator: dict) -> Trend:
    cells = [c for c in indicator["cells"] if c["validated"] and not c["missing"]]
    numbers = dict((year, value) for year, value in (indicator["chart"] or {}).get("points", []))
    points = [(c["year"], numbers[c["year"]]) for c in cells if numbers.get(c["year"]) is not None]
    return Trend(
        code=indicator["code"],
        label=indicator["label"],
        first=(cells[0]["year"], cells[0]["text"]) if cells else None,
        last=(cells[-1]["year"], cells[-1]["text"]) if cells else None,
        points=_spark(points),
        count=len(cells),
    )


def _evaluation(fiche: dict | None, progress: Progress) -> Evaluation:
    if fiche is None:
        return Evaluation(progress=progress)
    milestones = fiche["milestones"]
    validated = [r for r in fiche["reviews"] if r["is_validated"]]
    last = validated[-1] if validated else None
    return Evaluation(
        progress=progress,
        milestones_total=len(milestones),
        milestones_done=sum(m["state"] == enums.MilestoneState.DONE for m in milestones),
        milestones_late=sum(m["is_late"] for m in milestones),
        trends=[_trend(i) for i in fiche["indicators"]],
        review={"year": last["year"], "difficulties": last["difficulties"], "outlook": last["outlook"]}
        if last
        else None,
    )


def evaluation_of(old: Plan) -> dict[int, Evaluation]:
    """Each fiche of the old plan's end-of-plan evaluation, by fiche number."""
    bilan = bilan_build(plan=old, year=None)
    fiches = {f["number"]: f for axis in bilan["axes"] for f in axis["fiches"]}
    ids = dict(Fiche.objects.filter(plan=old).values_list("number", "pk"))
    progress = AnnualReview.objects.current_progress(ids.values())
    return {
        number: _evaluation(fiches.get(number), progress.get(pk, NO_PROGRESS)) for number, pk in ids.items()
    }


def _carried_ids(decisions) -> set[int]:
    return {d.fiche_id for d in decisions if d.decision in planning_enums.CARRIED_DECISIONS and d.fiche_id}


def decision_page(*, plan: Plan) -> DecisionPage:
    """The new plan's decisions, each with the old fiche's evaluation, and the new plan's fiches."""
    decisions = list(FicheDecision.objects.of_plan(plan).select_related("previous", "fiche"))
    evaluations = evaluation_of(plan.predecessor)
    fiches = list(Fiche.objects.of_plan(plan).order_by("number"))
    carried = _carried_ids(decisions)
    return DecisionPage(
        plan=plan,
        old=plan.predecessor,
        rows=[
            DecisionRow(d, evaluations.get(d.previous.number) or Evaluation(progress=NO_PROGRESS))
            for d in decisions
        ],
        fiches=fiches,
        new_fiches=[f for f in fiches if f.pk not in carried],
    )


# --- old and new side by side ----------------------------------------------------------------------


@dataclass
class ComparisonGroup:
    value: str
    label: str
    rows: list[dict]

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Comparison:
    plan: Plan
    old: Plan
    groups: list[ComparisonGroup]
    new_fiches: list[dict]
    continued: list[dict]  # indicators of the new plan continuing one of the old
    new_indicators: list[dict]

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [
            *((g.label, g.count) for g in self.groups),
            ("Fiches nouvelles", len(self.new_fiches)),
            ("Indicateurs prolongés", len(self.continued)),
            ("Indicateurs nouveaux", len(self.new_indicators)),
        ]


def comparison(*, plan: Plan) -> Comparison:
    """The old plan's fiches by decision (with the new fiche that carries or absorbs each), the new
    fiches, and the new plan's indicators, continued or new. Three queries."""
    decisions = list(FicheDecision.objects.of_plan(plan).select_related("previous", "fiche"))
    by_value = defaultdict(list)
    absorbed = defaultdict(list)
    for d in decisions:
        by_value[d.decision].append(
            {
                "old_number": d.previous.number,
                "old_title": d.previous.title,
                "new_number": d.fiche.number if d.fiche else None,
                "new_title": d.fiche.title if d.fiche else "",
                "reason": d.reason,
            }
        )
        if d.decision == planning_enums.FicheDecision.MERGED and d.fiche_id:
            absorbed[d.fiche_id].append(d.previous.number)
    carried = _carried_ids(decisions)
    new_fiches = [
        {"number": f.number, "title": f.title, "absorbs": sorted(absorbed.get(f.pk, []))}
        for f in Fiche.objects.of_plan(plan).order_by("number")
        if f.pk not in carried
    ]
    continued, new_indicators = [], []
    for indicator in (
        Indicator.objects.filter(fiche__plan=plan)
        .select_related("fiche", "continues__fiche")
        .order_by("fiche__number", "position", "code")
    ):
        row = {"fiche_number": indicator.fiche.number, "code": indicator.code, "label": indicator.label}
        if indicator.continues_id:
            old = indicator.continues
            continued.append(
                row | {"old_fiche_number": old.fiche.number, "old_code": old.code, "old_label": old.label}
            )
        else:
            new_indicators.append(row)
    return Comparison(
        plan=plan,
        old=plan.predecessor,
        groups=[
            ComparisonGroup(value, label, by_value.get(value, []))
            for value, label in planning_enums.FicheDecision.choices
        ],
        new_fiches=new_fiches,
        continued=continued,
        new_indicators=new_indicators,
    )


def _comparison_fiche_rows(data: Comparison) -> list[tuple]:
    """The "Fiches" sheet's rows: each decision on an old fiche, then the new fiches."""
    fiches = [
        (g.label, r["old_number"], r["old_title"], r["new_number"], r["new_title"], r["reason"])
        for g in data.groups
        for r in g.rows
    ]
    fiches += [
        (
            "Fiche nouvelle",
            None,
            "",
            f["number"],
            f["title"],
            "Absorbe la fiche " + ", ".join(map(str, f["absorbs"])) if f["absorbs"] else "",
        )
        for f in data.new_fiches
    ]
    return fiches


def _comparison_indicator_rows(data: Comparison) -> list[tuple]:
    """The "Indicateurs" sheet's rows: the series continued, then the new indicators."""
    return [
        (
            "Prolongé",
            r["fiche_number"],
            r["code"],
            r["label"],
            r["old_fiche_number"],
            r["old_code"],
            r["old_label"],
        )
        for r in data.continued
    ] + [("Nouveau", r["fiche_number"], r["code"], r["label"], None, "", "") for r in data.new_indicators]


def comparison_sheets(data: Comparison) -> list[SheetSpec]:
    """The comparison as workbook sheets (the page's content, one sheet per table)."""
    fiches, indicators = _comparison_fiche_rows(data), _comparison_indicator_rows(data)
    old, new = data.old.period, data.plan.period
    return [
        SheetSpec("Synthèse", ["Élément", "Nombre"], data.counts, widths={1: 40}),
        SheetSpec(
            "Fiches",
            [
                "Décision",
                f"N° {old}",
                f"Fiche {old}",
                f"N° {new}",
                f"Fiche {new}",
                "Motif",
            ],
            fiches,
            widths={1: 30, 3: 60, 5: 60, 6: 60},
        ),
        SheetSpec(
            "Indicateurs",
            [
                "Lignée",
                f"Fiche {new}",
                "Code",
                "Indicateur",
                f"Fiche {old}",
                f"Code {old}",
                f"Indicateur {old}",
            ],
            indicators,
            widths={4: 60, 7: 60},
        ),
    ]
