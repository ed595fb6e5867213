"""The SVG charts of the bilan as template tags: markup built (and escaped) by reporting.charts."""

from django import template
from django.utils.safestring import mark_safe

from reporting import charts

register = template.Library()


@register.simple_tag
def status_bars(key_figures: dict, statuses: list[dict]) -> str:
    return mark_safe(charts.status_bars(key_figures["by_axis"], statuses))


@register.simple_tag
def share_bars(key_figures: dict) -> str:
    return mark_safe(charts.share_bars(key_figures["by_axis"]))


@register.simple_tag
def milestone_bar(key_figures: dict) -> str:
    return mark_safe(charts.milestone_bar(key_figures["milestones"]))


@register.simple_tag
def trend_chart(chart: dict) -> str:
    return mark_safe(charts.trend_chart(chart))
