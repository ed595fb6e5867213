"""The evidence behind the bilan's figures, as plain data that publishing freezes
(reporting.selectors.bilan_build): for each fiche, its current evidence per year (titles only, never
the files; removed evidence left out), for each indicator the years whose figure has none, and the key
figures' table "Chiffres appuyés par une preuve".

Read in one query for the whole plan, whatever the number of fiches and pieces of evidence. Never on
the public site: public.selectors.public_bilan_data takes it out of a version shown to the public.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from actions.models import Fiche, Plan
from evidence.enums import EvidenceKind
from evidence.models import Evidence

from .bilan_figures import Scope, percent_label


@dataclass
class EvidenceRows:
    """The plan's current evidence over the bilan's years: per fiche, and counted per indicator-year."""

    by_fiche: dict[int, list[Evidence]] = field(default_factory=dict)
    per_value: Counter = field(default_factory=Counter)  # (indicator id, year) -> pieces of evidence

    @classmethod
    def read(cls, plan: Plan, years: list[int]) -> "EvidenceRows":
        rows = cls(by_fiche=defaultdict(list))
        evidence = (
            Evidence.objects.current()
            .filter(fiche__plan=plan, year__in=years)
            .only("fiche_id", "year", "indicator_id", "milestone_id", "title", "kind")
            .order_by("year", "dated", "pk")
        )
        for item in evidence:
            rows.by_fiche[item.fiche_id].append(item)
            if item.indicator_id is not None:
                rows.per_value[item.indicator_id, item.year] += 1
        return rows


def _count_label(count: int) -> str:
    return f"{count} preuve{'s' if count > 1 else ''}"


def _about(item: Evidence, indicators: dict, milestones: dict) -> str:
    """What the piece of evidence supports, in a few words: an indicator's code or a milestone."""
    if item.indicator_id in indicators:
        return f"indicateur {indicators[item.indicator_id]}"
    if item.milestone_id in milestones:
        text = milestones[item.milestone_id]
        return f"jalon « {text[:60]}{'…' if len(text) > 60 else ''} »"
    return ""


def fiche_evidence(fiche: Fiche, rows: EvidenceRows) -> list[dict]:
    """The fiche's evidence per year of the bilan (years without any left out), oldest first."""
    indicators = {i.pk: i.code for i in fiche.indicators.all()}
    milestones = {m.pk: m.heading or m.text for m in fiche.milestones.all()}
    by_year = defaultdict(list)
    for item in rows.by_fiche.get(fiche.pk, []):
        by_year[item.year].append(
            {
                "title": item.title,
                "is_link": item.kind == EvidenceKind.LINK,
                "about": _about(item, indicators, milestones),
            }
        )
    return [
        {"year": year, "count": len(items), "count_label": _count_label(len(items)), "items": items}
        for year, items in sorted(by_year.items())
    ]


def indicator_evidence(indicator_id: int, cells: list[dict], scope: Scope, rows: EvidenceRows) -> dict:
    """An indicator's evidence over the bilan's year (every year, for the end-of-plan bilan): how many
    pieces, and the years whose figure is given without any ("unsupported")."""
    counted = [c for c in cells if c["year"] in scope.review_years]
    counts = {c["year"]: rows.per_value[indicator_id, c["year"]] for c in counted}
    return {
        "count": sum(counts.values()),
        "filled": sum(not c["missing"] for c in counted),
        "supported": sum(not c["missing"] and counts[c["year"]] > 0 for c in counted),
        "unsupported_years": [c["year"] for c in counted if not c["missing"] and not counts[c["year"]]],
    }


def evidence_figures(axes: list[dict], scope: Scope) -> dict:
    """The key figures' table: per axis, the figures given over the bilan's year(s), and how many of
    them rest on at least one piece of evidence."""
    by_axis, filled, supported = [], 0, 0
    for axis in axes:
        indicators = [i["evidence"] for fiche in axis["fiches"] for i in fiche["indicators"]]
        axis_filled = sum(i["filled"] for i in indicators)
        axis_supported = sum(i["supported"] for i in indicators)
        filled, supported = filled + axis_filled, supported + axis_supported
        by_axis.append(
            {
                "name": axis["name"],
                "filled": axis_filled,
                "supported": axis_supported,
                "share_label": percent_label(axis_supported, axis_filled),
            }
        )
    years = scope.years
    return {
        "label": "Chiffres appuyés par une preuve"
        + (f" ({years[0]}-{years[-1]}, indicateur × année)" if scope.year is None else f" ({scope.year})"),
        "by_axis": by_axis,
        "filled": filled,
        "supported": supported,
        "share_label": percent_label(supported, filled),
    }
