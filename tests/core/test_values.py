"""core.values, the one place that reads and shows a value: what a pilot types (or a spreadsheet
holds) becomes a typed value or a French message, never a crash nor a guess; a stored value reads the
same on every page, in the PDF and in the exports."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.enums import ValueType
from core import values
from core.values import parse_decimal, parse_value, parse_yes_no, value_to_input


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234,5", Decimal("1234.5")),  # no-break space, as Excel/LibreOffice copy it
        ("1\u202f234,5", Decimal("1234.5")),  # narrow no-break space, as Django formats French numbers
        ("1234.5", Decimal("1234.5")),
        ("  42 ", Decimal("42")),
        ("0,05", Decimal("0.05")),
        ("12 345 678", Decimal("12345678")),
        # Dots between thousands with a decimal comma, as some spreadsheets show French numbers: accepted
        # everywhere since values are read in one place (the entry form used to refuse it).
        ("1.234,5", Decimal("1234.5")),
        ("1.234.567,89", Decimal("1234567.89")),
    ],
)
def test_french_numbers_are_read(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    "text",
    # "1,234.5": commas between thousands and a decimal point is the English way; 1,234 or 1 234.5?
    # It is refused rather than guessed.
    ["abc", "1,2,3", "1,234.5", "1,803.60", "12 34", "1e5", "--1", "١٢", "½", "1 234 5,6", "1.23,5"],
)
def test_garbage_is_refused_in_french(text):
    with pytest.raises(ValidationError, match="n'est pas un nombre") as error:
        parse_decimal(text)
    assert "n'est pas un nombre" in error.value.messages[0]


def test_an_empty_input_is_no_value():
    assert parse_decimal("") is None and parse_decimal("  ") is None and parse_decimal(None) is None


@pytest.mark.parametrize("word", ["oui", "Oui", "OUI", "o", "vrai", "true", "1", " oui ", True, 1])
def test_yes_words(word):
    assert parse_yes_no(word) is True
    assert parse_value(ValueType.BOOLEAN, word) is True


@pytest.mark.parametrize("word", ["non", "Non", "n", "faux", "false", "0", False, 0])
def test_no_words(word):
    assert parse_yes_no(word) is False
    assert parse_value(ValueType.BOOLEAN, word) is False


@pytest.mark.parametrize("word", ["peut-être", "yes", "no", "2", "oui non"])
def test_other_answers_are_refused_in_french(word):
    with pytest.raises(ValidationError, match="choisissez « Oui » ou « Non »") as error:
        parse_yes_no(word)
    assert "choisissez « Oui » ou « Non »" in error.value.messages[0]


@pytest.mark.parametrize(
    "value_type, text, message",
    [
        (ValueType.PERCENTAGE, "100,5", "entre 0 et 100"),
        (ValueType.PERCENTAGE, "-1", "entre 0 et 100"),
        (ValueType.COUNT, "2,5", "entier"),
        (ValueType.COUNT, "-3", "négatif"),
        (ValueType.AMOUNT, "10,555", "2 décimales au plus"),
        (ValueType.AMOUNT, "-10", "négative"),
        (ValueType.BOOLEAN, "peut-être", "Oui"),
        (ValueType.HOURS, "9" * 13, "trop grand"),
    ],
)
def test_rules_of_each_value_type(value_type, text, message):
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        parse_value(value_type, text)
    assert message in error.value.messages[0]


def test_valid_values_of_each_type():
    assert parse_value(ValueType.PERCENTAGE, "12,5 %") == Decimal("12.5")
    assert parse_value(ValueType.AMOUNT, "1 234,50 €") == Decimal("1234.50")
    assert parse_value(ValueType.COUNT, "1 200") == Decimal(1200)
    assert parse_value(ValueType.BOOLEAN, "oui") is True
    assert parse_value(ValueType.BOOLEAN, "non") is False
    assert parse_value(ValueType.TEXT, "  Marché réservé  ") == "Marché réservé"
    for value_type in ValueType.values:
        assert parse_value(value_type, "   ") is None


@pytest.mark.parametrize(
    "value_type, raw, shown",
    [(ValueType.RATIO, Decimal("1234.5000"), "1234,5"), (ValueType.COUNT, Decimal("12"), "12")],
)
def test_stored_values_come_back_in_the_input_the_french_way(value_type, raw, shown):
    assert value_to_input(value_type, raw) == shown
    assert parse_value(value_type, shown) == raw


@settings(max_examples=200, deadline=None)
@given(value_type=st.sampled_from(ValueType.values), text=st.text(max_size=40))
def test_any_text_gives_a_value_or_a_french_message(value_type, text):
    try:
        value = parse_value(value_type, text)
    except ValidationError as error:
        # French sentences: "Un pourcentage…", "« x » n'est pas…", "2 décimales au plus."
        assert error.messages and all(m[:1].isupper() or m[:1] in "«0123456789" for m in error.messages)
        return
    if value is None or value_type in (ValueType.TEXT, ValueType.BOOLEAN):
        return
    assert value >= 0
    assert value.as_tuple().exponent >= -4 and abs(value) < Decimal(10) ** 12
    if value_type == ValueType.PERCENTAGE:
        assert value <= 100
    if value_type == ValueType.COUNT:
        assert value == value.to_integral_value()


@settings(max_examples=200, deadline=None)
@given(number=st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False, allow_infinity=False))
def test_any_amount_round_trips_through_the_french_input(number):
    grouped = f"{number:,.2f}".replace(",", "\u202f").replace(".", ",")
    assert parse_value(ValueType.AMOUNT, grouped) == number
    assert parse_value(ValueType.AMOUNT, value_to_input(ValueType.AMOUNT, number)) == number


# --- display ----------------------------------------------------------------------------------------


class _Indicator:
    """What format_value reads of an indicator."""

    def __init__(self, value_type, unit="", target_value=None, target_year=None):
        self.value_type, self.unit = value_type, unit
        self.target_value, self.target_year = target_value, target_year


@pytest.mark.parametrize(
    "value_type, unit, raw, shown",
    [
        (ValueType.HOURS, "", Decimal("1234.5"), "1\u00a0234,5 h"),
        (ValueType.PERCENTAGE, "", Decimal("45.5"), "45,5 %"),
        (ValueType.AMOUNT, "", Decimal("1803.6"), "1\u00a0803,60 €"),
        (ValueType.AMOUNT, "", Decimal("2000.00"), "2\u00a0000 €"),
        (ValueType.COUNT, "marchés", Decimal(4), "4 marchés"),
        (ValueType.COUNT, "", Decimal(0), "0"),  # a real zero is a zero
        (ValueType.BOOLEAN, "", False, "Non"),
        (ValueType.TEXT, "", "Marché réservé", "Marché réservé"),
        (ValueType.COUNT, "", None, "non renseigné"),  # a missing value is never shown as 0
        (ValueType.BOOLEAN, "", None, "non renseigné"),
    ],
)
def test_values_read_the_french_way(value_type, unit, raw, shown):
    assert values.format_value(_Indicator(value_type, unit), raw) == shown


def test_targets_read_as_the_plan_states_them():
    assert values.format_target(_Indicator(ValueType.PERCENTAGE, "", Decimal(70), 2026)) == "70 % en 2026"
    assert values.format_target(_Indicator(ValueType.BOOLEAN, "", None, 2023)) == "en 2023"
    assert values.format_target(_Indicator(ValueType.COUNT)) == ""
