"""Reads of a fiche's evidence worth naming: the entry page's section and the fiche page's list.

Each is one query whatever the number of files (authors, indicators and milestones joined), so that
the pages keep their query counts with many files.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from actions.models import Fiche

from .models import Evidence


def _current(fiche: Fiche):
    return (
        Evidence.objects.filter(fiche=fiche)
        .current()
        .select_related("added_by", "indicator", "milestone")
        .order_by("year", "dated", "added_at", "pk")
    )


@dataclass
class FicheYearEvidence:
    """The evidence of one fiche-year, as its entry page lists it."""

    items: list[Evidence]
    total_size: int = 0
    by_indicator: dict[int, int] = field(default_factory=dict)  # indicator id -> number of files/links
    by_milestone: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)


def fiche_year_evidence(*, fiche: Fiche, year: int) -> FicheYearEvidence:
    """The fiche-year's current evidence (removed ones left out), oldest document first, with the
    counts per indicator and milestone. One query."""
    items = list(_current(fiche).filter(year=year))
    return FicheYearEvidence(
        items=items,
        total_size=sum(item.size for item in items),
        by_indicator=dict(Counter(item.indicator_id for item in items if item.indicator_id)),
        by_milestone=dict(Counter(item.milestone_id for item in items if item.milestone_id)),
    )


def fiche_evidence_by_year(*, fiche: Fiche) -> dict[int, list[Evidence]]:
    """The fiche's current evidence of every year, by year (the fiche page, read-only). One query."""
    years: dict[int, list[Evidence]] = defaultdict(list)
    for item in _current(fiche):
        years[item.year].append(item)
    return dict(years)
