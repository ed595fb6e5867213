"""The legal indicators' SVG charts, drawn server-side from the rows of `selectors.legal_table` and
`selectors.trend_rows`: the same markup on the page, in the bilan and in its PDF.

SVG presentation attributes, not `style`: the Content Security Policy forbids inline styles, and no
JavaScript is needed. Every text drawn is escaped here.
"""

from django.utils.html import escape

from .enums import Category

FONT = 'font-family="DejaVu Sans, sans-serif" font-size="10"'
SHARE, UNKNOWN, TRACK, TARGET = "#2f6db5", "#c7cdd6", "#eef1f5", "#1b1b1b"
LINE_COLOURS = {
    Category.SOCIAL: "#2f6db5",
    Category.RESERVED: "#c98a00",
    Category.ENVIRONMENTAL: "#1e6b3a",
    Category.BOTH: "#7a3f9d",
    Category.UNKNOWN: "#9aa5b1",
}


def _svg(width: int, height: int, label: str, body: str, css_class: str = "chart") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">{body}</svg>'
    )


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def share_bar(measure: dict, *, category: str, label: str) -> str:
    """A category's share of all contracts as a bar, with the share of contracts whose considerations
    are unknown drawn beside it in grey (the figure could be that much higher), and the plan's target as
    a black tick. `measure` is one measure of a row of `selectors.legal_table`."""
    width, height = 160, 14
    share = measure["share"] or 0.0
    unknown = measure["unknown"] if category not in (Category.CONTRACTS, Category.UNKNOWN) else 0.0
    colour = UNKNOWN if category == Category.UNKNOWN else SHARE
    body = [f'<rect x="0" y="2" width="{width}" height="{height - 4}" fill="{TRACK}"/>']
    body.append(
        f'<rect x="0" y="2" width="{width * share / 100:.1f}" height="{height - 4}" fill="{colour}"/>'
    )
    if unknown:
        x, w = width * share / 100, width * min(unknown, 100 - share) / 100
        body.append(f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="{height - 4}" fill="{UNKNOWN}"/>')
    description = f"{label} : {measure['share_label']}"
    if unknown:
        description += f", inconnu : {_number(unknown)} %"
    target = measure.get("target")
    if target is not None:
        x = min(width - 1, width * target["share"] / 100)
        body.append(f'<rect x="{x:.1f}" y="0" width="2" height="{height}" fill="{TARGET}"/>')
        description += f", cible : {target['label']}"
    return _svg(width, height, description, "".join(body), css_class="share-bar")


def trend_chart(trend: list[dict]) -> str:
    """The share of contracts of each followed category, year by year (0 to 100 %), with a legend."""
    width, left, top, plot_w, plot_h = 540, 40, 8, 470, 130
    years = [row["year"] for row in trend]
    step = plot_w / max(1, len(years) - 1)
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e1e5ea"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" {FONT}>{tick} %</text>'
        )
    for index, year in enumerate(years):
        x = left + index * step
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" {FONT}>{year}</text>')
    for category in LINE_COLOURS:
        body.extend(_trend_line(trend, category, left, top, plot_h, step))
    legend_top = top + plot_h + 24
    for index, (category, colour) in enumerate(LINE_COLOURS.items()):  # two columns
        x, y = (index % 2) * (width // 2), legend_top + (index // 2) * 14
        dash = ' stroke-dasharray="4 2"' if category == Category.UNKNOWN else ""
        body.append(
            f'<line x1="{x}" y1="{y + 5}" x2="{x + 14}" y2="{y + 5}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
            f'<text x="{x + 18}" y="{y + 9}" {FONT}>{escape(Category(category).label)}</text>'
        )
    height = legend_top + ((len(LINE_COLOURS) + 1) // 2) * 14 + 4
    return _svg(width, height, "Part des contrats de chaque catégorie, année par année", "".join(body))


def _trend_line(trend, category, left, top, plot_h, step) -> list[str]:
    colour = LINE_COLOURS[category]
    dash = ' stroke-dasharray="4 2"' if category == Category.UNKNOWN else ""
    parts, segment = [], []
    for index, row in enumerate(trend):
        cell = row["cells"][[c["category"] for c in row["cells"]].index(category)]
        if cell["share"] is None:  # no contract that year: a gap, not a zero
            if len(segment) > 1:
                parts.append(_polyline(segment, colour, dash))
            segment = []
            continue
        x, y = left + index * step, top + plot_h * (1 - cell["share"] / 100)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>{row["year"]} – '
            f"{escape(cell['label'])} : {escape(cell['share_label'])}</title></circle>"
        )
    if len(segment) > 1:
        parts.append(_polyline(segment, colour, dash))
    return parts


def _polyline(points: list[str], colour: str, dash: str) -> str:
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{" ".join(points)}"/>'
