"""A fiche's indicators in the bilan: their cells (indicators.sheets, the fiche selector every page
uses), charts and the table of a continued indicator's series across plans, as plain data that
publishing freezes (reporting.selectors.bilan_build)."""

from decimal import Decimal

from actions.enums import NUMERIC_VALUE_TYPES
from actions.models import Indicator, Plan
from indicators.sheets import Cell, FicheSheet, IndicatorRow, SeriesPart


def _number(cell: Cell) -> float | None:
    raw = cell.value.raw if cell.value is not None else None
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
            "cells": [c.as_data() for c in part.cells],
            "numbers": [_number(c) for c in part.cells],
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


def indicator_data(row: IndicatorRow, plan: Plan) -> dict:
    """An indicator of the bilan's fiche: its cells over the bilan's years, its target, its chart and,
    for a continued indicator, the earlier plans' parts of its series ("earlier")."""
    indicator = row.indicator
    points = [[c.year, _number(c)] for c in row.cells]
    earlier = _earlier_data(row.earlier)
    data = {
        "code": indicator.code,
        "kind": indicator.get_kind_display(),
        "label": indicator.label,
        "group": indicator.group,
        "target": indicator.target_label,
        "cells": [c.as_data() for c in row.cells],
        "chart": _chart(indicator, points, earlier, plan),
    }
    if earlier:
        for part in earlier:
            del part["numbers"], part["target_value"]
        data["earlier"] = earlier
    return data


def _series_part(column, part: SeriesPart, data: dict) -> dict:
    if column.is_current:
        return {"present": True, "code": data["code"], "target": data["target"], "cells": data["cells"]}
    if part.indicator is None:
        return {"present": False, "span": len(column.years) + 1, "label": column.label}
    earlier = next(e for e in data["earlier"] if e["plan"] == column.plan.period)
    return {"present": True, "code": earlier["code"], "target": earlier["target"], "cells": earlier["cells"]}


def series_data(sheet: FicheSheet, indicators: list[dict]) -> dict | None:
    """The fiche's table of its continued indicators' series across plans, the boundary marked; None
    when none of its indicators continues one of an earlier plan."""
    if not sheet.columns:
        return None
    rows = [
        {
            "code": data["code"],
            "label": data["label"],
            "parts": [_series_part(c, p, data) for c, p in zip(sheet.columns, row.parts, strict=True)],
        }
        for row, data in zip(sheet.rows, indicators, strict=True)
        if row.earlier
    ]
    return {
        "first_year": sheet.first_year,
        "columns": [
            {
                "label": c.label,
                "period": c.plan.period,
                "years": c.years,
                "span": len(c.years) + 1,
                "is_current": c.is_current,
            }
            for c in sheet.columns
        ],
        "rows": rows,
    }
