"""Import of yearly indicator values from the "Valeurs" sheet (the layout `values_workbook` exports).

One row per indicator, one column per year of the plan. Each non-empty (indicator, year) cell is
compared with the stored value: new, changed or unchanged. The whole file is validated before
anything is written; one invalid cell and nothing at all is written (all or nothing).

Emptied cells: an empty cell where a value is stored is refused (deleting data because a cell was
cleared by mistake would be silent data loss). To delete a stored value on purpose, write
`SUPPRIMER` in its cell: the value is deleted through the model (history keeps it, with the user).

Lookups are done once per file (every indicator, stored value and validated review of the plan),
never per row; writes go through `save()`/`delete()` one by one so that each change has its history
record naming the importing user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from openpyxl.utils import get_column_letter

from actions.models import Plan

from . import enums, excel
from .excel import ExcelFileError
from .formatting import format_value
from .models import AnnualReview, Indicator, IndicatorValue

SHEET = "Valeurs"
DELETE_MARKER = "SUPPRIMER"
H_FICHE_CODE = "Code fiche"
H_FICHE = "N° fiche"
H_INDICATOR = "Code indicateur"
H_KIND = "Type"
H_LABEL = "Libellé"
H_UNIT = "Unité"
H_TARGET = "Cible"
FIXED_HEADERS = (H_FICHE_CODE, H_FICHE, H_INDICATOR, H_KIND, H_LABEL, H_UNIT, H_TARGET)
REQUIRED_HEADERS = (H_FICHE, H_INDICATOR)

NEW, CHANGED, UNCHANGED, DELETED = "nouvelle", "modifiée", "inchangée", "supprimée"


def fiche_code(number: int) -> str:
    return f"F{number:02d}"


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # header as written ("2023", "N° fiche") or the column letter
    message: str

    def __str__(self) -> str:
        return f"Ligne {self.row}, colonne « {self.column} » : {self.message}"


@dataclass
class CellChange:
    row: int
    column: str
    indicator: Indicator
    year: int
    status: str
    old: str
    new: str
    raw: object = field(default=None, repr=False, compare=False)
    current: IndicatorValue | None = field(default=None, repr=False, compare=False)


@dataclass
class ValuesImportResult:
    """What an import did (or, on a dry run, would do)."""

    dry_run: bool
    errors: list[CellError] = field(default_factory=list)
    file_error: str = ""
    changes: list[CellChange] = field(default_factory=list)
    written: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_error)

    def of_status(self, status: str) -> list[CellChange]:
        return [c for c in self.changes if c.status == status]

    @property
    def new(self) -> list[CellChange]:
        return self.of_status(NEW)

    @property
    def changed(self) -> list[CellChange]:
        return self.of_status(CHANGED)

    @property
    def unchanged(self) -> list[CellChange]:
        return self.of_status(UNCHANGED)

    @property
    def deleted(self) -> list[CellChange]:
        return self.of_status(DELETED)

    @property
    def to_write(self) -> list[CellChange]:
        return [c for c in self.changes if c.status != UNCHANGED]

    @property
    def messages(self) -> list[str]:
        return [self.file_error] if self.file_error else [str(e) for e in self.errors]


class _Rollback(Exception):
    """Raised inside the transaction to undo everything when confirming meets an error."""


def read_upload(file) -> bytes:
    """The file's bytes, reading at most one byte past the size limit (check_file_bytes words it)."""
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "chunks"):  # an UploadedFile
        size = getattr(file, "size", None) or 0
        if size > excel.MAX_FILE_BYTES:
            raise ExcelFileError(
                f"Le fichier est trop volumineux ({size / 1024 / 1024:.1f} Mo) : "
                f"la limite est de {excel.MAX_FILE_BYTES // 1024 // 1024} Mo."
            )
        file.seek(0)
        return b"".join(file.chunks())
    if hasattr(file, "read"):
        return file.read(excel.MAX_FILE_BYTES + 1)
    with open(file, "rb") as handle:  # a path
        return handle.read(excel.MAX_FILE_BYTES + 1)


def values_import(*, file, user: User, dry_run: bool, plan: Plan | None = None) -> ValuesImportResult:
    """Preview (dry_run) or apply the "Valeurs" sheet of `file` to the plan's yearly values.

    `file`: bytes, a path, a file object or an UploadedFile. Confirming re-validates against the
    data as it is now, inside one transaction: if anything changed since the preview (a fiche-year
    validated meanwhile, a value entered meanwhile), the result reflects it and an error means nothing
    is written.
    """
    plan = plan or Plan.objects.current()
    result = ValuesImportResult(dry_run=dry_run)
    if plan is None:
        result.file_error = "Aucun plan n'est chargé : il n'y a rien à quoi rattacher ces valeurs."
        return result
    try:
        rows = excel.read_sheet(read_upload(file), SHEET)
    except ExcelFileError as exc:
        result.file_error = str(exc)
        return result
    if dry_run:
        _diff_rows(rows, plan=plan, result=result, lock=False)
        return result
    try:
        with transaction.atomic():
            _diff_rows(rows, plan=plan, result=result, lock=True)
            if result.has_errors:
                raise _Rollback
            _apply(result, user=user)
            result.written = True
    except _Rollback:
        result.written = False
    except IntegrityError:
        # A concurrent entry of the same (indicator, year) won the race: the transaction is undone.
        result.written = False
        result.file_error = (
            "Des valeurs ont été saisies par ailleurs pendant l'import : rien n'a été enregistré. "
            "Relancez l'import pour voir l'aperçu à jour."
        )
    return result


def _header_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(excel.unneutralise(value)).strip() if value is not None else ""


def _diff_rows(
    rows: list[list[excel.ReadCell]], *, plan: Plan, result: ValuesImportResult, lock: bool
) -> None:
    """Compare every cell of the sheet with the stored values; record changes and errors in `result`."""
    headers = [_header_text(c.value) for c in rows[0]]
    columns: dict[str, int] = {}
    year_columns: list[tuple[int, int, str]] = []  # (index, year, header)
    for index, header in enumerate(headers):
        if not header:
            continue
        if header in columns or any(h == header for _, _, h in year_columns):
            result.errors.append(CellError(1, header, "cette colonne apparaît deux fois."))
            continue
        if header.isdigit() and len(header) == 4:
            year = int(header)
            if not plan.start_year <= year <= plan.end_year:
                result.errors.append(
                    CellError(
                        1, header, f"l'année {year} est hors du plan ({plan.start_year}-{plan.end_year})."
                    )
                )
            else:
                year_columns.append((index, year, header))
        elif header in FIXED_HEADERS:
            columns[header] = index
        else:
            result.errors.append(CellError(1, header or get_column_letter(index + 1), "colonne inconnue."))
    for required in REQUIRED_HEADERS:
        if required not in columns:
            result.errors.append(CellError(1, required, "colonne obligatoire absente."))
    if not year_columns:
        result.errors.append(
            CellError(1, "années", "aucune colonne d'année (par exemple « 2023 ») n'a été trouvée.")
        )
    if result.errors:
        return

    # Every lookup the rows need, in a fixed number of queries whatever the file's size.
    indicators = {
        (i.fiche.number, i.code): i for i in Indicator.objects.of_plan(plan).select_related("fiche")
    }
    fiche_numbers = {number for number, _ in indicators}
    fiche_numbers |= set(plan.fiches.values_list("number", flat=True))
    values_qs = IndicatorValue.objects.of_plan(plan)
    if lock:
        # Lock only the value rows (not the joined indicators, fiches and plan) until the commit.
        values_qs = values_qs.select_for_update(of=("self",))
    stored = {(v.indicator_id, v.year): v for v in values_qs}
    locked = set(
        AnnualReview.objects.filter(fiche__plan=plan).validated().values_list("fiche__number", "year")
    )

    seen: dict[tuple[int, str], int] = {}
    for row_number, cells in enumerate(rows[1:], start=2):
        values = [c.value for c in cells]
        if all(excel.is_blank(v) for v in values):
            continue

        number = _fiche_number(_cell(cells, columns.get(H_FICHE)).value)
        if number is None:
            result.errors.append(CellError(row_number, H_FICHE, "numéro de fiche manquant ou invalide."))
            continue
        if number not in fiche_numbers:
            result.errors.append(
                CellError(row_number, H_FICHE, f"la fiche n° {number} n'existe pas dans le plan.")
            )
            continue
        code_cell = _header_text(_cell(cells, columns.get(H_FICHE_CODE)).value)
        if code_cell and code_cell != fiche_code(number):
            result.errors.append(
                CellError(
                    row_number,
                    H_FICHE_CODE,
                    f"le code « {code_cell} » ne correspond pas à la fiche n° {number} "
                    f"({fiche_code(number)}).",
                )
            )
            continue
        code = _header_text(_cell(cells, columns.get(H_INDICATOR)).value)
        indicator = indicators.get((number, code))
        if indicator is None:
            result.errors.append(
                CellError(
                    row_number,
                    H_INDICATOR,
                    f"l'indicateur « {code} » n'existe pas dans la fiche n° {number}.",
                )
            )
            continue
        if (number, code) in seen:
            result.errors.append(
                CellError(
                    row_number,
                    H_INDICATOR,
                    f"l'indicateur « {code} » figure déjà à la ligne {seen[number, code]} (ligne en double).",
                )
            )
            continue
        seen[number, code] = row_number

        for index, year, header in year_columns:
            read = _cell(cells, index)
            current = stored.get((indicator.pk, year))
            if excel.is_blank(read.value):
                if current is not None:
                    result.errors.append(
                        CellError(
                            row_number,
                            header,
                            f"la cellule est vide alors que la valeur « {current.display()} » est "
                            "enregistrée. L'import ne supprime pas une valeur effacée par mégarde : "
                            "remettez-la, ou écrivez "
                            f"« {DELETE_MARKER} » pour la supprimer volontairement.",
                        )
                    )
                continue
            is_delete = isinstance(read.value, str) and read.value.strip().upper() == DELETE_MARKER
            if is_delete and current is None:
                continue
            try:
                raw = None if is_delete else _parse_value(indicator, read)
            except ValueError as exc:
                result.errors.append(CellError(row_number, header, str(exc)))
                continue
            old_raw = current.raw if current is not None else None
            if current is not None and _same(old_raw, raw):
                status = UNCHANGED
            elif (number, year) in locked:
                result.errors.append(
                    CellError(
                        row_number,
                        header,
                        f"l'année {year} de la fiche n° {number} est validée : ses valeurs ne peuvent "
                        "plus être modifiées par import.",
                    )
                )
                continue
            else:
                status = DELETED if is_delete else (CHANGED if current is not None else NEW)
            result.changes.append(
                CellChange(
                    row=row_number,
                    column=header,
                    indicator=indicator,
                    year=year,
                    status=status,
                    old=format_value(indicator, old_raw) if current is not None else "",
                    new="" if is_delete else format_value(indicator, raw),
                    raw=raw,
                    current=current,
                )
            )


def _cell(cells: list[excel.ReadCell], index: int | None) -> excel.ReadCell:
    return cells[index] if index is not None and index < len(cells) else excel.ReadCell(None)


def _fiche_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = excel.parse_decimal(value)
    except ValueError:
        return None
    if number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _same(old, new) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new
    return old == new and type(old) is type(new)


_FOUR_PLACES = Decimal("0.0001")


def _parse_value(indicator: Indicator, read: excel.ReadCell):
    """The typed value of a cell for this indicator, or ValueError with a French message."""
    value_type = indicator.value_type
    value = excel.unneutralise(read.value)
    if value_type == enums.ValueType.TEXT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()
    if value_type == enums.ValueType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("oui", "o", "vrai"):
            return True
        if text in ("non", "n", "faux"):
            return False
        raise ValueError(f"« {value} » n'est pas une réponse attendue : écrivez « Oui » ou « Non ».")
    try:
        number = excel.parse_decimal(value)
    except ValueError:
        raise ValueError(f"« {value} » n'est pas un nombre (exemple attendu : 1 803,60).") from None
    if value_type == enums.ValueType.PERCENTAGE and read.is_percent_format:
        number *= 100  # a cell formatted "45 %" in Excel holds 0.45
    if number < 0:
        raise ValueError(f"la valeur {value} est négative : un indicateur de ce type est positif ou nul.")
    if value_type == enums.ValueType.COUNT:
        if number != number.to_integral_value():
            raise ValueError(f"la valeur {value} doit être un nombre entier.")
        return number.quantize(Decimal(1))
    if value_type == enums.ValueType.PERCENTAGE and number > 100:
        raise ValueError(f"la valeur {value} est hors de l'intervalle 0-100 d'un pourcentage.")
    if value_type == enums.ValueType.AMOUNT:
        if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
            raise ValueError(f"le montant {value} a plus de 2 décimales.")
        return number.quantize(Decimal("0.01"))
    if number >= Decimal(10) ** 12:
        raise ValueError(f"la valeur {value} est trop grande.")
    # Ratios, hours and percentages are stored with 4 decimals (Excel's computed 1/3 is rounded).
    return number.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def _apply(result: ValuesImportResult, *, user: User) -> None:
    """Write every new, changed and deleted value through the model, so each has its history record."""
    for change in result.to_write:
        raw, current = change.raw, change.current
        if change.status == DELETED:
            current._history_user = user
            current.delete()
            continue
        value = current or IndicatorValue(indicator=change.indicator, year=change.year, created_by=user)
        value.set_raw(raw)
        value.is_demo = False
        value.updated_by = user
        if current is not None:
            value.version += 1
        value._history_user = user
        value.save()
