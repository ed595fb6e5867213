"""The yearly values workbook: its layout, its writer (`values_workbook`) and its reader (`values_import`).

Sheet "Valeurs": one row per indicator, one column per year of the plan; the import reads it back.
After the years, the read-only columns higher apps plug in (the evidence's counts per year), which
the import skips. Sheet "Avancement": each fiche's progress status per year, for reading (the status
is entered on the entry page, through the yearly workflow); both in `workbook_extras`. A sheet
"Données de démonstration" warns when demo values are present.

On the way in, each non-empty (indicator, year) cell is compared with the stored value: new,
changed or unchanged. The whole file is validated before
anything is written; one invalid cell and nothing at all is written (all or nothing).

Emptied cells: an empty cell where a value is stored is refused (deleting data because a cell was
cleared by mistake would be silent data loss). To delete a stored value on purpose, write
`SUPPRIMER` in its cell: the value is deleted through the model (history keeps it, with the user).

Lookups are done once per file (every indicator, stored value and validated review of the plan),
never per row. Writes go through the values service (`fiche_years_save_values`: the entry page's
rule, rights and conflicts, for every fiche-year of the file at once), so each change has its history
record naming the importing user; a refusal lists its reason on the rows it concerns, and undoes all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from openpyxl.utils import get_column_letter

from actions.models import Fiche, Indicator, Plan
from core import rights, values
from core.excel import files
from core.excel.files import ExcelFileError

from . import rules
from .models import IndicatorValue
from .services import entry
from .workbook_extras import PROGRESS_SHEET, progress_rows, read_only_headers, value_columns

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
IMPORT_REFUSED = "Import réservé au service commande publique."
CHANGED_MEANWHILE = (
    "Des valeurs ont été saisies par ailleurs pendant l'import : rien n'a été enregistré. "
    "Relancez l'import pour voir l'aperçu à jour."
)


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
    plan_refusal: str = ""  # the plan's state takes no values at all (indicators.rules); a file_error too
    changes: list[CellChange] = field(default_factory=list)
    written: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_error)

    def of_status(self, status: str) -> list[CellChange]:
        return [c for c in self.changes if c.status == status]

    new = property(lambda self: self.of_status(NEW))
    changed = property(lambda self: self.of_status(CHANGED))
    unchanged = property(lambda self: self.of_status(UNCHANGED))
    deleted = property(lambda self: self.of_status(DELETED))

    @property
    def to_write(self) -> list[CellChange]:
        return [c for c in self.changes if c.status != UNCHANGED]

    @property
    def messages(self) -> list[str]:
        return [self.file_error] if self.file_error else [str(e) for e in self.errors]


class _Rollback(Exception):
    """Raised inside the transaction to undo everything when confirming meets an error."""


# --- the writer ------------------------------------------------------------------------------------

DEMO_SHEET = "Données de démonstration"
DEMO_WARNING = (
    "Données de démonstration : tout ou partie des valeurs de ce classeur sont fictives, saisies pour "
    "essayer l'application ; elles ne proviennent pas du suivi réel du SPASER."
)


def _value_rows(plan: Plan, stored: dict, extras: list) -> list[list]:
    rows = []
    for indicator in Indicator.objects.of_plan(plan).select_related("fiche").in_plan_order():
        row = [
            fiche_code(indicator.fiche.number),
            indicator.fiche.number,
            indicator.code,
            indicator.get_value_type_display(),
            indicator.label,
            indicator.unit,
            indicator.target_value,
        ]
        for year in plan.years:
            value = stored.get((indicator.pk, year))
            raw = value.raw if value is not None else None
            row.append(values.format_yes_no(raw) if isinstance(raw, bool) else raw)
        row += [cells.get((indicator.pk, y), column.default) for column, cells in extras for y in plan.years]
        rows.append(row)
    return rows


def values_workbook(plan: Plan) -> bytes:
    """The yearly values (importable) and each fiche's progress per year (for reading)."""
    stored = {(v.indicator_id, v.year): v for v in IndicatorValue.objects.of_plan(plan)}
    years = [str(y) for y in plan.years]
    extras = [(column, column.cells(plan)) for column in value_columns()]
    sheets = [
        files.SheetSpec(
            SHEET,
            [*FIXED_HEADERS, *years, *(column.header(y) for column, _ in extras for y in plan.years)],
            _value_rows(plan, stored, extras),
            {1: 11, 2: 9, 3: 16, 4: 14, 5: 60, 6: 10, 7: 10},
        ),
        files.SheetSpec(
            PROGRESS_SHEET,
            ["N° fiche", "Action", "État d'avancement (dernier bilan validé)", *years],
            progress_rows(plan),
            {2: 60, 3: 24},
        ),
    ]
    if any(v.is_demo for v in stored.values()):
        # The "Valeurs" layout is the import's: the warning goes on a sheet of its own, named to be seen.
        sheets.append(files.SheetSpec(DEMO_SHEET, [DEMO_WARNING], [], {1: 120}))
    return files.build_workbook(sheets)


# --- the reader -----------------------------------------------------------------------------------


def values_import(*, file, user: User, dry_run: bool, plan: Plan | None = None) -> ValuesImportResult:
    """Preview (dry_run) or apply the "Valeurs" sheet of `file` to the plan's yearly values.

    `file`: bytes, a path, a file object or an UploadedFile. Confirming re-validates against the
    data as it is now, inside one transaction: if anything changed since the preview (a fiche-year
    validated meanwhile, a value entered meanwhile), the result reflects it and an error means nothing
    is written.
    """
    # A preview without a user only reads the file (a check of an export); any write is SCP's.
    rights.require(
        (user is None and dry_run) or (user is not None and rights.may_import(user)), IMPORT_REFUSED
    )
    plan = plan or Plan.objects.current()
    result = ValuesImportResult(dry_run=dry_run)
    if plan is None:
        result.file_error = "Aucun plan n'est chargé : il n'y a rien à quoi rattacher ces valeurs."
        return result
    # Not even its last year: a plan whose state refuses every year's follow-up takes no values at all.
    result.plan_refusal = rules.follow_up_refusal(plan=plan, years={plan.end_year}) or ""
    if result.plan_refusal:
        result.file_error = result.plan_refusal
        return result
    try:
        rows = files.read_sheet(files.read_upload(file), SHEET)
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
            _apply(result, plan=plan, user=user)
            if result.has_errors:
                raise _Rollback
            result.written = True
    except _Rollback:
        result.written = False
    except IntegrityError:
        # A concurrent entry of the same (indicator, year) won the race: the transaction is undone.
        result.written = False
        result.file_error = CHANGED_MEANWHILE
    return result


def _header_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(files.unneutralise(value)).strip() if value is not None else ""


def _read_headers(header_cells, plan: Plan, result: ValuesImportResult) -> tuple[dict, list]:
    """The fixed columns by header and the year columns (index, year, header); errors in `result`."""
    columns: dict[str, int] = {}
    year_columns: list[tuple[int, int, str]] = []
    read_only = read_only_headers(plan)  # written for reading (evidence counts): whatever they hold
    for index, header in enumerate(_header_text(c.value) for c in header_cells):
        if not header or header in read_only:
            continue
        if header in columns or any(h == header for _, _, h in year_columns):
            result.errors.append(CellError(1, header, "cette colonne apparaît deux fois."))
        elif header.isdigit() and len(header) == 4:
            year = int(header)
            if year in plan.years:
                year_columns.append((index, year, header))
            else:
                message = f"l'année {year} est hors du plan ({plan.start_year}-{plan.end_year})."
                result.errors.append(CellError(1, header, message))
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
    return columns, year_columns


@dataclass
class _Lookups:
    """Every row the import compares with, read in a fixed number of queries whatever the file's size."""

    indicators: dict[tuple[int, str], Indicator]
    fiches: dict[int, Fiche]
    stored: dict[tuple[int, int], IndicatorValue]
    follow_up: rules.PlanFollowUp  # may each fiche-year still be written (plan state, validated year)

    @classmethod
    def of(cls, plan: Plan, *, lock: bool) -> _Lookups:
        indicators = {
            (i.fiche.number, i.code): i for i in Indicator.objects.of_plan(plan).select_related("fiche")
        }
        values_qs = IndicatorValue.objects.of_plan(plan)
        if lock:
            # Lock only the value rows (not the joined indicators, fiches and plan) until the commit.
            values_qs = values_qs.select_for_update(of=("self",))
        return cls(
            indicators=indicators,
            fiches={f.number: f for f in plan.fiches.all()},
            stored={(v.indicator_id, v.year): v for v in values_qs},
            follow_up=rules.PlanFollowUp(plan),
        )


def _row_indicator(
    cells, row_number: int, columns: dict, lookups: _Lookups, seen: dict, result
) -> Indicator | None:
    """The indicator a row names (fiche number, fiche code, indicator code), or None with an error."""
    number = _fiche_number(_cell(cells, columns.get(H_FICHE)).value)
    if number is None:
        result.errors.append(CellError(row_number, H_FICHE, "numéro de fiche manquant ou invalide."))
        return None
    if number not in lookups.fiches:
        result.errors.append(
            CellError(row_number, H_FICHE, f"la fiche n° {number} n'existe pas dans le plan.")
        )
        return None
    code_cell = _header_text(_cell(cells, columns.get(H_FICHE_CODE)).value)
    if code_cell and code_cell != fiche_code(number):
        message = f"le code « {code_cell} » ne correspond pas à la fiche n° {number} ({fiche_code(number)})."
        result.errors.append(CellError(row_number, H_FICHE_CODE, message))
        return None
    code = _header_text(_cell(cells, columns.get(H_INDICATOR)).value)
    indicator = lookups.indicators.get((number, code))
    if indicator is None:
        message = f"l'indicateur « {code} » n'existe pas dans la fiche n° {number}."
        result.errors.append(CellError(row_number, H_INDICATOR, message))
        return None
    if (number, code) in seen:
        message = f"l'indicateur « {code} » figure déjà à la ligne {seen[number, code]} (ligne en double)."
        result.errors.append(CellError(row_number, H_INDICATOR, message))
        return None
    seen[number, code] = row_number
    return indicator


def _cell_change(
    read, indicator: Indicator, year: int, header: str, row_number: int, lookups: _Lookups, result
):
    """Compare one cell with the stored value; the change, or None (nothing to do, or an error)."""
    current = lookups.stored.get((indicator.pk, year))
    if files.is_blank(read.value):
        if current is not None:
            result.errors.append(
                CellError(
                    row_number,
                    header,
                    f"la cellule est vide alors que la valeur « {current.display()} » est enregistrée. "
                    "L'import ne supprime pas une valeur effacée par mégarde : remettez-la, ou écrivez "
                    f"« {DELETE_MARKER} » pour la supprimer volontairement.",
                )
            )
        return None
    is_delete = isinstance(read.value, str) and read.value.strip().upper() == DELETE_MARKER
    if is_delete and current is None:
        return None
    try:
        raw = None if is_delete else _parse_cell(indicator, read)
    except ValidationError as error:
        result.errors.append(CellError(row_number, header, values.error_text(error)))
        return None
    old_raw = current.raw if current is not None else None
    if current is not None and values.same_value(old_raw, raw):
        status = UNCHANGED
    elif refusal := lookups.follow_up.refusal(indicator.fiche, year):
        result.errors.append(CellError(row_number, header, refusal))
        return None
    else:
        status = DELETED if is_delete else (CHANGED if current is not None else NEW)
    return CellChange(
        row=row_number,
        column=header,
        indicator=indicator,
        year=year,
        status=status,
        old=values.format_value(indicator, old_raw) if current is not None else "",
        new="" if is_delete else values.format_value(indicator, raw),
        raw=raw,
        current=current,
    )


def _diff_rows(
    rows: list[list[files.ReadCell]], *, plan: Plan, result: ValuesImportResult, lock: bool
) -> None:
    """Compare every cell of the sheet with the stored values; record changes and errors in `result`."""
    columns, year_columns = _read_headers(rows[0], plan, result)
    if result.errors:
        return
    lookups = _Lookups.of(plan, lock=lock)
    seen: dict[tuple[int, str], int] = {}
    for row_number, cells in enumerate(rows[1:], start=2):
        if all(files.is_blank(c.value) for c in cells):
            continue
        indicator = _row_indicator(cells, row_number, columns, lookups, seen, result)
        if indicator is None:
            continue
        for index, year, header in year_columns:
            change = _cell_change(_cell(cells, index), indicator, year, header, row_number, lookups, result)
            if change is not None:
                result.changes.append(change)


def _cell(cells: list[files.ReadCell], index: int | None) -> files.ReadCell:
    return cells[index] if index is not None and index < len(cells) else files.ReadCell(None)


def _fiche_number(value) -> int | None:
    try:
        number = values.parse_decimal(value)
    except ValidationError:
        return None
    if number is None or number != number.to_integral_value() or number <= 0:
        return None
    return int(number)


def _parse_cell(indicator: Indicator, read: files.ReadCell):
    """The typed value of a cell for this indicator: the same rules as the entry form (core.values)."""
    raw = values.parse_value(
        indicator.value_type, files.unneutralise(read.value), percent_cell=read.is_percent_format
    )
    if raw is None:  # only spaces, or an emptied text
        raise ValidationError("La cellule ne contient pas de valeur.", code="empty")
    return raw


def _apply(result: ValuesImportResult, *, plan: Plan, user: User) -> None:
    """Write every new, changed and deleted value through the values service, all fiche-years in one
    call; a refusal is put on each row of its fiche-year (the caller then undoes everything)."""
    by_fiche_year: dict[tuple[int, int], list[CellChange]] = {}
    for change in result.to_write:
        by_fiche_year.setdefault((change.indicator.fiche_id, change.year), []).append(change)
    batch = [
        entry.FicheYearValues(
            changes[0].indicator.fiche,
            year,
            {
                c.indicator.pk: entry.ValueInput(c.raw, c.current.comment if c.current else "")
                for c in changes
            },
            {f"value_{c.indicator.pk}": c.current.version if c.current else 0 for c in changes},
        )
        for (_, year), changes in by_fiche_year.items()
    ]
    try:
        entry.fiche_years_save_values(plan=plan, batch=batch, user=user)
    except entry.FicheYearsRefused as refused:
        for key, refusal in refused.refusals.items():
            result.errors += [CellError(c.row, c.column, refusal) for c in by_fiche_year[key]]
    except (rules.WorkflowError, PermissionDenied) as refusal:
        result.errors += [CellError(c.row, c.column, str(refusal)) for c in result.to_write]
    except entry.FicheYearConflict:
        # A concurrent entry of the same (indicator, year), or a write the database refused.
        result.file_error = CHANGED_MEANWHILE
