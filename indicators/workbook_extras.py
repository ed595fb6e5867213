"""What the values workbook (indicators.values_workbook) shows for reading only, which its import never
reads back: the "Avancement" sheet, each fiche's progress per year, and the read-only columns that
higher apps plug in beside the values, one per year (the evidence's counts: registered in
EvidenceConfig.ready, as indicators sits below evidence and never imports it).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from actions.models import Fiche, Plan

from .models import NO_PROGRESS, AnnualReview

PROGRESS_SHEET = "Avancement"


@dataclass(frozen=True)
class ValueColumns:
    """Read-only columns after the values' ones, one per year of the plan: `header(year)` names the
    column of that year ("Preuves 2025"); `cells(plan)` reads every cell of the plan at once (a few
    queries, never one per row), keyed by (indicator id, year); a missing key writes `default`."""

    name: str
    header: Callable[[int], str]
    cells: Callable[[Plan], Mapping[tuple[int, int], object]]
    default: object = None


_VALUE_COLUMNS: dict[str, ValueColumns] = {}


def register_value_columns(name: str, *, header, cells, default=None) -> None:
    """Plug read-only columns in (called from a higher app's AppConfig.ready); the export writes them,
    the import skips them, whatever a person typed in them."""
    _VALUE_COLUMNS[name] = ValueColumns(name=name, header=header, cells=cells, default=default)


def value_columns() -> list[ValueColumns]:
    return list(_VALUE_COLUMNS.values())


def read_only_headers(plan: Plan) -> set[str]:
    """The headers of every read-only column of the plan's workbook: the import ignores them."""
    return {column.header(year) for column in value_columns() for year in plan.years}


def progress_rows(plan: Plan) -> list[list]:
    """Each fiche's current progress (its latest validated review) and what each year's review states."""
    fiches = list(Fiche.objects.of_plan(plan).order_by("number"))
    reviews = {(r.fiche_id, r.year): r for r in AnnualReview.objects.filter(fiche__plan=plan)}
    current = AnnualReview.objects.current_progress([f.pk for f in fiches])
    rows = []
    for fiche in fiches:
        row = [fiche.number, fiche.title, current.get(fiche.pk, NO_PROGRESS).label]
        for year in plan.years:
            review = reviews.get((fiche.pk, year))
            row.append(
                ""
                if review is None
                else review.progress.label + ("" if review.is_validated else " (non validé)")
            )
        rows.append(row)
    return rows
