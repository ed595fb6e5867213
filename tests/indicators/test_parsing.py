"""What a pilot types becomes a typed value, or a French message: never a crash, never a guess."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.enums import ValueType
from indicators.parsing import parse_french_number, parse_value, value_to_input


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
    ],
)
def test_french_numbers_are_read(text, expected):
    assert parse_french_number(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "1,2,3", "1.234,5", "12 34", "1e5", "--1", "", "١٢", "½", "1 234 5,6"]
)
def test_garbage_is_refused_in_french(text):
    with pytest.raises(ValidationError) as error:
        parse_french_number(text)
    assert "n'est pas un nombre" in error.value.messages[0]


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
    with pytest.raises(ValidationError) as error:
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
        assert error.messages and all(m and m[0].isupper() or m.startswith("«") for m in error.messages)
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
