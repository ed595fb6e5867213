"""One table of what people type, read the same way by the pilot's entry page and the Excel import.

Each row is typed by a pilot into the entry page of a fiche's year (a real POST of the page's form)
and, by SCP, into the 2025 cell of the values workbook exported for the plan (as text, as a user types
it in a spreadsheet), then imported. Both accept or both refuse; accepted, both store the same value;
refused, both say the same French sentence and write nothing. The indicators are real ones of
SPASER 54, one per value type.
"""

import html
import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from core import rights
from indicators.models import IndicatorValue
from indicators.values_workbook import H_INDICATOR, SHEET, values_import, values_workbook
from tests.factories import CampaignFactory, user_in_role
from tests.utils import form_data

pytestmark = pytest.mark.django_db

YEAR = 2025
# A real indicator of SPASER 54 per value type (fiches 11, 13 and 14 share a pilot post; 2 has another).
INDICATORS = {
    ValueType.COUNT: "11-R1",  # Nombre de réunions
    ValueType.RATIO: "11-R3",  # marchés analysés conjointement / marchés
    ValueType.HOURS: "11-I1",  # heures d'insertion
    ValueType.AMOUNT: "13-E2",  # CA généré (€)
    ValueType.BOOLEAN: "14-R1",  # Lancement de la consultation
    ValueType.PERCENTAGE: "2-E1",  # Taux d'utilisation (%)
}
TYPES = (
    ValueType.COUNT,
    ValueType.PERCENTAGE,
    ValueType.AMOUNT,
    ValueType.RATIO,
    ValueType.HOURS,
    ValueType.BOOLEAN,
)
NO = None  # refused

# typed text         count   percentage  amount     ratio       hours       boolean
TABLE = [
    ("12",              (12,    "12",       "12",      "12",       "12",       NO)),
    ("1 234",           (1234,  NO,         "1234",    "1234",     "1234",     NO)),
    ("1\u00a0234",      (1234,  NO,         "1234",    "1234",     "1234",     NO)),  # no-break space
    ("1\u202f234",      (1234,  NO,         "1234",    "1234",     "1234",     NO)),  # narrow no-break space
    ("1.234,5",         (NO,    NO,         "1234.5",  "1234.5",   "1234.5",   NO)),
    ("1234.5",          (NO,    NO,         "1234.5",  "1234.5",   "1234.5",   NO)),
    ("1.234",           (NO,    NO,         NO,        NO,         NO,         NO)),  # thousands or decimals?
    ("0.125",           (NO,    "0.125",    NO,        "0.125",    "0.125",    NO)),
    ("12,5",            (NO,    "12.5",     "12.5",    "12.5",     "12.5",     NO)),
    ("12,5 %",          (NO,    "12.5",     NO,        NO,         NO,         NO)),
    ("12,5%",           (NO,    "12.5",     NO,        NO,         NO,         NO)),
    ("1 234,50 €",      (NO,    NO,         "1234.5",  NO,         NO,         NO)),
    ("12 h",            (NO,    NO,         NO,        NO,         "12",       NO)),
    ("100",             (100,   "100",      "100",     "100",      "100",      NO)),
    ("100,01",          (NO,    NO,         "100.01",  "100.01",   "100.01",   NO)),
    ("-3",              (NO,    NO,         NO,        NO,         NO,         NO)),
    ("1,2,3",           (NO,    NO,         NO,        NO,         NO,         NO)),
    ("abc",             (NO,    NO,         NO,        NO,         NO,         NO)),
    ("0,1234",          (NO,    "0.1234",   NO,        "0.1234",   "0.1234",   NO)),
    ("0,123456",        (NO,    NO,         NO,        NO,         NO,         NO)),
    ("1 234 567 890 123", (NO,  NO,         NO,        NO,         NO,         NO)),  # 13 digits
    ("oui",             (NO,    NO,         NO,        NO,         NO,         True)),
    ("Oui",             (NO,    NO,         NO,        NO,         NO,         True)),
    ("OUI",             (NO,    NO,         NO,        NO,         NO,         True)),
    ("o",               (NO,    NO,         NO,        NO,         NO,         True)),
    ("vrai",            (NO,    NO,         NO,        NO,         NO,         True)),
    ("1",               (1,     "1",        "1",       "1",        "1",        True)),
    ("non",             (NO,    NO,         NO,        NO,         NO,         False)),
    ("Non",             (NO,    NO,         NO,        NO,         NO,         False)),
    ("faux",            (NO,    NO,         NO,        NO,         NO,         False)),
    ("0",               (0,     "0",        "0",       "0",        "0",        False)),
    ("peut-être",       (NO,    NO,         NO,        NO,         NO,         NO)),
]  # fmt: skip

SPACE_NAMES = {"\u00a0": "<NBSP>", "\u202f": "<NNBSP>"}


def case_id(value_type: str, typed: str) -> str:
    shown = "".join(SPACE_NAMES.get(char, char) for char in typed)
    return f"{value_type}:{shown}"


CASES = [
    pytest.param(value_type, typed, expected, id=case_id(value_type, typed))
    for typed, row in TABLE
    for value_type, expected in zip(TYPES, row, strict=True)
]


def as_stored(expected):
    """What the table's expectation reads as once stored: a bool, a Decimal, or None (refused)."""
    if expected is None or isinstance(expected, bool):
        return expected
    return Decimal(str(expected))


@pytest.fixture
def pilot(spaser54):
    """A pilot of fiches 11-15 (one post) and of fiche 2 (another post): one indicator of each type."""
    user = user_in_role(rights.PILOTS_GROUP, pilot_of=Fiche.objects.get(plan=spaser54, number=11))
    Fiche.objects.get(plan=spaser54, number=2).ordered_pilots()[0].users.add(user)
    CampaignFactory(plan=spaser54, year=YEAR)
    return user


def indicator_of(plan, value_type: str) -> Indicator:
    indicator = Indicator.objects.of_plan(plan).select_related("fiche__plan").get(code=INDICATORS[value_type])
    assert indicator.value_type == value_type
    return indicator


def stored(indicator: Indicator):
    value = IndicatorValue.objects.filter(indicator=indicator, year=YEAR).first()
    return None if value is None else value.raw


def enter(pilot, indicator: Indicator, typed) -> tuple[object, str | None]:
    """The pilot types `typed` into the indicator's field of the entry page and saves: (stored, error)."""
    client = Client()
    client.force_login(pilot)
    url = reverse("indicators:entry", args=[indicator.fiche.plan.slug, indicator.fiche.number, YEAR])
    data = form_data(client.get(url).content.decode(), "saisie")
    data |= {f"value_{indicator.pk}": typed, "action": "save"}
    response = client.post(url, data)
    if response.status_code == 302:
        return stored(indicator), None
    assert response.status_code == 200
    error = re.search(
        rf'<span class="field-error" id="id_value_{indicator.pk}_error">(.*?)</span>',
        response.content.decode(),
    )
    assert error, "refused without a message beside the field"
    assert stored(indicator) is None
    return None, html.unescape(error[1])


def workbook_with(plan, code: str, value, number_format: str | None = None) -> bytes:
    """The plan's values workbook as exported, with the indicator's 2025 cell set to `value`."""
    book = load_workbook(BytesIO(values_workbook(plan)))
    sheet = book[SHEET]
    headers = [cell.value for cell in sheet[1]]
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet.cell(r, headers.index(H_INDICATOR) + 1).value == code
    )
    cell = sheet.cell(row, headers.index(str(YEAR)) + 1)
    cell.value = value
    if number_format:
        cell.number_format = number_format
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def import_cell(indicator: Indicator, value, number_format: str | None = None) -> tuple[object, str | None]:
    """SCP imports the workbook with the indicator's 2025 cell set to `value`: (stored, error)."""
    scp = user_in_role(rights.SCP_GROUP)
    data = workbook_with(indicator.fiche.plan, indicator.code, value, number_format)
    result = values_import(file=data, user=scp, dry_run=False, plan=indicator.fiche.plan)
    if result.written:
        assert [(c.indicator, c.year) for c in result.to_write] == [(indicator, YEAR)]
        return stored(indicator), None
    assert len(result.errors) == 1, result.messages
    assert stored(indicator) is None
    return None, result.errors[0].message


def same(a, b) -> bool:
    return type(a) is type(b) and a == b


@pytest.mark.parametrize(("value_type", "typed", "expected"), CASES)
def test_the_entry_page_and_the_excel_import_read_a_typed_value_the_same_way(
    spaser54, pilot, value_type, typed, expected
):
    indicator = indicator_of(spaser54, value_type)

    entered, entry_error = enter(pilot, indicator, typed)
    IndicatorValue.objects.filter(indicator=indicator, year=YEAR).delete()
    imported, import_error = import_cell(indicator, typed)

    assert same(entered, as_stored(expected)), (entered, entry_error)
    assert same(imported, as_stored(expected)), (imported, import_error)
    assert entry_error == import_error  # the same French sentence, or both None


# A cell a spreadsheet stores typed (number, boolean, percentage) and the text a pilot types for the
# same figure on the entry page: both store the same value, or are both refused.
TYPED_CELLS = [
    (ValueType.COUNT, 1234, None, "1 234", Decimal(1234)),
    (ValueType.COUNT, 12.0, None, "12", Decimal(12)),
    (ValueType.COUNT, 12.5, None, "12,5", None),
    (ValueType.COUNT, True, None, "oui", None),
    (ValueType.AMOUNT, 1234.5, None, "1234,5", Decimal("1234.50")),
    (ValueType.RATIO, 0.1 + 0.2, None, "0,3", Decimal("0.3")),  # the float's binary noise is rounded off
    (ValueType.PERCENTAGE, 0.125, "0.0%", "12,5 %", Decimal("12.5")),  # shown "12,5 %" by the spreadsheet
    (ValueType.PERCENTAGE, 45, None, "45", Decimal(45)),
    (ValueType.PERCENTAGE, 150, None, "150", None),
    (ValueType.BOOLEAN, True, None, "oui", True),
    (ValueType.BOOLEAN, False, None, "non", False),
    (ValueType.BOOLEAN, 1, None, "1", True),
    (ValueType.BOOLEAN, 0, None, "0", False),
    (ValueType.BOOLEAN, 2, None, "2", None),
]


@pytest.mark.parametrize(
    ("value_type", "cell", "number_format", "typed", "expected"),
    [pytest.param(*case, id=f"{case[0]}:{case[1]!r}{case[2] or ''}") for case in TYPED_CELLS],
)
def test_a_typed_excel_cell_is_read_as_the_same_figure_typed_on_the_entry_page(
    spaser54, pilot, value_type, cell, number_format, typed, expected
):
    indicator = indicator_of(spaser54, value_type)

    imported, import_error = import_cell(indicator, cell, number_format)
    IndicatorValue.objects.filter(indicator=indicator, year=YEAR).delete()
    entered, entry_error = enter(pilot, indicator, typed)

    assert same(imported, expected), (imported, import_error)
    assert same(entered, expected), (entered, entry_error)
    assert (import_error is None) == (entry_error is None)
