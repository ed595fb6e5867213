"""Indicator values as people type and read them: French numbers, percentages, amounts, yes/no words.

The one place that reads and writes a value. The pilot's entry form, the Excel imports (values and
fiches), the admin, the pages, the PDF and the exports all go through it, so that a value accepted in
one place is accepted everywhere, and reads the same everywhere.

Pilots type numbers the French way ("1 234,5", with plain, no-break or narrow spaces between
thousands, or "1.234,5" as some spreadsheets show them) or as a spreadsheet copies them ("1234.5"),
optionally followed by the unit of the indicator ("12,5 %", "1 234 €", "12 h"). "1.234", which reads
either way, is refused; so is anything else, with a message that says what is expected, never
guessed at. Spreadsheet cells that are already numbers (int, float) or booleans are taken as such.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format

from .enums import ValueType

# The labels every page, the PDF and the exports show beside values: defined here only.
MISSING = "non renseigné"
NOT_VALIDATED = "non validé"  # a value shown to insiders before SCP validated its year
YEAR_NOT_VALIDATED = "année non validée"  # a year the public does not see yet
LABELS = {"missing": MISSING, "not_validated": NOT_VALIDATED, "year_not_validated": YEAR_NOT_VALIDATED}
YES, NO = "Oui", "Non"
# Every yes/no answer accepted anywhere (entry form, Excel cells, fiche import), lower-cased.
YES_WORDS = frozenset({"oui", "o", "vrai", "true", "1"})
NO_WORDS = frozenset({"non", "n", "faux", "false", "0"})
BOOLEAN_CHOICES = [("", f"— {MISSING} —"), ("oui", YES), ("non", NO)]

# Spaces that may separate thousands: space, no-break space, narrow no-break space, thin space.
_SPACES = " \u00a0\u202f\u2009"
_SPACE_GROUPED = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:[ ][0-9]{3})+|[0-9]+)(?:[.,](?P<frac>[0-9]+))?"
)
# "1.234" reads as 1234 to a French reader and 1.234 to a spreadsheet: refused rather than guessed.
_AMBIGUOUS_DOT = re.compile(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}")
_DOT_GROUPED = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+),(?P<frac>[0-9]+)")
# The unit after a number, as pages show it and as a pilot may type it ("12,5 %", "1 234 €", "12 h").
UNIT_SUFFIX = {ValueType.PERCENTAGE: "%", ValueType.AMOUNT: "€", ValueType.HOURS: "h"}

# The database column holds 16 digits, 4 after the point.
MAX_INTEGER_DIGITS = 12
DECIMAL_PLACES = {ValueType.AMOUNT: 2, ValueType.COUNT: 0}
DEFAULT_DECIMAL_PLACES = 4
TEXT_MAX_LENGTH = 5000


# --- yes / no ------------------------------------------------------------------------------------


def parse_yes_no(value) -> bool | None:
    """True, False, or None for an empty answer; ValidationError in French for anything else."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        text = str(int(value))
    if text == "":
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise ValidationError(
        "« %(text)s » n'est pas une réponse attendue : choisissez « Oui » ou « Non ».",
        code="invalid_choice",
        params={"text": str(value).strip()[:40]},
    )


def format_yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return YES if value else NO


# --- numbers -------------------------------------------------------------------------------------


def _parse_number_text(text: str) -> tuple[Decimal, int]:
    """The number and how many significant decimal places were typed."""
    cleaned = text.strip()
    for space in _SPACES[1:]:
        cleaned = cleaned.replace(space, " ")
    cleaned = re.sub(r" +", " ", cleaned)
    if _AMBIGUOUS_DOT.fullmatch(cleaned):
        raise ValidationError(
            "« %(text)s » est ambigu : écrivez %(thousands)s pour des milliers, "
            "ou %(decimal)s pour des décimales.",
            code="ambiguous_number",
            params={
                "text": cleaned,
                "thousands": cleaned.replace(".", " "),
                "decimal": cleaned.replace(".", ","),
            },
        )
    match = _SPACE_GROUPED.fullmatch(cleaned) or _DOT_GROUPED.fullmatch(cleaned)
    if match is None:
        raise ValidationError(
            "« %(text)s » n'est pas un nombre. Écrivez par exemple 1 234,5 (virgule pour les décimales).",
            code="invalid_number",
            params={"text": text.strip()[:40]},
        )
    digits = match["int"].replace(" ", "").replace(".", "")
    try:
        value = Decimal(f"{match['sign']}{digits}.{match['frac'] or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the patterns only let digits through
        raise ValidationError("Nombre illisible.", code="invalid_number") from exc
    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise _too_big()
    return value, len((match["frac"] or "").rstrip("0"))


def _too_big() -> ValidationError:
    return ValidationError(
        "Nombre trop grand (%(max)s chiffres au plus avant la virgule).",
        code="too_big",
        params={"max": MAX_INTEGER_DIGITS},
    )


def _typed_number(value) -> tuple[Decimal, int]:
    """A number a spreadsheet stored as such (int or float), with its significant decimal places.

    A float carries binary noise (0.1 + 0.2 = 0.30000000000000004): it is rounded to the 4 decimals
    a value can hold, as the spreadsheet displays it.
    """
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValidationError(
            "« %(text)s » n'est pas un nombre.", code="invalid_number", params={"text": value}
        )
    if isinstance(value, float):
        number = number.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if abs(number) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise _too_big()
    exponent = number.normalize().as_tuple().exponent
    return number, max(0, -exponent) if isinstance(exponent, int) else 0


def parse_number(value_type: str, value, *, percent_cell: bool = False) -> Decimal | None:
    """The number a user typed (text) or a spreadsheet holds (int, float) for a numeric indicator.

    `percent_cell`: the spreadsheet cell is formatted as a percentage, so it holds 0.45 for "45 %".
    Returns None for an empty input.
    """
    if isinstance(value, bool):
        raise ValidationError("Un nombre est attendu, pas « Oui » ou « Non ».", code="invalid_number")
    if isinstance(value, int | float | Decimal):
        number, places = _typed_number(value)
        if percent_cell:
            number, places = number * 100, max(0, places - 2)
    elif isinstance(value, str) or value is None:
        text = (value or "").strip()
        if text == "":
            return None
        suffix = UNIT_SUFFIX.get(value_type)
        if suffix and text.lower().endswith(suffix):
            text = text[: -len(suffix)].rstrip(_SPACES)
        number, places = _parse_number_text(text)
    else:
        raise ValidationError(
            "« %(text)s » n'est pas un nombre.", code="invalid_number", params={"text": str(value)[:40]}
        )
    return _checked(value_type, number, places)


def _checked(value_type: str, number: Decimal, places: int) -> Decimal:
    if value_type == ValueType.COUNT:
        if places:
            raise ValidationError("Un nombre entier est attendu (sans décimales).", code="not_whole")
        if number < 0:
            raise ValidationError("Le nombre ne peut pas être négatif.", code="negative")
        return number.quantize(Decimal(1))
    if value_type == ValueType.PERCENTAGE and not (0 <= number <= 100):
        raise ValidationError("Un pourcentage est compris entre 0 et 100.", code="out_of_range")
    if number < 0:
        raise ValidationError("La valeur ne peut pas être négative.", code="negative")
    max_places = DECIMAL_PLACES.get(value_type, DEFAULT_DECIMAL_PLACES)
    if places > max_places:
        raise ValidationError(
            "%(max)s décimales au plus.", code="too_many_decimals", params={"max": max_places}
        )
    return number.quantize(Decimal(1).scaleb(-max_places))


def parse_decimal(value) -> Decimal | None:
    """A plain decimal (targets, baselines in the plan workbook): same grammar, no range rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError("Un nombre est attendu.", code="invalid_number")
    if isinstance(value, int | float | Decimal):
        return _typed_number(value)[0]
    return _parse_number_text(str(value))[0]


# --- a value of any type ------------------------------------------------------------------------


def parse_value(value_type: str, value, *, percent_cell: bool = False) -> Decimal | bool | str | None:
    """The typed value of an input (text) or a spreadsheet cell for an indicator of `value_type`.

    None when left empty; ValidationError with a French message when it cannot be read.
    """
    if value_type == ValueType.TEXT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
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
        return parse_yes_no(value)
    return parse_number(value_type, value, percent_cell=percent_cell)


def same_value(a, b) -> bool:
    """Whether two stored values are the same: True == Decimal(1) in Python, but "Oui" is not 1."""
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return type(a) is type(b) and a == b


# --- display -----------------------------------------------------------------------------------


def format_number(value, decimal_places: int | None = None) -> str:
    """French grouping and decimal comma; by default as many decimals as the value has (4 at most)."""
    value = Decimal(value)
    if decimal_places is None:
        exponent = value.normalize().as_tuple().exponent
        decimal_places = min(4, max(0, -exponent)) if isinstance(exponent, int) else 0
    return number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def format_value(indicator, raw) -> str:
    """French rendering of a raw value of `indicator`; a missing value reads "non renseigné", never 0."""
    if raw is None or raw == "":
        return MISSING
    value_type = indicator.value_type
    if value_type == ValueType.BOOLEAN:
        return format_yes_no(bool(raw))
    if value_type == ValueType.TEXT:
        return str(raw)
    text = format_number(raw)
    if value_type == ValueType.AMOUNT and Decimal(raw) != Decimal(raw).to_integral_value():
        text = format_number(raw, 2)
    if value_type in UNIT_SUFFIX:
        return f"{text} {UNIT_SUFFIX[value_type]}"
    if indicator.unit and value_type == ValueType.COUNT:
        return f"{text} {indicator.unit}"
    return text


def format_target(indicator) -> str:
    """An indicator's target as the plan states it: "70 % en 2026", "en 2023", or ""."""
    if indicator.target_value is not None:
        text = format_value(indicator, indicator.target_value)
        return f"{text} en {indicator.target_year}" if indicator.target_year else text
    if indicator.target_year:
        return f"en {indicator.target_year}"
    return ""


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


def error_text(error: ValidationError) -> str:
    """The French sentence(s) of a ValidationError, for lists of errors (imports)."""
    return " ".join(error.messages)
