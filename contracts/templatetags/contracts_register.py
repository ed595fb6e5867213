"""The register's template tags: the legal indicators' charts (markup built and escaped by
contracts.charts) and amounts the French way (contracts.selectors.euros)."""

from django import template
from django.utils.safestring import mark_safe

from contracts import charts, selectors

register = template.Library()


@register.simple_tag
def legal_share_bar(row: dict, measure: str) -> str:
    """`{% legal_share_bar row "count" %}`: the bar of one row of the legal indicators' table."""
    return mark_safe(charts.share_bar(row["measures"][measure], category=row["category"], label=row["label"]))


@register.simple_tag
def legal_trend_chart(trend: list[dict]) -> str:
    return mark_safe(charts.trend_chart(trend))


@register.filter
def euros(amount) -> str:
    """`{{ contract.initial_amount|euros }}`: "1 234 567 €"."""
    return "" if amount is None else selectors.euros(amount)


@register.simple_tag
def contract_amount(contract) -> str:
    """`{% contract_amount contract %}`: its initial amount, or the amount as published when it could
    not be read as one ("« 1e+17 »")."""
    return selectors.contract_amount(contract)
