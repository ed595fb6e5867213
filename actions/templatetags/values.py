"""Values and their labels in templates, through the one formatting module (core.values):
`{{ goal.target_value|number }}`, `{% value_label "missing" %}`, `{% cell cell print=True %}`. No template
formats a number itself."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from core import values

register = template.Library()


@register.filter
def number(value) -> str:
    """A number grouped the French way ("1 234,5"); "" for None."""
    return "" if value is None or value == "" else values.format_number(value)


@register.simple_tag
def value_label(name: str) -> str:
    """One of the labels shown beside values ("missing": "non renseigné", "not_validated", ...)."""
    return values.LABELS[name]


def _cell_field(cell, name: str):
    return cell[name] if isinstance(cell, dict) else getattr(cell, name)


@register.simple_tag(takes_context=True)
def cell(context, cell, **options) -> str:
    """One cell of an indicator's year (indicators.sheets.Cell, or its frozen data in a published
    bilan), the same on every page. Options (else read from the page's context): `public` hides a
    year not validated; `print` is the bilan's (HTML and PDF) plain text with a small flag, and
    `missing_text` its text for a missing value; `inline` keeps the "not validated" mark on the line.
    Built here rather than by an included template: a bilan draws thousands of cells."""
    option = {
        name: options.get(name, context.get(name)) for name in ("public", "print", "missing_text", "inline")
    }
    text, validated = _cell_field(cell, "text"), _cell_field(cell, "validated")
    missing = _cell_field(cell, "missing")
    not_validated = values.LABELS["not_validated"]
    if option["public"] and not validated:
        return format_html(
            '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
            values.LABELS["year_not_validated"],
        )
    if option["print"]:
        if missing:
            return conditional_escape(option["missing_text"] or text)
        return (
            format_html('{}<br><small class="flag">{}</small>', text, not_validated)
            if not validated
            else conditional_escape(text)
        )
    if missing:
        return format_html('<span class="missing">{}</span>', text)
    if option["public"] or validated:
        return conditional_escape(text) if option["public"] else format_html('<span class="">{}</span>', text)
    separator = mark_safe(" " if option["inline"] else "<br>")
    return format_html(
        '<span class="unvalidated">{}</span>{}<span class="badge">{}</span>', text, separator, not_validated
    )
