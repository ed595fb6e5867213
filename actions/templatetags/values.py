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


@register.simple_tag
def cell(cell, *, public=False, print=False, missing_text="", inline=False) -> str:  # noqa: A002
    """One cell of an indicator's year (indicators.sheets.Cell, or its frozen data in a published
    bilan), the same on every page: `public` hides a year not validated; `print` is the bilan's (HTML
    and PDF) plain text with a small flag, and `missing_text` its text for a missing value; `inline`
    keeps the "not validated" mark on the line. Built here rather than by an included template, and
    from its arguments only (no lookup in the page's context): a bilan draws thousands of cells."""
    if isinstance(cell, dict):
        text, validated, missing = cell["text"], cell["validated"], cell["missing"]
    else:
        text, validated, missing = cell.text, cell.validated, cell.missing
    if public and not validated:
        return format_html(
            '<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
            values.LABELS["year_not_validated"],
        )
    if print:
        if missing:
            return conditional_escape(missing_text or text)
        if validated:
            return conditional_escape(text)
        return format_html('{}<br><small class="flag">{}</small>', text, values.LABELS["not_validated"])
    if missing:
        return format_html('<span class="missing">{}</span>', text)
    if public:
        return conditional_escape(text)
    if validated:
        return format_html('<span class="">{}</span>', text)
    return format_html(
        '<span class="unvalidated">{}</span>{}<span class="badge">{}</span>',
        text,
        mark_safe(" " if inline else "<br>"),
        values.LABELS["not_validated"],
    )
