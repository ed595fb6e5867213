from django import template

from national.selectors import percent

register = template.Library()


@register.filter
def share(value) -> str:
    """A fraction as a percentage the French way ("18,7 %"; "—" when there is none)."""
    return percent(value)
