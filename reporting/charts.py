"""Small SVG charts drawn server-side from the bilan's data: the same markup inline in HTML and PDF.

No JavaScript and no chart library: a few rectangles and a polyline are enough, and every text
drawn is escaped here.
"""

from django.utils.html import escape

from actions.enums import MilestoneState, ProgressStatus
from indicators.models import UNKNOWN_PROGRESS

POLYLINE = '<polyline fill="none" stroke="#2f6db5" stroke-width="1.5" points="{}"/>'
STATUS_COLOURS = {
    ProgressStatus.NOT_STARTED: "#9aa5b1",
    ProgressStatus.IN_PROGRESS: "#2f6db5",
    ProgressStatus.DONE: "#1e6b3a",
    ProgressStatus.POSTPONED: "#c98a00",
    ProgressStatus.ABANDONED: "#b3261e",
    UNKNOWN_PROGRESS: "#e1e5ea",
}
MILESTONE_COLOURS = {
    MilestoneState.DONE: "#1e6b3a",
    MilestoneState.ON_TIME: "#2f6db5",
    MilestoneState.LATE: "#b3261e",
    MilestoneState.CANCELLED: "#9aa5b1",
}
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="10"'


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def status_bars(by_axis: list[dict], statuses: list[dict]) -> str:
    """One stacked bar per axis: its fiches by progress status, with a legend underneath."""
    label_width, bar_width, row = 150, 300, 22
    body = []
    for index, axis in enumerate(by_axis):
        y = index * row
        body.append(f'<text x="0" y="{y + 14}" {FONT}>{escape(axis["name"])}</text>')
        x = label_width
        total = axis["fiches"] or 1
        for count in axis["counts"]:
            if not count["count"]:
                continue
            width = bar_width * count["count"] / total
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="15" '
                f'fill="{STATUS_COLOURS.get(count["code"], "#666")}"><title>{escape(count["label"])} : '
                f"{count['count']}</title></rect>"
            )
            if width >= 14:
                colour = "#1b1b1b" if count["code"] == UNKNOWN_PROGRESS else "#fff"
                body.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 14}" text-anchor="middle" fill="{colour}" {FONT}>'
                    f"{count['count']}</text>"
                )
            x += width
    legend_y = len(by_axis) * row + 6
    x = 0
    for status in statuses:
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="10" height="10" '
            f'fill="{STATUS_COLOURS.get(status["code"], "#666")}"/>'
            f'<text x="{x + 13}" y="{legend_y + 9}" {FONT}>{escape(status["label"])}</text>'
        )
        x += 14 + 6.2 * len(status["label"]) + 10
    return _svg(
        max(int(x), label_width + bar_width + 10),
        legend_y + 16,
        "Fiches par état d'avancement et par axe",
        "".join(body),
    )


def share_bars(rows: list[dict]) -> str:
    """One horizontal bar per axis: the share of indicators filled in."""
    label_width, bar_width, row = 150, 260, 22
    body = []
    for index, axis in enumerate(rows):
        y = index * row
        share = axis["indicators_share"] or 0
        body.append(
            f'<text x="0" y="{y + 14}" {FONT}>{escape(axis["name"])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="15" fill="#e1e5ea"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width * share / 100:.1f}" height="15" '
            'fill="#2f6db5"/>'
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}" {FONT}>'
            f"{escape(axis['indicators_share_label'])}</text>"
        )
    return _svg(
        label_width + bar_width + 50,
        len(rows) * row,
        "Part des indicateurs renseignés par axe",
        "".join(body),
    )


def milestone_bar(milestones: dict) -> str:
    """One stacked bar: milestones done, on time, late and cancelled."""
    width, total = 420, milestones["total"] or 1
    parts = [
        (MilestoneState.DONE, "Réalisés"),
        (MilestoneState.ON_TIME, "Dans les délais"),
        (MilestoneState.LATE, "En retard"),
        (MilestoneState.CANCELLED, "Abandonnés"),
    ]
    body, x = [], 0.0
    for key, label in parts:
        count = milestones[key]
        if not count:
            continue
        w = width * count / total
        body.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="18" fill="{MILESTONE_COLOURS[key]}">'
            f"<title>{label} : {count}</title></rect>"
        )
        if w >= 14:
            body.append(
                f'<text x="{x + w / 2:.1f}" y="13" text-anchor="middle" fill="#fff" {FONT}>{count}</text>'
            )
        x += w
    lx = 0
    for key, label in parts:
        body.append(
            f'<rect x="{lx}" y="26" width="10" height="10" fill="{MILESTONE_COLOURS[key]}"/>'
            f'<text x="{lx + 13}" y="35" {FONT}>{label}</text>'
        )
        lx += 14 + 6.2 * len(label) + 10
    return _svg(width, 40, "Jalons réalisés, dans les délais et en retard", "".join(body))


def trend_chart(chart: dict) -> str:
    """A small line chart of a numeric indicator over the years shown, with its target dashed."""
    width, height, pad_x, pad_y = 170, 54, 14, 8
    points = chart["points"]
    known = [v for _, v in points if v is not None]
    candidates = known + ([chart["target"]] if chart.get("target") is not None else [])
    low, high = min(0.0, *candidates), max(candidates)
    span = (high - low) or 1.0
    step = (width - 2 * pad_x) / max(1, len(points) - 1)

    def y_of(value: float) -> float:
        return height - 14 - (height - 14 - pad_y) * (value - low) / span

    body = [
        f'<line x1="{pad_x}" y1="{height - 14}" x2="{width - pad_x}" y2="{height - 14}" stroke="#9aa5b1"/>'
    ]
    parts = chart.get("parts")
    if parts:
        body += _plan_parts(parts, pad_x, step, height, y_of)
    elif chart.get("target") is not None:
        ty = y_of(chart["target"])
        body.append(
            f'<line x1="{pad_x}" y1="{ty:.1f}" x2="{width - pad_x}" y2="{ty:.1f}" stroke="#1e6b3a" '
            'stroke-dasharray="3 2"><title>Cible</title></line>'
        )
    firsts = {part["first"] for part in parts or []}
    segment = []
    for index, (year, value) in enumerate(points):
        x = pad_x + index * step
        if index in firsts and index:  # the line is broken at the boundary: two plans, two series
            if len(segment) > 1:
                body.append(POLYLINE.format(" ".join(segment)))
            segment = []
        if index == 0 or index == len(points) - 1 or index in firsts:
            body.append(
                f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle" font-size="8" '
                f'font-family="DejaVu Sans, sans-serif">{year}</text>'
            )
        if value is None:
            if len(segment) > 1:
                body.append(POLYLINE.format(" ".join(segment)))
            segment = []
            continue
        y = y_of(value)
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#2f6db5"/>')
    if len(segment) > 1:
        body.append(POLYLINE.format(" ".join(segment)))
    return _svg(width, height, _trend_label(chart), "".join(body))


def _trend_label(chart: dict) -> str:
    """The chart's text alternative: for a series spanning plans, where the boundary lies and the
    targets of each plan (the table beside it gives every value)."""
    parts = chart.get("parts")
    if not parts:
        return "Évolution de l'indicateur"
    points = chart["points"]
    sentences = [f"Évolution de l'indicateur de {points[0][0]} à {points[-1][0]}"]
    for part in parts:
        years = f"{points[part['first']][0]}-{points[part['last']][0]}"
        target = "" if part["target"] is None else f", cible {_number_label(part['target'])}"
        sentences.append(f"{part['label']} : {years}{target}")
    return " ; ".join(sentences) + " ; la limite entre les plans est marquée d'un trait vertical."


def _number_label(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def _plan_parts(parts: list[dict], pad_x: float, step: float, height: int, y_of) -> list[str]:
    """Each plan's own target over its part of the series, and a vertical line at each boundary."""
    body = []
    for index, part in enumerate(parts):
        x1, x2 = pad_x + part["first"] * step, pad_x + part["last"] * step
        if part["target"] is not None:
            ty = y_of(part["target"])
            body.append(
                f'<line x1="{x1 - (step / 2 if index else 0):.1f}" y1="{ty:.1f}" x2="{x2:.1f}" y2="{ty:.1f}" '
                f'stroke="#1e6b3a" stroke-dasharray="3 2"><title>Cible du {escape(part["label"].lower())}'
                "</title></line>"
            )
        if index:
            bx = x1 - step / 2
            body.append(
                f'<line class="plan-boundary" x1="{bx:.1f}" y1="2" x2="{bx:.1f}" y2="{height - 12}" '
                f'stroke="#1b1b1b" stroke-width="1"><title>Limite : {escape(part["label"])}</title></line>'
            )
    return body
