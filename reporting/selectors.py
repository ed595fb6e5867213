"""The bilan's data, built once: the HTML page, the PDF and a published version all render it.

`bilan_build` returns plain dicts, lists, strings and numbers (JSON-serialisable) so that publishing
can freeze exactly what was shown, and re-render it later without reading the live tables.
Every figure is computed here; templates only lay it out.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from actions.enums import NUMERIC_VALUE_TYPES, GoalKind, MilestoneState, ProgressStatus
from actions.models import Axis, Fiche, FichePilot, Goal, Indicator, Plan
from contracts.selectors import contract_amount, legal_overview
from core import values
from indicators.models import UNKNOWN_PROGRESS, UNKNOWN_PROGRESS_LABEL, AnnualReview, IndicatorValue
from indicators.selectors import SeriesPart, indicator_lineages, series_columns, series_parts

# Bumped when the structure changes, so a frozen version says which layout it was built for.
# 2: the legal indicators' section ("legal"; absent from versions published before it).
# 3: each milestone says whether its completion is validated (what the public may see).
# 4: a continued indicator carries its earlier plans' series ("earlier", "chart.parts") and its fiche
#    a table of the series across plans ("series"); both absent when no indicator continues another.
# 5: the legal section lists what its figures rest on ("anomalies", "corrected", "excluded_count"), the
#    duties since 21 August 2026 one by one ("duties") and a closed plan's freeze ("frozen_label").
SCHEMA_VERSION = 5
# The contracts of each of the legal section's lists the bilan names (the rest are counted).
MISSING_ENVIRONMENTAL_LISTED = 30

NOT_VALIDATED = "non validé"


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _percent_label(part: int, whole: int) -> str:
    share = _percent(part, whole)
    return "—" if share is None else f"{share} %"


def _statuses() -> list[dict]:
    """The legend of progress statuses, in a fixed order, "no review" last."""
    return [{"code": code, "label": label} for code, label in ProgressStatus.choices] + [
        {"code": UNKNOWN_PROGRESS, "label": UNKNOWN_PROGRESS_LABEL}
    ]


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
    relative to the end of the bilan's year (or today, if earlier). About ten queries, whatever the
    number of fiches, indicators and values (ten more for the legal indicators, whatever the number of
    contracts, when the plan has buyers; two more when its indicators continue those of an earlier
    plan, whose series -- every year of the earlier plans, marked when not validated -- each continued
    indicator carries in "earlier", its fiche in "series"). An earlier plan's bilan never reads a
    later plan: preparing the next plan leaves it unchanged.
    """
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise ValueError(f"{year} is outside the plan's years")
    with translation.override("fr"):
        return _build(plan=plan, year=year, now=now or timezone.now())


@dataclass
class _Scope:
    """Which years a bilan covers and the day its milestones are judged on."""

    plan: Plan
    year: int | None
    now: datetime.datetime

    @property
    def years(self) -> list[int]:
        return self.plan.years if self.year is None else list(range(self.plan.start_year, self.year + 1))

    @property
    def review_years(self) -> list[int]:
        return self.years if self.year is None else [self.year]

    @property
    def reference_date(self) -> datetime.date:
        today = timezone.localdate(self.now)
        return today if self.year is None else min(today, datetime.date(self.year, 12, 31))


@dataclass
class _Rows:
    """What a bilan reads from the tables, in a fixed number of queries."""

    axes: list[Axis]
    fiches: list[Fiche]
    values: dict  # indicator id -> year -> IndicatorValue
    reviews: dict  # fiche id -> year -> AnnualReview
    lineages: dict = field(default_factory=dict)  # indicator id -> earlier plans' SeriesParts

    @classmethod
    def read(cls, scope: _Scope) -> "_Rows":
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
        return cls(axes=axes, fiches=fiches, values=values_by, reviews=reviews, lineages=lineages)


@dataclass
class _Tally:
    """The counts the key figures add up, per axis and in all, while the fiches are read."""

    axes: dict
    milestones: Counter = field(default_factory=Counter)
    validated_reviews: int = 0
    is_demo: bool = False

    def add_cells(self, axis_id: int, cells: list[dict]) -> None:
        axis = self.axes[axis_id]
        axis["cells_total"] += len(cells)
        axis["cells_filled"] += sum(not c["missing"] for c in cells)
        self.is_demo = self.is_demo or any(c["is_demo"] for c in cells)


def _cell(indicator: Indicator, year: int, value: IndicatorValue | None, validated: bool) -> dict:
    raw = value.raw if value is not None else None
    return {
        "year": year,
        "text": values.format_value(indicator, raw),
        "missing": raw is None,
        "validated": validated,
        "is_demo": bool(value and value.is_demo),
    }


def _number(raw) -> float | None:
    return float(raw) if isinstance(raw, Decimal) else None


def _target(indicator: Indicator) -> float | None:
    return float(indicator.target_value) if indicator.target_value is not None else None


def _earlier_data(parts: list[SeriesPart]) -> list[dict]:
    """The earlier plans' parts of a continued indicator, oldest first: each with its own code and target."""
    return [
        {
            "plan": part.plan.period,
            "plan_label": part.label,
            "code": part.indicator.code,
            "label": part.indicator.label,
            "target": part.indicator.target_label,
            "target_value": _target(part.indicator),
            "cells": [_cell(part.indicator, y, value, validated) for y, value, validated in part.cells],
            "numbers": [_number(value.raw) if value else None for _, value, _ in part.cells],
        }
        for part in parts
    ]


def _chart(indicator: Indicator, points: list, earlier: list[dict], plan: Plan) -> dict | None:
    """A numeric indicator's chart data; for a continued one, the whole series with one part per plan
    (where the boundary is drawn, and each plan's own target over its part only)."""
    if earlier:
        series, parts = [], []
        for part in earlier:
            first = len(series)
            series += [[c["year"], n] for c, n in zip(part["cells"], part["numbers"], strict=True)]
            parts.append(
                {
                    "label": part["plan_label"],
                    "first": first,
                    "last": len(series) - 1,
                    "target": part["target_value"],
                }
            )
        parts.append(
            {
                "label": f"Plan {plan.period}",
                "first": len(series),
                "last": len(series) + len(points) - 1,
                "target": _target(indicator),
            }
        )
        points = series + points
    if indicator.value_type not in NUMERIC_VALUE_TYPES or sum(p[1] is not None for p in points) < 2:
        return None
    chart = {"points": points, "target": _target(indicator)}
    if earlier:
        chart["parts"] = parts
    return chart


def _indicator_data(indicator: Indicator, scope: _Scope, rows: _Rows, validated_years: set[int]) -> dict:
    cells, points = [], []
    for y in scope.years:
        value = rows.values[indicator.pk].get(y)
        cells.append(_cell(indicator, y, value, y in validated_years))
        points.append([y, _number(value.raw) if value is not None else None])
    earlier = _earlier_data(rows.lineages.get(indicator.pk, []))
    data = {
        "code": indicator.code,
        "kind": indicator.get_kind_display(),
        "label": indicator.label,
        "group": indicator.group,
        "target": indicator.target_label,
        "cells": cells,
        "chart": _chart(indicator, points, earlier, scope.plan),
    }
    if earlier:
        for part in earlier:
            del part["numbers"], part["target_value"]
        data["earlier"] = earlier
    return data


def _series_data(fiche: Fiche, indicators: list[dict], scope: _Scope, rows: _Rows) -> dict | None:
    """The fiche's table of its continued indicators' series across plans, the boundary marked; None
    when none of its indicators continues one of an earlier plan."""
    lineages = {i.pk: rows.lineages[i.pk] for i in fiche.indicators.all() if i.pk in rows.lineages}
    if not lineages:
        return None
    columns = series_columns(scope.plan, scope.years, lineages)
    table = []
    for indicator, data in zip(fiche.indicators.all(), indicators, strict=True):
        if indicator.pk not in lineages:
            continue
        by_plan = {part["plan"]: part for part in data["earlier"]}
        parts = []
        for column, part in zip(
            columns, series_parts(indicator, [], lineages[indicator.pk], columns), strict=True
        ):
            if column.is_current:
                parts.append(
                    {"present": True, "code": data["code"], "target": data["target"], "cells": data["cells"]}
                )
            elif part.indicator is None:
                parts.append({"present": False, "span": len(column.years) + 1, "label": column.label})
            else:
                earlier = by_plan[column.plan.period]
                parts.append(
                    {
                        "present": True,
                        "code": earlier["code"],
                        "target": earlier["target"],
                        "cells": earlier["cells"],
                    }
                )
        table.append({"code": data["code"], "label": data["label"], "parts": parts})
    return {
        "first_year": columns[0].years[0],
        "columns": [
            {
                "label": c.label,
                "period": c.plan.period,
                "years": c.years,
                "span": len(c.years) + 1,
                "is_current": c.is_current,
            }
            for c in columns
        ],
        "rows": table,
    }


def _fiche_data(fiche: Fiche, scope: _Scope, rows: _Rows, tally: _Tally) -> dict:
    reviews = rows.reviews[fiche.pk]
    fiche_reviews = [reviews[y] for y in scope.review_years if y in reviews]
    tally.is_demo = tally.is_demo or any(r.is_demo for r in fiche_reviews)
    tally.validated_reviews += sum(r.is_validated for r in fiche_reviews)
    # The progress the bilan's year states (the latest year, for the end-of-plan bilan).
    latest = fiche_reviews[-1].progress if fiche_reviews else None
    validated_years = {y for y, r in reviews.items() if r.is_validated}
    milestones = [_milestone_data(m, scope.reference_date, validated_years) for m in fiche.milestones.all()]
    tally.milestones.update(m["state"] for m in milestones)
    indicators = [_indicator_data(i, scope, rows, validated_years) for i in fiche.indicators.all()]
    for indicator in indicators:
        tally.add_cells(
            fiche.objective.axis_id, indicator["cells"] if scope.year is None else indicator["cells"][-1:]
        )
        # The earlier plans' values count in no key figure of this plan, but a demo value is announced.
        tally.is_demo = tally.is_demo or any(
            c["is_demo"] for part in indicator.get("earlier", []) for c in part["cells"]
        )
    series = _series_data(fiche, indicators, scope, rows)
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
        **({"series": series} if series else {}),
    }


def _key_figures(
    axes: list[dict], tally: _Tally, scope: _Scope, statuses: list[dict], fiche_count: int
) -> dict:
    by_axis, total_counts = [], Counter()
    cells_total = cells_filled = 0
    for axis in axes:
        counts = Counter(f["status"] for f in axis["fiches"])
        total_counts.update(counts)
        axis_total, axis_filled = axis["cells_total"], axis["cells_filled"]
        cells_total, cells_filled = cells_total + axis_total, cells_filled + axis_filled
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
    years = scope.years
    milestones = tally.milestones
    milestones_total = sum(milestones.values())
    return {
        "fiches": fiche_count,
        "by_axis": by_axis,
        "status_totals": [{**s, "count": total_counts[s["code"]]} for s in statuses],
        "indicators_label": f"Valeurs d'indicateurs renseignées (indicateur × année, {years[0]}-{years[-1]})"
        if scope.year is None
        else f"Indicateurs renseignés pour {scope.year}",
        "indicators_total": cells_total,
        "indicators_filled": cells_filled,
        "indicators_share": _percent(cells_filled, cells_total),
        "indicators_share_label": _percent_label(cells_filled, cells_total),
        "milestones": {
            "total": milestones_total,
            **{state.value: milestones[state.value] for state in MilestoneState},
            "done_share_label": _percent_label(milestones[MilestoneState.DONE.value], milestones_total),
            "reference_label": date_format(scope.reference_date, "j F Y"),
        },
    }


def _validation(tally: _Tally, scope: _Scope, fiche_count: int) -> dict:
    validated, expected = tally.validated_reviews, fiche_count * len(scope.review_years)
    is_validated = expected > 0 and validated == expected
    if scope.year is None:
        label = f"{validated} bilans annuels de fiche validés sur {expected} attendus"
    else:
        plural = "s" if validated > 1 else ""
        label = f"{validated} fiche{plural} validée{plural} sur {fiche_count}"
    return {
        "is_validated": is_validated,
        "validated": validated,
        "expected": expected,
        "label": label,
        "status_label": "Chiffres validés" if is_validated else "Chiffres provisoires (non validés)",
    }


def _listed(contracts, plan: Plan) -> list[dict]:
    """The first contracts of one of the legal section's lists, as plain data (frozen at publication),
    each linked to its page in the register (where the comité and SCP read it)."""
    return [
        {
            "id": contract.contract_id,
            "url": reverse("contracts:contract_detail", args=[plan.slug, contract.pk]),
            "notified_label": date_format(contract.notified_on, "j F Y"),
            "object": contract.object,
            "amount_label": contract_amount(contract),
        }
        for contract in contracts[:MISSING_ENVIRONMENTAL_LISTED]
    ]


def _legal_section(scope: _Scope) -> dict | None:
    """The legal indicators (art. L2111-3) of the bilan's year -- of every year of the plan together for
    the end-of-plan bilan -- from the contracts register, with their trend over the bilan's years.
    None when the plan has no buyer (nothing to compute from). Plain data, frozen at publication like
    the rest: contracts imported later never change a published version."""
    overview = legal_overview(scope.plan, year=scope.year, years=scope.years)
    if not overview.buyers:
        return None
    years = scope.years
    return {
        "title": "Indicateurs légaux (art. L2111-3)",
        "period_label": f"notifiés en {scope.year}"
        if scope.year is not None
        else f"notifiés de {years[0]} à {years[-1]}",
        "buyers": [{"name": b.name, "siret": b.siret} for b in overview.buyers],
        "contracts": overview.contracts,
        "known_count": overview.known_count,
        "unknown_label": overview.unknown_label,
        "rows": overview.rows,
        "trend": overview.trend,
        "is_demo": overview.is_demo,
        "duty_applies": overview.duty_applies,
        "missing_count": len(overview.missing),
        "missing": _listed(overview.missing, scope.plan),
        "anomalies_count": len(overview.anomalies),
        "anomalies": _listed(overview.anomalies, scope.plan),
        "corrected_count": len(overview.corrected),
        "corrected": _listed(overview.corrected, scope.plan),
        "excluded_count": len(overview.excluded),
        "duties": [
            {
                "label": duty["label"],
                "count": duty["count"],
                "contracts": _listed(duty["contracts"], scope.plan),
            }
            for duty in overview.duties
        ],
        "european_thresholds": overview.european_thresholds,
        "frozen_label": date_format(timezone.localtime(overview.frozen_at), "j F Y")
        if overview.frozen_at
        else "",
        "published_after_closing": overview.published_after_closing,
        "last_import_label": date_format(timezone.localtime(overview.last_import), "j F Y")
        if overview.last_import
        else "",
    }


def _build(*, plan: Plan, year: int | None, now: datetime.datetime) -> dict:
    scope = _Scope(plan, year, now)
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
    tally = _Tally(axes)
    for fiche in rows.fiches:
        axes[fiche.objective.axis_id]["fiches"].append(_fiche_data(fiche, scope, rows, tally))
    statuses = _statuses()
    key_figures = _key_figures(list(axes.values()), tally, scope, statuses, len(rows.fiches))
    for axis in axes.values():
        del axis["cells_total"], axis["cells_filled"]
    local_now = timezone.localtime(now)
    legal = _legal_section(scope)
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
        "is_demo": tally.is_demo or bool(legal and legal["is_demo"]),
        "validation": _validation(tally, scope, len(rows.fiches)),
        "missing_label": values.MISSING,
        "not_validated_label": NOT_VALIDATED,
        "statuses": statuses,
        "key_figures": key_figures,
        "legal": legal,
        "axes": [axis for axis in axes.values() if axis["fiches"]],
        "glossary": [
            {"acronym": e.acronym, "definition": e.definition} for e in plan.glossary.order_by("acronym")
        ],
        "publication": None,
    }
