"""The evidence's columns in the values workbook (indicators.values_workbook): per value, how many
current pieces of evidence are attached to it. For reading only: the import skips these columns,
whatever they hold (plugged in by EvidenceConfig.ready, as indicators sits below evidence)."""

from django.db.models import Count

from actions.models import Plan
from indicators.workbook_extras import register_value_columns

from .models import Evidence


def evidence_header(year: int) -> str:
    return f"Preuves {year}"


def evidence_counts(plan: Plan) -> dict[tuple[int, int], int]:
    """(indicator id, year) -> the current pieces of evidence attached to that value, in one query."""
    rows = (
        Evidence.objects.current()
        .filter(fiche__plan=plan, indicator__isnull=False)
        .order_by()
        .values("indicator_id", "year")
        .annotate(count=Count("pk"))
    )
    return {(row["indicator_id"], row["year"]): row["count"] for row in rows}


def register_columns() -> None:
    register_value_columns("evidence", header=evidence_header, cells=evidence_counts, default=0)
