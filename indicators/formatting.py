"""How a value reads in French, the same on pages, in the PDF and in exports."""

from decimal import Decimal

from django.utils.formats import number_format

from . import enums

MISSING = "non renseigné"


def format_number(value: Decimal, decimal_places: int | None = None) -> str:
    """French grouping and decimal comma; by default as many decimals as the value has (4 at most)."""
    value = Decimal(value)
    if decimal_places is None:
        exponent = value.normalize().as_tuple().exponent
        decimal_places = min(4, max(0, -exponent)) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def format_value(indicator, raw) -> str:
    """French rendering of a raw value; a missing value reads "non renseigné", never 0."""
    if raw is None or raw == "":
        return MISSING
    value_type = indicator.value_type
    if value_type == enums.ValueType.BOOLEAN:
        return "Oui" if raw else "Non"
    if value_type == enums.ValueType.TEXT:
        return str(raw)
    text = format_number(raw)
    if value_type == enums.ValueType.PERCENTAGE:
        return f"{text} %"
    if value_type == enums.ValueType.AMOUNT:
        return f"{format_number(raw, 2) if Decimal(raw) != Decimal(raw).to_integral_value() else text} €"
    if value_type == enums.ValueType.HOURS:
        return f"{text} h"
    if indicator.unit and value_type == enums.ValueType.COUNT:
        return f"{text} {indicator.unit}"
    return text
