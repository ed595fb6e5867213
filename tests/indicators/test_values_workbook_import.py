"""The values workbook read back (indicators.values_workbook.values_import): export, edit in Excel,
import. All or nothing, with history naming the importer; a bad file or cell is refused in French."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from core import rights
from indicators import values_workbook as imports
from indicators.models import IndicatorValue
from indicators.rules import locked_message
from tests.factories import user_in_role
from tests.indicators.conftest import validated_year
from tests.workbooks import BAD_FILES, Sheet, with_formula

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything an import could write: the values and their history."""
    values = sorted(
        IndicatorValue.objects.values_list(
            "indicator_id", "year", "value_number", "value_bool", "value_text", "version", "updated_by_id"
        )
    )
    return values, IndicatorValue.history.count()


@pytest.fixture
def exported(spaser54, stored_values) -> bytes:
    return imports.values_workbook(spaser54)


def test_export_then_import_unchanged_changes_nothing(spaser54, scp_user, stored_values, exported):
    before = snapshot()
    preview = imports.values_import(file=exported, user=scp_user, dry_run=True)
    assert preview.messages == []
    assert preview.to_write == []
    assert len(preview.unchanged) == len(stored_values)

    result = imports.values_import(file=exported, user=scp_user, dry_run=False)

    assert result.messages == [] and result.to_write == []
    assert snapshot() == before


def test_edit_three_values_changes_exactly_those_three_with_history(
    spaser54, scp_user, stored_values, exported
):
    # An SCP member other than the author of the stored values: importing is SCP's (core.rights).
    importer = user_in_role(rights.SCP_GROUP, username="scp.import")
    count_ind = stored_values[ValueType.COUNT].indicator
    pct_ind = stored_values[ValueType.PERCENTAGE].indicator
    bool_ind = stored_values[ValueType.BOOLEAN].indicator
    sheet = Sheet(exported)
    sheet.set(count_ind.code, "2022", 15)  # changed
    sheet.set(pct_ind.code, "2023", "12,5")  # new, typed the French way
    sheet.set(bool_ind.code, "2022", "Non")  # changed
    edited = sheet.save()
    before_values, before_history = snapshot()

    preview = imports.values_import(file=edited, user=importer, dry_run=True)
    assert preview.messages == []
    assert {(c.indicator.code, c.year, c.status) for c in preview.to_write} == {
        (count_ind.code, 2022, imports.CHANGED),
        (pct_ind.code, 2023, imports.NEW),
        (bool_ind.code, 2022, imports.CHANGED),
    }
    assert snapshot() == (before_values, before_history)  # a preview writes nothing

    result = imports.values_import(file=edited, user=importer, dry_run=False)

    assert result.written and result.messages == []
    assert IndicatorValue.history.count() == before_history + 3
    for record in IndicatorValue.history.order_by("-history_id")[:3]:
        assert record.history_user == importer
    count_value = IndicatorValue.objects.get(indicator=count_ind, year=2022)
    assert count_value.value_number == 15 and count_value.version == 2 and count_value.updated_by == importer
    assert IndicatorValue.objects.get(indicator=pct_ind, year=2023).value_number == Decimal("12.5")
    assert IndicatorValue.objects.get(indicator=bool_ind, year=2022).value_bool is False
    # Everything else is exactly as it was.
    untouched = [
        v
        for v in snapshot()[0]
        if (v[0], v[1]) not in {(count_ind.pk, 2022), (pct_ind.pk, 2023), (bool_ind.pk, 2022)}
    ]
    assert untouched == [
        v for v in before_values if (v[0], v[1]) not in {(count_ind.pk, 2022), (bool_ind.pk, 2022)}
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 803,60", Decimal("1803.60")),
        ("1\u202f803,6", Decimal("1803.60")),
        (1803.6, Decimal("1803.60")),
        ("2 000", Decimal("2000")),
        ("1.803,60", Decimal("1803.60")),
    ],
)
def test_french_numbers_are_read_right(spaser54, scp_user, stored_values, exported, typed, expected):
    amount = stored_values[ValueType.AMOUNT].indicator
    sheet = Sheet(exported)
    sheet.set(amount.code, "2024", typed)

    result = imports.values_import(file=sheet.save(), user=scp_user, dry_run=False)

    assert result.messages == []
    assert IndicatorValue.objects.get(indicator=amount, year=2024).value_number == expected


def test_a_percentage_formatted_cell_is_read_as_excel_shows_it(spaser54, scp_user, stored_values, exported):
    pct = stored_values[ValueType.PERCENTAGE].indicator
    sheet = Sheet(exported)
    sheet.set(pct.code, "2024", 0.37)
    sheet.cell(pct.code, "2024").number_format = "0%"

    imports.values_import(file=sheet.save(), user=scp_user, dry_run=False)

    assert IndicatorValue.objects.get(indicator=pct, year=2024).value_number == Decimal("37")


def test_neutralised_text_comes_back_as_it_was_stored(spaser54, scp_user, stored_values, exported):
    text_value = stored_values[ValueType.TEXT]
    assert Sheet(exported).cell(text_value.indicator.code, "2022").value.startswith("'=")

    result = imports.values_import(file=exported, user=scp_user, dry_run=True)

    assert [c.status for c in result.changes if c.indicator == text_value.indicator] == [imports.UNCHANGED]


def _row_error(edit, spaser54, scp_user, exported):
    """Apply `edit(sheet)` (returns the sheet row and header expected in the message), import, check."""
    sheet = Sheet(exported)
    row, column = edit(sheet)
    edited = sheet.save()
    before = snapshot()
    preview = imports.values_import(file=edited, user=scp_user, dry_run=True)
    result = imports.values_import(file=edited, user=scp_user, dry_run=False)
    assert not result.written
    assert snapshot() == before, "an invalid row must leave the database untouched"
    assert len(result.errors) == 1, result.messages
    assert result.errors[0].row == row and result.errors[0].column == column
    assert result.messages[0].startswith(f"Ligne {row}, colonne « {column} » : ")
    assert preview.messages == result.messages
    return result.messages[0]


def _with_valid_change(sheet, stored_values):
    """Every bad-row case also carries one valid change, which must not be written either."""
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)


def test_unknown_fiche(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        row = sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "N° fiche", 99)
        sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "Code fiche", None)
        return row, "N° fiche"

    assert "la fiche n° 99 n'existe pas" in _row_error(edit, spaser54, scp_user, exported)


def test_unknown_indicator(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        return sheet.set(
            stored_values[ValueType.AMOUNT].indicator.code, "Code indicateur", "13-Z9"
        ), "Code indicateur"

    assert "l'indicateur « 13-Z9 » n'existe pas" in _row_error(edit, spaser54, scp_user, exported)


@pytest.mark.parametrize(
    ("value_type", "typed", "message"),
    [
        (ValueType.COUNT, "douze", "n'est pas un nombre"),
        (ValueType.COUNT, 2.5, "nombre entier"),
        (ValueType.COUNT, -1, "ne peut pas être négatif"),
        (ValueType.PERCENTAGE, 120, "Un pourcentage est compris entre 0 et 100."),
        (ValueType.AMOUNT, "10,005", "2 décimales au plus."),
        (ValueType.BOOLEAN, "Peut-être", "« Oui » ou « Non »"),
    ],
)
def test_wrong_type_or_out_of_range(spaser54, scp_user, stored_values, exported, value_type, typed, message):
    def edit(sheet):
        if value_type != ValueType.COUNT:
            _with_valid_change(sheet, stored_values)
        return sheet.set(stored_values[value_type].indicator.code, "2023", typed), "2023"

    assert message in _row_error(edit, spaser54, scp_user, exported)


def test_duplicate_row(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        source = sheet.row_of(stored_values[ValueType.AMOUNT].indicator.code)
        target = sheet.sheet.max_row + 1
        for column in range(1, len(sheet.headers) + 1):
            sheet.sheet.cell(target, column).value = sheet.sheet.cell(source, column).value
        return target, "Code indicateur"

    assert "figure déjà à la ligne" in _row_error(edit, spaser54, scp_user, exported)


def test_year_outside_the_plan(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        column = len(sheet.headers) + 1
        sheet.sheet.cell(1, column).value = "2027"
        sheet.sheet.cell(2, column).value = 4
        return 1, "2027"

    assert "hors du plan (2021-2026)" in _row_error(edit, spaser54, scp_user, exported)


def test_emptied_cell_is_refused_not_silently_deleted(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        return sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "2022", None), "2022"

    assert "SUPPRIMER" in _row_error(edit, spaser54, scp_user, exported)


def test_validated_fiche_year_is_refused(spaser54, scp_user, stored_values, exported):
    amount = stored_values[ValueType.AMOUNT].indicator
    validated_year(amount.fiche, 2022, scp_user)

    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        return sheet.set(amount.code, "2022", 10), "2022"

    message = _row_error(edit, spaser54, scp_user, exported)
    # The sentence of every refusal of a validated year (entry page, admin, import).
    assert message.endswith(f" : {locked_message(amount.fiche, 2022)}")
    assert f"Le bilan 2022 de la fiche {amount.fiche.number} est validé" in message


def test_unchanged_values_of_a_validated_year_pass(spaser54, scp_user, stored_values, exported):
    validated_year(stored_values[ValueType.AMOUNT].indicator.fiche, 2022, scp_user)

    result = imports.values_import(file=exported, user=scp_user, dry_run=False)

    assert result.messages == []


def test_delete_marker_deletes_with_history(spaser54, scp_user, stored_values, exported):
    amount = stored_values[ValueType.AMOUNT]
    sheet = Sheet(exported)
    sheet.set(amount.indicator.code, "2022", "supprimer")

    result = imports.values_import(file=sheet.save(), user=scp_user, dry_run=False)

    assert [c.status for c in result.to_write] == [imports.DELETED]
    assert not IndicatorValue.objects.filter(pk=amount.pk).exists()
    record = IndicatorValue.history.filter(id=amount.pk).first()
    assert record.history_type == "-" and record.history_user == scp_user


def test_confirm_revalidates_data_changed_since_the_preview(spaser54, scp_user, stored_values, exported):
    """The year was validated between preview and confirm: the confirm writes nothing at all."""
    amount = stored_values[ValueType.AMOUNT].indicator
    sheet = Sheet(exported)
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)
    sheet.set(amount.code, "2022", 10)
    edited = sheet.save()
    assert imports.values_import(file=edited, user=scp_user, dry_run=True).messages == []
    validated_year(amount.fiche, 2022, scp_user)
    before = snapshot()

    result = imports.values_import(file=edited, user=scp_user, dry_run=False)

    assert not result.written and locked_message(amount.fiche, 2022) in result.messages[0]
    assert snapshot() == before


def test_a_database_error_midway_rolls_everything_back(
    spaser54, scp_user, stored_values, exported, monkeypatch
):
    """If the second write fails (here: the database refuses it), the first is undone too."""
    sheet = Sheet(exported)
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)
    sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "2022", 5)
    edited = sheet.save()
    before = snapshot()
    # A real constraint violation: the second value written is emptied just before its save.
    original = imports._apply

    def apply_with_broken_second(result, *, plan, user):
        result.to_write[1].raw = ""
        original(result, plan=plan, user=user)

    monkeypatch.setattr(imports, "_apply", apply_with_broken_second)

    result = imports.values_import(file=edited, user=scp_user, dry_run=False)

    assert not result.written and "rien n'a été enregistré" in result.file_error
    assert snapshot() == before


def _workbook_with_rows(plan, n_rows: int) -> bytes:
    """An export limited to its first n indicator rows, each with a new value for 2025."""
    sheet = Sheet(imports.values_workbook(plan))
    ws = sheet.sheet
    ws.delete_rows(n_rows + 2, ws.max_row)
    column = sheet.headers.index("2025") + 1
    for row in range(2, n_rows + 2):
        value_type = Indicator.objects.get(fiche__plan=plan, code=ws.cell(row, 3).value).value_type
        ws.cell(row, column).value = {"boolean": "Oui", "text": "texte"}.get(value_type, 3)
    return sheet.save()


def test_queries_do_not_grow_with_the_file(spaser54, scp_user, django_assert_max_num_queries):
    """Lookups are per file, not per row: a preview of 80 rows costs no more queries than one of 10;
    a confirm costs that plus one save and one history insert per written value."""
    small, large = _workbook_with_rows(spaser54, 10), _workbook_with_rows(spaser54, 80)
    with CaptureQueriesContext(connection) as ctx:
        assert imports.values_import(file=small, user=scp_user, dry_run=True).messages == []
    per_file = len(ctx.captured_queries)
    assert per_file <= 6

    # Reason: indicators, fiches, stored values and validated reviews are loaded once per file.
    with django_assert_max_num_queries(per_file):
        assert imports.values_import(file=large, user=scp_user, dry_run=True).messages == []

    # Reason: the same lookups, a savepoint, then INSERT value + INSERT history for each of the 80 values;
    # the writes go through the values service for all fiche-years at once, whose own reads (the rule:
    # reviews and validated years; the indicators, the stored values, the versions to continue) cost
    # a fixed number, whatever the number of fiche-years and values.
    with django_assert_max_num_queries(per_file + 4 + 4 + 2 * 80):
        result = imports.values_import(file=large, user=scp_user, dry_run=False)
    assert len(result.new) == 80


def test_values_import_accepts_a_path_and_an_open_file(spaser54, scp_user, stored_values, exported, tmp_path):
    path = tmp_path / "valeurs.xlsx"
    path.write_bytes(exported)
    assert imports.values_import(file=path, user=scp_user, dry_run=True).messages == []
    with path.open("rb") as handle:
        assert imports.values_import(file=handle, user=scp_user, dry_run=True).messages == []


def test_code_fiche_must_match_the_number(spaser54, scp_user, stored_values, exported):
    def edit(sheet):
        _with_valid_change(sheet, stored_values)
        return sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "Code fiche", "F01"), "Code fiche"

    assert "ne correspond pas" in _row_error(edit, spaser54, scp_user, exported)


# --- bad files --------------------------------------------------------------------------------------


def nothing_written():
    return IndicatorValue.objects.count(), IndicatorValue.history.count(), Fiche.history.count()


@pytest.fixture
def good_file(spaser54, stored_values) -> bytes:
    """A valid export with one change, so a bad variant that slipped through would write something."""
    sheet = Sheet(imports.values_workbook(spaser54))
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)
    return sheet.save()


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_refused_in_french_and_writes_nothing(kind, scp_user, good_file):
    make, expected = BAD_FILES[kind]
    bad = make(good_file)
    before = nothing_written()

    for dry_run in (True, False):
        result = imports.values_import(file=bad, user=scp_user, dry_run=dry_run)
        assert result.has_errors and not result.written
        assert expected in result.file_error

    assert nothing_written() == before


def test_a_formula_with_a_cached_value_is_imported(spaser54, scp_user, stored_values):
    """A workbook saved by Excel carries each formula's result: that result is what is imported."""
    sheet = Sheet(imports.values_workbook(spaser54))
    code = stored_values[ValueType.COUNT].indicator.code
    cell = sheet.cell(code, "2024").coordinate
    data = with_formula(sheet.save(), "Valeurs", cell, "=6*2", cached=12)

    result = imports.values_import(file=data, user=scp_user, dry_run=False)

    assert result.messages == []
    stored = IndicatorValue.objects.get(indicator__code=code, indicator__fiche__plan=spaser54, year=2024)
    assert stored.value_number == 12
