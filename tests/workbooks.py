"""Workbooks as users handle them: edited cell by cell under their headers, or broken the ways files
break (emptied, cut short, password-protected, far too big...)."""

import io
import random
import re
import secrets
import zipfile

from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook, load_workbook

from core.excel import files


class Sheet:
    """A workbook opened for editing, cells addressed by (row key, header) as a user reads them.

    Rows are found by the value of their `key` column: the indicator's code in "Valeurs" and
    "Indicateurs", the fiche's number in "Fiches".
    """

    def __init__(self, data: bytes, sheet: str = "Valeurs", key: str | None = None):
        self.book = load_workbook(io.BytesIO(data))
        self.sheet = self.book[sheet]
        self.headers = [c.value for c in self.sheet[1]]
        self.key = key or ("N° fiche" if sheet == "Fiches" else "Code indicateur")

    def row_of(self, key) -> int:
        column = self.headers.index(self.key) + 1
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, column).value == key:
                return row
        raise KeyError(key)

    def cell(self, key, header: str):
        return self.sheet.cell(self.row_of(key), self.headers.index(header) + 1)

    def set(self, key, header: str, value) -> int:
        """Type `value` in a cell; text starting with "=" is stored as text, as Excel does after an
        apostrophe. Returns the cell's row number."""
        cell = self.cell(key, header)
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        return cell.row

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def with_formula(data: bytes, sheet: str, coordinate: str, formula: str, cached=None) -> bytes:
    """`data` with a formula in one cell; `cached`: the result Excel or LibreOffice stores beside it
    when saving (None: as written by a program that does not compute formulas)."""
    book = load_workbook(io.BytesIO(data))
    book[sheet][coordinate] = formula
    out = io.BytesIO()
    book.save(out)
    if cached is None:
        return out.getvalue()
    # openpyxl writes no result: add the one a spreadsheet would have written next to the formula.
    body = re.escape(formula.removeprefix("=").encode())
    written = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(
                    rb"<f>(" + body + rb")</f><v\s*/?>(</v>)?",
                    rb"<f>\1</f><v>" + str(cached).encode() + rb"</v>",
                    content,
                )
            target.writestr(item, content)
    return written.getvalue()


# --- Files broken the ways files break -----------------------------------------------------------


def _encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("mot-de-passe", out)
    return out.getvalue()


def _huge(data: bytes) -> bytes:
    """A real xlsx over 5 MB: cells of random text, which zip cannot shrink much."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(load_workbook(io.BytesIO(data), read_only=True).sheetnames[0])
    for _ in range(250):
        sheet.append([secrets.token_urlsafe(24_000)])
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) > files.MAX_FILE_BYTES
    return out.getvalue()


def _too_many_rows(data: bytes) -> bytes:
    """The first sheet with its header row, then one row more than the limit."""
    source = load_workbook(io.BytesIO(data), read_only=True)
    first = source[source.sheetnames[0]]
    headers = [c.value for c in next(first.iter_rows(max_row=1))]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(first.title)
    sheet.append(headers)
    for n in range(files.MAX_ROWS + 1):
        sheet.append([n, n])
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < files.MAX_FILE_BYTES
    return out.getvalue()


def _formula_without_cache(data: bytes) -> bytes:
    source = load_workbook(io.BytesIO(data), read_only=True)
    return with_formula(data, source.sheetnames[0], "B2", "=6*2")


def _first_sheet_renamed(data: bytes) -> bytes:
    book = load_workbook(io.BytesIO(data))
    book.worksheets[0].title = "Feuil1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _not_a_workbook_zip(_: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("document.txt", "pas un classeur")
    return out.getvalue()


# kind -> (how a good workbook of the app is broken, what the French refusal says). Every workbook's
# sheet to import is its first one ("Valeurs", "Fiches"); "sheet renamed" loses it.
BAD_FILES = {
    "empty": (lambda data: b"", "Le fichier est vide."),
    "truncated": (lambda data: data[: len(data) // 2], "tronqué ou endommagé"),
    "random bytes": (lambda data: random.Random(54).randbytes(4096), "n'est pas un classeur Excel"),
    "csv text": (lambda data: "Code fiche;N° fiche\nF01;1\n".encode(), "n'est pas un classeur Excel"),
    "zip but not xlsx": (_not_a_workbook_zip, "n'est pas un classeur Excel"),
    "password-protected": (_encrypted, "protégé par mot de passe"),
    "huge": (_huge, "trop volumineux"),
    "too many rows": (_too_many_rows, "trop de lignes"),
    "formula without cached value": (_formula_without_cache, "formule sans valeur calculée"),
    "sheet renamed": (_first_sheet_renamed, "est absente du classeur"),
}
