"""The schema document: the plan itself (not a bilan), as the assemblée votes it and the public reads it.

Laid out like the adopted SPASER 54 document: a title page, the principles, the axes with their
objectives, the summary table of the fiches, then each fiche with all its sections, the packs and the
glossary. `schema_build` reads everything in a fixed number of queries and returns plain data; the
web page and the PDF render the same content template (reporting/includes/schema_content.html), and
the PDF is rendered with the bilan's machinery (reporting.pdf), once per version of the data
(reporting.caching.live_schema_pdf).

Only what the plan's tables hold is shown: nothing is computed or invented beyond labels.
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from actions.enums import ActorKind, GoalKind, IndicatorKind, MeansKind, PlanState
from actions.models import Axis, Fiche, FichePilot, Indicator, Objective, Plan
from core import values

from .pdf import _INDENTATION, html_to_pdf

# What the milestone's deadline reads when the fiche was carried over and its date is still to set.
TO_REDATE = "à redater"
DRAFT_NOTICE = "Projet – document de travail"


def _fiche_queryset(plan: Plan):
    """Every section of every fiche, in a fixed number of queries whatever the number of fiches."""
    return (
        Fiche.objects.of_plan(plan)
        .in_plan_order()
        .select_related("objective__axis", "pack")
        .prefetch_related(
            "principles",
            Prefetch("fiche_pilots", queryset=FichePilot.objects.select_related("pilot__direction")),
            "goals",
            "milestones",
            "actors",
            "means",
            "vigilance_points",
            Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
        )
    )


def _items(rows) -> list[dict]:
    return [{"text": row.text, "level": getattr(row, "level", 0)} for row in rows]  # actors have no level


def _goal(goal) -> dict:
    target = ""
    if goal.target_value is not None:
        target = f"{values.format_number(goal.target_value)} {goal.target_unit}".strip()
    return {"text": goal.text, "level": goal.level, "target": target}


def _milestone(milestone) -> dict:
    return {
        "kind": milestone.get_kind_display(),
        "heading": milestone.heading,
        "text": milestone.text,
        "due": TO_REDATE if milestone.to_redate else milestone.due_text,
        "to_redate": milestone.to_redate,
    }


def _indicator(indicator: Indicator) -> dict:
    unit = indicator.unit
    return {
        "code": indicator.code,
        "label": indicator.label,
        "group": indicator.group,
        "value_type": indicator.get_value_type_display() + (f" ({unit})" if unit else ""),
        "target": indicator.target_label,
        "baseline": (
            f"{values.format_value(indicator, indicator.baseline_value)}"
            + (f" ({indicator.baseline_year})" if indicator.baseline_year else "")
        )
        if indicator.baseline_value is not None
        else "",
    }


# Actors' kinds read in the plural as headings ("Internes"), as the document has them.
ACTOR_HEADINGS = {ActorKind.INTERNAL: "Internes", ActorKind.EXTERNAL: "Externes"}


def _by_kind(rows, kinds, headings: dict | None = None) -> list[dict]:
    """Rows grouped by their kind, in the enum's order, the empty kinds left out."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.kind].append(row)
    return [
        {"code": code, "label": (headings or {}).get(code, label), "rows": grouped[code]}
        for code, label in kinds.choices
        if grouped[code]
    ]


def _fiche(fiche: Fiche) -> dict:
    goals, actors, means = fiche.goals.all(), fiche.actors.all(), fiche.means.all()
    indicators = sorted(fiche.indicators.all(), key=lambda i: i.position)
    return {
        "number": fiche.number,
        "anchor": f"fiche-{fiche.number}",
        "title": fiche.title,
        "axis": fiche.objective.axis.name,
        "objective": fiche.objective.title,
        "principles": " / ".join(p.label for p in fiche.principles.all()),
        "pilots": [
            {"label": fp.pilot.label, "full_label": fp.pilot.full_label}
            for fp in sorted(fiche.fiche_pilots.all(), key=lambda fp: fp.position)
        ],
        "qualification": fiche.qualification,
        "is_flagship": fiche.is_flagship,
        "pack": {"name": fiche.pack.name, "description": fiche.pack.description} if fiche.pack else None,
        "added_label": date_format(fiche.added_on, "F Y") if fiche.added_on else "",
        "context": fiche.context,
        "goals": [{**kind, "rows": [_goal(g) for g in kind["rows"]]} for kind in _by_kind(goals, GoalKind)],
        "milestones": [_milestone(m) for m in sorted(fiche.milestones.all(), key=lambda m: m.position)],
        "actors": [
            {**kind, "rows": _items(kind["rows"])} for kind in _by_kind(actors, ActorKind, ACTOR_HEADINGS)
        ],
        "means": [{**kind, "rows": _items(kind["rows"])} for kind in _by_kind(means, MeansKind)],
        "indicators": [
            {**kind, "rows": [_indicator(i) for i in kind["rows"]]}
            for kind in _by_kind(indicators, IndicatorKind)
        ],
        "indicator_count": len(indicators),
        "vigilance_points": [p.text for p in fiche.vigilance_points.all()],
    }


def _cover(plan: Plan) -> dict:
    return {
        "state": plan.state,
        "state_label": plan.get_state_display(),
        "is_draft": plan.state == PlanState.PREPARATION,
        "draft_notice": DRAFT_NOTICE if plan.state == PlanState.PREPARATION else "",
        "adopted_label": date_format(plan.adopted_on, "j F Y") if plan.adopted_on else "",
        "updated_label": date_format(plan.updated_on, "F Y") if plan.updated_on else "",
    }


def schema_build(*, plan: Plan, public: bool = False) -> dict:
    """Everything the schema document shows, as plain (JSON-serialisable) data.

    Fourteen queries, whatever the number of fiches, indicators and milestones: the plan's principles,
    axes, objectives, packs and glossary, the fiches, and one per section of a fiche (one more for the
    public copy). `public`: the copy the public site serves, without the fiches SCP withheld (each
    named by its number with the reason SCP gave, as on the public site).
    """
    with translation.override("fr"):
        return _build(plan, public)


def _build(plan: Plan, public: bool = False) -> dict:
    axes = list(
        Axis.objects.filter(plan=plan)
        .order_by("position")
        .prefetch_related(Prefetch("objectives", queryset=Objective.objects.order_by("position")))
    )
    by_axis, by_objective, by_pack = defaultdict(list), defaultdict(list), defaultdict(list)
    fiches = _fiche_queryset(plan)
    withheld = []
    if public:
        withheld = [
            {"number": number, "reason": reason}
            for number, reason in fiches.filter(is_withheld=True).values_list("number", "withheld_reason")
        ]
        fiches = fiches.filter(is_withheld=False)
    for fiche in fiches:
        by_axis[fiche.objective.axis_id].append(_fiche(fiche))
        by_objective[fiche.objective_id].append(fiche.number)
        if fiche.pack_id:
            by_pack[fiche.pack_id].append(fiche.number)
    return {
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "short_title": plan.short_title,
            "buyer": plan.buyer,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "period": plan.period,
        },
        # The cover's heading, and the title the running header and the page's <title> carry.
        "heading": f"{plan.short_title} {plan.period}",
        "title": f"Projet de schéma {plan.period}" if plan.is_in_preparation else f"Schéma {plan.period}",
        "cover": _cover(plan),
        "principles": [
            {"label": p.label, "description": p.description} for p in plan.principles.order_by("position")
        ],
        "axes": [
            {
                "name": axis.name,
                "anchor": f"axe-{axis.code}",
                "objectives": [
                    {"title": o.title, "fiches": by_objective[o.pk]} for o in axis.objectives.all()
                ],
                "fiches": by_axis[axis.pk],
            }
            for axis in axes
        ],
        "fiche_count": sum(len(fiches) for fiches in by_axis.values()),
        "withheld": withheld,
        "packs": [
            {"name": pack.name, "description": pack.description, "fiches": by_pack[pack.pk]}
            for pack in plan.packs.order_by("name")
        ],
        "glossary": [
            {"acronym": e.acronym, "definition": e.definition} for e in plan.glossary.order_by("acronym")
        ],
    }


# --- rendering: the page's content and the PDF, once per version of the data -----------------------


def schema_content_html(schema: dict) -> str:
    return render_to_string("reporting/includes/schema_content.html", {"schema": schema})


def schema_html_for_print(schema: dict) -> str:
    # print_base.html names its document "bilan": the schema fills the same slots (plan, title).
    html = render_to_string("reporting/schema_print.html", {"schema": schema, "bilan": schema})
    return _INDENTATION.sub("><", html)


def schema_pdf(schema: dict) -> bytes:
    """The schema's PDF (tagged, PDF/UA-1, like every PDF the public downloads)."""
    return html_to_pdf(schema_html_for_print(schema))
