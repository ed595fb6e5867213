"""The bilan's data, built once: the HTML page, the PDF and a published version all render it.

`bilan_build` returns plain dicts, lists, strings and numbers (JSON-serialisable) so that publishing
can freeze exactly what was shown, and re-render it later without reading the live tables.
Every figure is computed here; templates only lay it out.
"""

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format

from actions.enums import GoalKind, MilestoneStatus, ProgressStatus
from actions.models import Axis, Fiche, FichePilot, Goal, Plan
from indicators.enums import NUMERIC_VALUE_TYPES, ReviewStatus
from indicators.formatting import MISSING, format_number, format_value
from indicators.models import AnnualReview, Indicator, IndicatorValue

# Bumped when the structure changes, so a frozen version says which layout it was built for.
SCHEMA_VERSION = 1

NO_REVIEW = "non_renseigne"
NO_REVIEW_LABEL = "Non renseigné"
NOT_VALIDATED = "non validé"


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _percent_label(part: int, whole: int) -> str:
    share = _percent(part, whole)
    return "—" if share is None else f"{share} %"


def _statuses() -> list[dict]:
    """The legend of progress statuses, in a fixed order, "no review" last."""
    return [{"code": code, "label": label} for code, label in ProgressStatus.choices] + [
        {"code": NO_REVIEW, "label": NO_REVIEW_LABEL}
    ]


def _pilot_label(pilot) -> str:
    parts = [pilot.role, pilot.service, str(pilot.direction)]
    return " – ".join(p for p in parts if p)


def _target_label(indicator: Indicator) -> str:
    if indicator.target_value is not None:
        text = format_value(indicator, indicator.target_value)
        return f"{text} en {indicator.target_year}" if indicator.target_year else text
    if indicator.target_year:
        return f"en {indicator.target_year}"
    return ""


def _chart_number(indicator: Indicator, raw) -> float | None:
    if isinstance(raw, Decimal):
        return float(raw)
    return None


def _review_data(review: AnnualReview) -> dict:
    return {
        "year": review.year,
        "status": review.status,
        "status_label": review.get_status_display(),
        "is_validated": review.status == ReviewStatus.VALIDATED,
        "progress_status": review.progress_status,
        "progress_label": review.get_progress_status_display(),
        "achievements": review.achievements,
        "difficulties": review.difficulties,
        "outlook": review.outlook,
        "is_demo": review.is_demo,
    }


def _milestone_data(milestone, reference_date: datetime.date) -> dict:
    is_late = milestone.is_late(today=reference_date)
    is_done = milestone.status == MilestoneStatus.DONE
    if milestone.due_label:
        due = milestone.due_label
    elif milestone.due_date:
        due = date_format(milestone.due_date, "F Y")
    else:
        due = ""
    if is_late:
        state, state_label = "late", "En retard"
    elif is_done:
        state = "done"
        state_label = "Réalisé" + (
            f" le {date_format(milestone.completed_on, 'SHORT_DATE_FORMAT')}"
            if milestone.completed_on
            else ""
        )
    elif milestone.status == MilestoneStatus.CANCELLED:
        state, state_label = "cancelled", "Abandonné"
    else:
        state, state_label = "on_time", "Dans les délais"
    return {
        "kind": milestone.get_kind_display(),
        "heading": milestone.heading,
        "text": milestone.text,
        "due": due,
        "state": state,
        "state_label": state_label,
        "is_late": is_late,
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


def bilan_build(*, plan: Plan, year: int | None, now: datetime.datetime | None = None) -> dict:
    """Everything the bilan of `year` shows (or, with `year=None`, the end-of-plan bilan over all years).

    Values are read up to the bilan's year only: a 2024 bilan drawn up later does not show 2025.
    A value is "validated" when its fiche's review of that year is validated. Milestones are late
    relative to the end of the bilan's year (or today, if earlier). About ten queries, whatever the
    number of fiches, indicators and values.
    """
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise ValueError(f"{year} is outside the plan's years")
    with translation.override("fr"):
        return _build(plan=plan, year=year, now=now or timezone.now())


def _build(*, plan: Plan, year: int | None, now: datetime.datetime) -> dict:
    years = plan.years if year is None else list(range(plan.start_year, year + 1))
    today = timezone.localdate(now)
    reference_date = today if year is None else min(today, datetime.date(year, 12, 31))
    review_years = years if year is None else [year]

    axes = list(Axis.objects.filter(plan=plan).order_by("position"))
    fiches = list(_fiche_queryset(plan))
    values = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__fiche__plan=plan, year__in=years).only(
        "indicator_id", "year", "value_number", "value_bool", "value_text", "is_demo"
    ):
        values[value.indicator_id][value.year] = value
    reviews = defaultdict(dict)
    for review in AnnualReview.objects.filter(fiche__plan=plan, year__in=years).order_by("year"):
        reviews[review.fiche_id][review.year] = review
    glossary = [
        {"acronym": entry.acronym, "definition": entry.definition}
        for entry in plan.glossary.order_by("acronym")
    ]

    is_demo = False
    statuses = _statuses()
    axis_data = {
        axis.pk: {
            "name": axis.name,
            "anchor": f"axe-{axis.code}",
            "fiches": [],
            "status_counts": Counter(),
            "cells_total": 0,
            "cells_filled": 0,
        }
        for axis in axes
    }
    milestone_counts = Counter()
    validated_reviews = 0

    for fiche in fiches:
        fiche_reviews = [reviews[fiche.pk][y] for y in review_years if y in reviews[fiche.pk]]
        is_demo = is_demo or any(r.is_demo for r in fiche_reviews)
        validated_reviews += sum(r.status == ReviewStatus.VALIDATED for r in fiche_reviews)
        latest = fiche_reviews[-1] if fiche_reviews else None
        if latest is not None:
            status_code, status_label = latest.progress_status, latest.get_progress_status_display()
        else:
            status_code, status_label = NO_REVIEW, NO_REVIEW_LABEL
        validated_years = {y for y, r in reviews[fiche.pk].items() if r.status == ReviewStatus.VALIDATED}

        milestones = [_milestone_data(m, reference_date) for m in fiche.milestones.all()]
        milestone_counts.update(m["state"] for m in milestones)

        indicators = []
        axis = axis_data[fiche.objective.axis_id]
        for indicator in fiche.indicators.all():
            cells = []
            points = []
            for y in years:
                value = values[indicator.pk].get(y)
                raw = value.raw if value is not None else None
                if value is not None:
                    is_demo = is_demo or value.is_demo
                cells.append(
                    {
                        "year": y,
                        "text": format_value(indicator, raw),
                        "missing": raw is None,
                        "validated": y in validated_years,
                        "is_demo": bool(value and value.is_demo),
                    }
                )
                points.append([y, _chart_number(indicator, raw)])
            counted = cells if year is None else cells[-1:]
            axis["cells_total"] += len(counted)
            axis["cells_filled"] += sum(not c["missing"] for c in counted)
            numeric = indicator.value_type in NUMERIC_VALUE_TYPES
            has_points = sum(p[1] is not None for p in points) >= 2
            indicators.append(
                {
                    "code": indicator.code,
                    "kind": indicator.get_kind_display(),
                    "label": indicator.label,
                    "group": indicator.group,
                    "target": _target_label(indicator),
                    "cells": cells,
                    "chart": {
                        "points": points,
                        "target": float(indicator.target_value)
                        if indicator.target_value is not None
                        else None,
                    }
                    if numeric and has_points
                    else None,
                }
            )

        axis["status_counts"][status_code] += 1
        axis["fiches"].append(
            {
                "number": fiche.number,
                "anchor": f"fiche-{fiche.number}",
                "title": fiche.title,
                "objective": fiche.objective.title,
                "principles": " / ".join(p.label for p in fiche.principles.all()),
                "pilots": [
                    _pilot_label(fp.pilot)
                    for fp in sorted(fiche.fiche_pilots.all(), key=lambda fp: fp.position)
                ],
                "qualification": fiche.qualification,
                "is_flagship": fiche.is_flagship,
                "status": status_code,
                "status_label": status_label,
                "goals": [
                    {
                        "text": g.text,
                        "target": (
                            f"{format_number(g.target_value)} {g.target_unit}".strip()
                            if g.target_value is not None
                            else ""
                        ),
                    }
                    for g in fiche.goals.all()
                ],
                "milestones": milestones,
                "late_milestones": sum(m["is_late"] for m in milestones),
                "indicators": indicators,
                "reviews": [_review_data(r) for r in fiche_reviews],
            }
        )

    by_axis = []
    total_counts = Counter()
    cells_total = cells_filled = 0
    for axis in axis_data.values():
        counts = axis.pop("status_counts")
        axis_total, axis_filled = axis.pop("cells_total"), axis.pop("cells_filled")
        total_counts.update(counts)
        cells_total += axis_total
        cells_filled += axis_filled
        by_axis.append(
            {
                "name": axis["name"],
                "anchor": axis["anchor"],
                "fiches": len(axis["fiches"]),
                "counts": [{**s, "count": counts[s["code"]]} for s in statuses],
                "indicators_total": axis_total,
                "indicators_filled": axis_filled,
                "indicators_share": _percent(axis_filled, axis_total),
                "indicators_share_label": _percent_label(axis_filled, axis_total),
            }
        )

    expected_reviews = len(fiches) * len(review_years)
    is_validated = expected_reviews > 0 and validated_reviews == expected_reviews
    if year is None:
        title = f"Bilan de fin de plan {plan.start_year}-{plan.end_year}"
        validation_label = (
            f"{validated_reviews} bilans annuels de fiche validés sur {expected_reviews} attendus"
        )
        filled_label = f"Valeurs d'indicateurs renseignées (indicateur × année, {years[0]}-{years[-1]})"
    else:
        title = f"Bilan annuel {year}"
        validation_label = (
            f"{validated_reviews} fiche{'s' if validated_reviews > 1 else ''} validée"
            f"{'s' if validated_reviews > 1 else ''} sur {len(fiches)}"
        )
        filled_label = f"Indicateurs renseignés pour {year}"
    milestones_total = sum(milestone_counts.values())
    local_now = timezone.localtime(now)

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
        "years": years,
        "title": title,
        "generated_at": local_now.isoformat(),
        "generated_label": date_format(local_now, "j F Y à H:i"),
        "reference_label": date_format(reference_date, "j F Y"),
        "is_demo": is_demo,
        "validation": {
            "is_validated": is_validated,
            "validated": validated_reviews,
            "expected": expected_reviews,
            "label": validation_label,
            "status_label": "Chiffres validés" if is_validated else "Chiffres provisoires (non validés)",
        },
        "missing_label": MISSING,
        "not_validated_label": NOT_VALIDATED,
        "statuses": statuses,
        "key_figures": {
            "fiches": len(fiches),
            "by_axis": by_axis,
            "status_totals": [{**s, "count": total_counts[s["code"]]} for s in statuses],
            "indicators_label": filled_label,
            "indicators_total": cells_total,
            "indicators_filled": cells_filled,
            "indicators_share": _percent(cells_filled, cells_total),
            "indicators_share_label": _percent_label(cells_filled, cells_total),
            "milestones": {
                "total": milestones_total,
                "done": milestone_counts["done"],
                "on_time": milestone_counts["on_time"],
                "late": milestone_counts["late"],
                "cancelled": milestone_counts["cancelled"],
                "done_share_label": _percent_label(milestone_counts["done"], milestones_total),
                "reference_label": date_format(reference_date, "j F Y"),
            },
        },
        "axes": [axis for axis in axis_data.values() if axis["fiches"]],
        "glossary": glossary,
        "publication": None,
    }
