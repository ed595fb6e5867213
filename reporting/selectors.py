"""The bilan's data, built once: the HTML page, the PDF and a published version all render it.

`bilan_build` returns plain dicts, lists, strings and numbers (JSON-serialisable) so that publishing
can freeze exactly what was shown, and re-render it later without reading the live tables.
Every figure is computed here; templates only lay it out.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format

from actions.enums import GoalKind, MilestoneState
from actions.models import Axis, Fiche, FichePilot, Goal, Indicator, Plan
from core import values
from indicators.models import UNKNOWN_PROGRESS, UNKNOWN_PROGRESS_LABEL, AnnualReview, IndicatorValue
from indicators.sheets import FicheSheet, fiche_sheet, indicator_lineages

from .bilan_evidence import EvidenceRows, evidence_figures, fiche_evidence, indicator_evidence
from .bilan_figures import Scope, Tally, key_figures, legal_section, status_legend, validation
from .bilan_indicators import indicator_data, series_data
from .bilan_national import national_section
from .bilan_suppliers import suppliers_section

# Bumped when the structure changes, so a frozen version says which layout it was built for.
# 2: the legal indicators' section ("legal"; absent from versions published before it).
# 3: each milestone says whether its completion is validated (what the public may see).
# 4: a continued indicator carries its earlier plans' series ("earlier", "chart.parts") and its fiche
#    a table of the series across plans ("series"); both absent when no indicator continues another.
# 5: the legal section lists what its figures rest on ("anomalies", "corrected", "excluded_count"), the
#    duties since 21 August 2026 one by one ("duties") and a closed plan's freeze ("frozen_label").
# 6: the evidence behind the figures ("evidence_shown"): each fiche's titles per year ("evidence"),
#    each indicator's count and unsupported years ("evidence"), the key figures' "evidence" table.
# 7: the national comparison ("national"; None without a national computation) and the contracts'
#    holders by category ("suppliers"); both absent from versions published before it.
SCHEMA_VERSION = 7


def _review_data(review: AnnualReview) -> dict:
    return {
        "year": review.year,
        "status": review.status,
        "status_label": review.get_status_display(),
        "is_validated": review.is_validated,
        "progress_status": review.progress_status,
        "progress_label": review.get_progress_status_display(),
        "achievements": review.achievements,
        "difficulties": review.difficulties,
        "outlook": review.outlook,
        "is_demo": review.is_demo,
    }


def _milestone_data(milestone, reference_date: datetime.date, validated_years: set[int]) -> dict:
    # A completion after the bilan's date is not part of it (the 2024 bilan drawn up in 2025).
    in_scope = milestone.completed_on is None or milestone.completed_on <= reference_date
    state = milestone.state(reference_date, completion_shown=in_scope)
    return {
        "completion_validated": not in_scope or milestone.completion_validated(validated_years),
        "kind": milestone.get_kind_display(),
        "heading": milestone.heading,
        "text": milestone.text,
        "due": milestone.due_text,
        "state": state.value,
        "state_label": milestone.state_label(reference_date, completion_shown=in_scope),
        "is_late": state == MilestoneState.LATE,
    }


def _fiche_queryset(plan: Plan):
    """Every row a fiche's section shows, in a fixed number of queries whatever the number of fiches."""
    return (
        Fiche.objects.of_plan(plan)
        .in_plan_order()
        .select_related("objective__axis")
        .prefetch_related(
            "principles",
            Prefetch("fiche_pilots", queryset=FichePilot.objects.select_related("pilot__direction")),
            Prefetch("goals", queryset=Goal.objects.filter(kind=GoalKind.QUANTITATIVE).order_by("position")),
            "milestones",
            Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
        )
    )


def _fiche_public_refusal(fiche: dict) -> str | None:
    number = fiche["number"]
    if fiche["status_unvalidated"] or any(not review["is_validated"] for review in fiche["reviews"]):
        return f"le bilan annuel de la fiche {number} n'est pas validé."
    for indicator in fiche["indicators"]:
        for part in [indicator, *indicator.get("earlier", [])]:
            for cell in part["cells"]:
                if not cell["missing"] and not cell["validated"]:
                    return f"la valeur {cell['year']} de l'indicateur {part['code']} n'est pas validée."
    if any(not milestone["completion_validated"] for milestone in fiche["milestones"]):
        return f"un jalon de la fiche {number} est réalisé pour une année non validée."
    return None


def bilan_public_refusal(*, data: dict) -> str | None:
    """Why a published version may not be read on the public site (a French sentence), or None.

    The public reads validated years only: a version that shows a value, a pilot's review, a progress
    status or a milestone's completion not validated yet stays internal. Versions built before
    milestones said whether their completion is validated (schema 1) cannot tell: a new version is
    published instead. (Fiches withheld from the public site are left out when the public site shows
    a version: public.selectors.public_bilan_data.)
    """
    if data.get("schema", 1) < 2:
        return "cette version a été publiée avant le site public : publiez-en une nouvelle version."
    for axis in data["axes"]:
        for fiche in axis["fiches"]:
            refusal = _fiche_public_refusal(fiche)
            if refusal:
                return refusal
    return None


def bilan_build(*, plan: Plan, year: int | None, now: datetime.datetime | None = None) -> dict:
    """Everything the bilan of `year` shows (or, with `year=None`, the end-of-plan bilan over all years).

    Values are read up to the bilan's year only: a 2024 bilan drawn up later does not show 2025.
    A value is "validated" when its fiche's review of that year is validated. Milestones are late
    relative to the end of the bilan's year (or today, if earlier). Each fiche lists its current
    evidence per year (titles only) and each indicator the years whose figure has none. About ten
    queries, whatever the number of fiches, indicators, values and pieces of evidence (ten more for
    the legal indicators, whatever the number of contracts, when the plan has buyers; two more when
    its indicators continue those of an earlier plan, whose series -- every year of the earlier plans,
    marked when not validated -- each continued indicator carries in "earlier", its fiche in
    "series"). An earlier plan's bilan never reads a later plan: preparing the next plan leaves it
    unchanged.
    """
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise ValueError(f"{year} is outside the plan's years")
    with translation.override("fr"):
        return _build(plan=plan, year=year, now=now or timezone.now())


@dataclass
class _Rows:
    """What a bilan reads from the tables, in a fixed number of queries."""

    axes: list[Axis]
    fiches: list[Fiche]
    values: dict  # indicator id -> year -> IndicatorValue
    reviews: dict  # fiche id -> year -> AnnualReview
    evidence: EvidenceRows = field(default_factory=EvidenceRows)
    lineages: dict = field(default_factory=dict)  # indicator id -> earlier plans' SeriesParts

    @classmethod
    def read(cls, scope: Scope) -> "_Rows":
        plan, years = scope.plan, scope.years
        values_by = defaultdict(dict)
        for value in IndicatorValue.objects.filter(indicator__fiche__plan=plan, year__in=years).only(
            "indicator_id", "year", "value_number", "value_bool", "value_text", "is_demo"
        ):
            values_by[value.indicator_id][value.year] = value
        reviews = defaultdict(dict)
        for review in AnnualReview.objects.filter(fiche__plan=plan, year__in=years).order_by("year"):
            reviews[review.fiche_id][review.year] = review
        axes = list(Axis.objects.filter(plan=plan).order_by("position"))
        fiches = list(_fiche_queryset(plan))
        # A continued indicator's earlier plans, every year shown, marked when not validated (2 queries,
        # none when no indicator continues another: an earlier plan's bilan reads nothing more).
        lineages = indicator_lineages([i for f in fiches for i in f.indicators.all()], plan=plan)
        evidence = EvidenceRows.read(plan, years)  # one query for the whole plan
        return cls(
            axes=axes, fiches=fiches, values=values_by, reviews=reviews, evidence=evidence, lineages=lineages
        )


def _sheet(fiche: Fiche, scope: Scope, rows: _Rows, validated_years: set[int]) -> FicheSheet:
    """The fiche's follow-up over the bilan's years: every year, marked when not validated (the public
    reads only published versions whose every figure is validated: bilan_public_refusal)."""
    own = fiche.indicators.all()
    return fiche_sheet(
        plan=scope.plan,
        indicators=own,
        years=scope.years,
        values_by=rows.values,
        validated=validated_years,
        shows_drafts=True,
        lineages={i.pk: rows.lineages[i.pk] for i in own if i.pk in rows.lineages},
    )


def _fiche_data(fiche: Fiche, scope: Scope, rows: _Rows, tally: Tally) -> dict:
    reviews = rows.reviews[fiche.pk]
    fiche_reviews = [reviews[y] for y in scope.review_years if y in reviews]
    tally.is_demo = tally.is_demo or any(r.is_demo for r in fiche_reviews)
    tally.validated_reviews += sum(r.is_validated for r in fiche_reviews)
    # The progress the bilan's year states (the latest year, for the end-of-plan bilan).
    latest = fiche_reviews[-1].progress if fiche_reviews else None
    validated_years = {y for y, r in reviews.items() if r.is_validated}
    milestones = [_milestone_data(m, scope.reference_date, validated_years) for m in fiche.milestones.all()]
    tally.milestones.update(m["state"] for m in milestones)
    sheet = _sheet(fiche, scope, rows, validated_years)
    indicators = [indicator_data(row, scope.plan) for row in sheet.rows]
    for row, indicator in zip(sheet.rows, indicators, strict=True):
        indicator["evidence"] = indicator_evidence(row.indicator.pk, indicator["cells"], scope, rows.evidence)
        tally.add_cells(
            fiche.objective.axis_id, indicator["cells"] if scope.year is None else indicator["cells"][-1:]
        )
        # The earlier plans' values count in no key figure of this plan, but a demo value is announced.
        tally.is_demo = tally.is_demo or any(
            c["is_demo"] for part in indicator.get("earlier", []) for c in part["cells"]
        )
    series = series_data(sheet, indicators)
    return {
        "number": fiche.number,
        "anchor": f"fiche-{fiche.number}",
        "title": fiche.title,
        "objective": fiche.objective.title,
        "principles": " / ".join(p.label for p in fiche.principles.all()),
        "pilots": [
            fp.pilot.full_label for fp in sorted(fiche.fiche_pilots.all(), key=lambda fp: fp.position)
        ],
        "qualification": fiche.qualification,
        "is_flagship": fiche.is_flagship,
        "status": latest.code if latest else UNKNOWN_PROGRESS,
        "status_label": latest.label if latest else UNKNOWN_PROGRESS_LABEL,
        "status_unvalidated": bool(fiche_reviews) and not fiche_reviews[-1].is_validated,
        "goals": [
            {
                "text": g.text,
                "target": f"{values.format_number(g.target_value)} {g.target_unit}".strip()
                if g.target_value is not None
                else "",
            }
            for g in fiche.goals.all()
        ],
        "milestones": milestones,
        "late_milestones": sum(m["is_late"] for m in milestones),
        "indicators": indicators,
        "reviews": [_review_data(r) for r in fiche_reviews],
        "evidence": fiche_evidence(fiche, rows.evidence),
        **({"series": series} if series else {}),
    }


def _register_sections(scope: Scope) -> dict:
    """The sections read from the contracts register and the national data (None when empty)."""
    legal = legal_section(scope)
    return {
        "legal": legal,
        "national": national_section(scope),
        "suppliers": suppliers_section(scope, legal),
    }


def _build(*, plan: Plan, year: int | None, now: datetime.datetime) -> dict:
    scope = Scope(plan, year, now)
    rows = _Rows.read(scope)
    axes = {
        axis.pk: {
            "name": axis.name,
            "anchor": f"axe-{axis.code}",
            "fiches": [],
            "cells_total": 0,
            "cells_filled": 0,
        }
        for axis in rows.axes
    }
    tally = Tally(axes)
    for fiche in rows.fiches:
        axes[fiche.objective.axis_id]["fiches"].append(_fiche_data(fiche, scope, rows, tally))
    statuses = status_legend()
    figures = key_figures(list(axes.values()), tally, scope, statuses, len(rows.fiches))
    figures["evidence"] = evidence_figures(list(axes.values()), scope)
    for axis in axes.values():
        del axis["cells_total"], axis["cells_filled"]
    local_now = timezone.localtime(now)
    sections = _register_sections(scope)
    return {
        "schema": SCHEMA_VERSION,
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "short_title": plan.short_title,
            "buyer": plan.buyer,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
        },
        "year": year,
        "scope": "final" if year is None else "annual",
        "years": scope.years,
        "title": f"Bilan de fin de plan {plan.start_year}-{plan.end_year}"
        if year is None
        else f"Bilan annuel {year}",
        "generated_at": local_now.isoformat(),
        "generated_label": date_format(local_now, "j F Y à H:i"),
        "reference_label": date_format(scope.reference_date, "j F Y"),
        "is_demo": tally.is_demo or any(section and section["is_demo"] for section in sections.values()),
        "validation": validation(tally, scope, len(rows.fiches)),
        "missing_label": values.MISSING,
        "not_validated_label": values.NOT_VALIDATED,
        "statuses": statuses,
        "key_figures": figures,
        **sections,
        "evidence_shown": True,  # the internal bilan; the public site's copy leaves the evidence out
        "axes": [axis for axis in axes.values() if axis["fiches"]],
        "glossary": [
            {"acronym": e.acronym, "definition": e.definition} for e in plan.glossary.order_by("acronym")
        ],
        "publication": None,
    }
