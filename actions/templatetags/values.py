"""Values and their labels in templates, through the one formatting module (core.values):
`{{ goal.target_value|number }}`, `{% value_label "missing" %}`. No template formats a number itself."""

from django import template

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
