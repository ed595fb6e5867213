"""Reading what a pilot types into a typed indicator value, with French messages.

Pilots type numbers the French way ("1 234,5", with plain, non-breaking or narrow spaces between
thousands) or the way a spreadsheet copies them ("1234.5"). Anything else is refused with a message
that says what is expected, never guessed at.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .enums import ValueType

# Spaces that may separate thousands: space, no-break space, narrow no-break space, thin space.
_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:[ ][0-9]{3})+|[0-9]+)(?:[.,](?P<frac>[0-9]+))?")
_UNIT_SUFFIX = {ValueType.PERCENTAGE: "%", ValueType.AMOUNT: "€", ValueType.HOURS: "h"}

# The database column holds 16 digits, 4 after the point.
MAX_INTEGER_DIGITS = 12
MAX_DECIMAL_PLACES = {ValueType.AMOUNT: 2, ValueType.COUNT: 0}
DEFAULT_DECIMAL_PLACES = 4
TEXT_MAX_LENGTH = 5000

BOOLEAN_CHOICES = [("", "— non renseigné —"), ("oui", "Oui"), ("non", "Non")]


def parse_french_number(text: str) -> Decimal:
    """A Decimal from "1 234,5", "1 234,5" or "1234.5"; ValidationError in French otherwise."""
    return _parse_number(text)[0]


def _parse_number(text: str) -> tuple[Decimal, int]:
    """The number and how many significant decimal places were typed."""
    cleaned = text.strip()
    for space in _SPACES[1:]:
        cleaned = cleaned.replace(space, " ")
    cleaned = re.sub(r" +", " ", cleaned)
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise ValidationError(
            "« %(text)s » n'est pas un nombre. Écrivez par exemple 1 234,5 (virgule pour les décimales).",
            code="invalid_number",
            params={"text": text.strip()[:40]},
        )
    digits = match["int"].replace(" ", "")
    try:
        value = Decimal(f"{match['sign']}{digits}.{match['frac'] or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets digits through
        raise ValidationError("Nombre illisible.", code="invalid_number") from exc
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValidationError(
            "Nombre trop grand (%(max)s chiffres au plus avant la virgule).",
            code="too_big",
            params={"max": MAX_INTEGER_DIGITS},
        )
    return value, len((match["frac"] or "").rstrip("0"))


def parse_value(value_type: str, text: str | None) -> Decimal | bool | str | None:
    """The typed value of an input for an indicator of `value_type`; None when left empty."""
    text = (text or "").strip()
    if value_type == ValueType.TEXT:
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError(
                "Texte trop long (%(max)s caractères au plus).",
                code="too_long",
                params={"max": TEXT_MAX_LENGTH},
            )
        if "\x00" in text:
            raise ValidationError("Le texte contient un caractère invalide.", code="null_character")
        return text or None
    if value_type == ValueType.BOOLEAN:
        if text == "":
            return None
        if text.lower() in ("oui", "true", "1"):
            return True
        if text.lower() in ("non", "false", "0"):
            return False
        raise ValidationError("Choisissez « Oui » ou « Non ».", code="invalid_choice")
    if text == "":
        return None
    suffix = _UNIT_SUFFIX.get(value_type)
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].rstrip(_SPACES)
    value, places = _parse_number(text)
    if value_type == ValueType.COUNT:
        if places:
            raise ValidationError("Un nombre entier est attendu (sans décimales).", code="not_whole")
        if value < 0:
            raise ValidationError("Le nombre ne peut pas être négatif.", code="negative")
        return value.quantize(Decimal(1))
    if value_type == ValueType.PERCENTAGE and not (0 <= value <= 100):
        raise ValidationError("Un pourcentage est compris entre 0 et 100.", code="out_of_range")
    if value < 0:
        raise ValidationError("La valeur ne peut pas être négative.", code="negative")
    max_places = MAX_DECIMAL_PLACES.get(value_type, DEFAULT_DECIMAL_PLACES)
    if places > max_places:
        raise ValidationError(
            "%(max)s décimales au plus.", code="too_many_decimals", params={"max": max_places}
        )
    return value.quantize(Decimal(1).scaleb(-max_places))


def value_to_input(value_type: str, raw) -> str:
    """What an input shows for a stored value: French decimal comma, no grouping (easy to edit)."""
    if raw is None or raw == "":
        return ""
    if value_type == ValueType.BOOLEAN:
        return "oui" if raw else "non"
    if value_type == ValueType.TEXT:
        return str(raw)
    value = Decimal(raw)
    text = (
        format(value.normalize(), "f")
        if value != value.to_integral_value()
        else str(value.quantize(Decimal(1)))
    )
    return text.replace(".", ",")
