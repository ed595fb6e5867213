"""Excel files in and out, for every workbook of the project: built safely, read defensively.

Each workbook's layout, writer and reader live together (actions.excel.plan_workbook for the plan,
indicators.values_workbook for the yearly values); what they share with any xlsx file lives here, so
the rules are in one place:
- on the way out, a text cell that a spreadsheet could take for a formula (it starts with =, +, -, @,
  a tab or a carriage return) is neutralised with a leading apostrophe (django-import-export's own
  escaping only strips "="); `unneutralise` takes it off on the way back in, so a round trip is exact;
- on the way in, a file is refused with a French message, before anything reads its rows, when it is
  empty, too big, not an xlsx, password-protected (Excel writes those as an OLE2 compound file),
  truncated, or when a formula has no cached value (openpyxl's `data_only=True` would read it as an
  empty cell and the import would silently miss it);
- a sheet is read by its name, never "the active sheet".
"""

import datetime
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# A zip bomb stays under 5 MB compressed: bound what openpyxl may inflate too.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class ExcelFileError(ValueError):
    """A file that cannot be read as an import; the message is French and shown as is."""


# --- Cell values out and back in --------------------------------------------------------------


def neutralise(value):
    """A cell value that no spreadsheet will run as a formula.

    Text starting with a formula trigger gets a leading apostrophe. Text that already starts with
    apostrophes before a trigger gets one more, so that `unneutralise` gives back exactly the original.
    Numbers, dates and booleans are left alone (they are typed cells, never formulas).
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.lstrip("'")[:1] in FORMULA_TRIGGERS and value.lstrip("'"):
        return "'" + value
    return value


def unneutralise(value):
    """The original text of a neutralised cell (see `neutralise`)."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        if value.lstrip("'"):
            return value[1:]
    return value


# --- Writing ------------------------------------------------------------------------------------


@dataclass
class SheetSpec:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def build_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """An xlsx with one sheet per spec, the first one active, every text cell neutralised."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        sheet.append([neutralise(h) for h in spec.headers])
        for cell in sheet[1]:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in spec.rows:
            sheet.append([_cell_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
        for index, header in enumerate(spec.headers, start=1):
            width = spec.widths.get(index, min(max(len(str(header)) + 2, 10), 60))
            sheet.column_dimensions[get_column_letter(index)].width = width
    workbook.active = 0
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell_value(value):
    if isinstance(value, Decimal):
        # Excel has no decimal type; a float keeps the figure exact up to 15 digits, far beyond ours.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return neutralise(value)


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadCell:
    value: object
    is_percent_format: bool = False


def check_file_bytes(data: bytes) -> None:
    """Refuse, with a French message, what is not a readable xlsx of reasonable size."""
    if not data:
        raise ExcelFileError("Le fichier est vide.")
    if len(data) > MAX_FILE_BYTES:
        raise ExcelFileError(
            f"Le fichier est trop volumineux ({len(data) / 1024 / 1024:.1f} Mo) : "
            f"la limite est de {MAX_FILE_BYTES // 1024 // 1024} Mo."
        )
    if data.startswith(OLE2_MAGIC):
        raise ExcelFileError(
            "Le fichier est protégé par mot de passe (ou au format Excel 97-2003 .xls) : "
            "enregistrez-le sans mot de passe au format .xlsx puis importez-le à nouveau."
        )
    if not data.startswith(ZIP_MAGIC):
        raise ExcelFileError("Ce fichier n'est pas un classeur Excel (.xlsx).")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ExcelFileError("Le fichier Excel est tronqué ou endommagé : il ne peut pas être lu.") from exc
    if "xl/workbook.xml" not in names:
        raise ExcelFileError("Ce fichier n'est pas un classeur Excel (.xlsx).")
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise ExcelFileError("Le fichier est trop volumineux une fois décompressé.")


def _open(data: bytes, *, data_only: bool):
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, BadZipFile, XML errors...)
        raise ExcelFileError("Le fichier Excel est tronqué ou endommagé : il ne peut pas être lu.") from exc


def read_sheet(data: bytes, sheet_name: str, *, max_rows: int = MAX_ROWS) -> list[list[ReadCell]]:
    """The rows of the sheet named `sheet_name` (header row first), as typed cell values.

    Raises ExcelFileError for a bad file, a missing sheet, too many rows, or a formula without a
    cached value (the file was written by a program that does not compute formulas).
    """
    check_file_bytes(data)
    values_book = _open(data, data_only=True)
    formulas_book = _open(data, data_only=False)
    try:
        if sheet_name not in values_book.sheetnames:
            raise ExcelFileError(
                f"La feuille « {sheet_name} » est absente du classeur "
                f"(feuilles trouvées : {', '.join(values_book.sheetnames) or 'aucune'})."
            )
        rows: list[list[ReadCell]] = []
        try:
            pairs = zip(
                values_book[sheet_name].iter_rows(),
                formulas_book[sheet_name].iter_rows(),
                strict=False,
            )
            for row_number, (value_row, formula_row) in enumerate(pairs, start=1):
                if row_number > max_rows + 1:
                    raise ExcelFileError(
                        f"Le fichier contient trop de lignes : la limite est de {max_rows:,} lignes.".replace(
                            ",", "\u202f"
                        )
                    )
                cells = []
                for value_cell, formula_cell in zip(value_row, formula_row, strict=False):
                    value = getattr(value_cell, "value", None)
                    if getattr(formula_cell, "data_type", None) == "f" and value is None:
                        column = get_column_letter(formula_cell.column)
                        raise ExcelFileError(
                            f"Ligne {row_number}, colonne {column} : la cellule contient une formule sans "
                            "valeur calculée. Ouvrez le fichier dans Excel ou LibreOffice, enregistrez-le, "
                            "puis importez-le à nouveau (ou remplacez la formule par sa valeur)."
                        )
                    number_format = getattr(value_cell, "number_format", None) or ""
                    cells.append(ReadCell(value, "%" in number_format))
                rows.append(cells)
        except ExcelFileError:
            raise
        except Exception as exc:  # a sheet's XML cut short shows up only while iterating
            raise ExcelFileError(
                "Le fichier Excel est tronqué ou endommagé : il ne peut pas être lu."
            ) from exc
    finally:
        values_book.close()
        formulas_book.close()
    while rows and all(is_blank(c.value) for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ExcelFileError(f"La feuille « {sheet_name} » est vide.")
    return rows


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_upload(file) -> bytes:
    """The file's bytes, reading at most one byte past the size limit (check_file_bytes words it).

    `file`: bytes, an UploadedFile, a file object or a path.
    """
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "chunks"):  # an UploadedFile
        size = getattr(file, "size", None) or 0
        if size > MAX_FILE_BYTES:
            raise ExcelFileError(
                f"Le fichier est trop volumineux ({size / 1024 / 1024:.1f} Mo) : "
                f"la limite est de {MAX_FILE_BYTES // 1024 // 1024} Mo."
            )
        file.seek(0)
        return b"".join(file.chunks())
    if hasattr(file, "read"):
        return file.read(MAX_FILE_BYTES + 1)
    with open(file, "rb") as handle:  # a path
        return handle.read(MAX_FILE_BYTES + 1)
