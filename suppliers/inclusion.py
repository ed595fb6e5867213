"""The inclusion lists, as their publishers export them: CSV, `;` or `,` (read from the header line),
UTF-8 (Windows-1252 accepted: what a spreadsheet saves), columns found by name whatever their case
and accents.

- SIAE (`siae`): the inclusion market's export ("Marché de l'inclusion"): a SIRET column, a type column
  (EI, AI, ACI, ETTI, EITI, or their full names), a name ("Raison sociale", "Nom", "Enseigne").
- EA and ESAT (`ea_esat`): the open data built from FINESS and the adapted companies' list: a SIRET
  column, a type or category column (EA, EATT, ESAT, their full names, or FINESS's category code 246
  for an ESAT), a name.
- GEIQ (`geiq`): a SIRET column and a name.

A row without a readable SIRET (14 digits once spaces are removed) or with a type the list does not
hold is skipped and listed with its reason; a file without the columns is refused whole
(InclusionFormatError, French message naming it).
"""

from __future__ import annotations

import codecs
import csv
import functools
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from .enums import InclusionKind, InclusionSubkind

SIAE_TYPES = ("EI", "AI", "ACI", "ETTI", "EITI")
EA_TYPES = ("EA", "EATT", "ESAT")
FINESS_ESAT = "246"  # FINESS's category code of an ESAT
# Header names as folded by `fold_header` (lower case, no accents, letters and digits only).
SIRET_NAMES = ("siret", "numerosiret", "nsiret", "numsiret", "siretstructure", "siretdelastructure")
NAME_NAMES = (
    "raisonsociale",
    "nom",
    "enseigne",
    "denomination",
    "nomstructure",
    "nomdelastructure",
    "rs",
    "rslongue",
    "nometablissement",
    "raisonsocialeetablissement",
)
TYPE_NAMES = (
    "type",
    "typestructure",
    "typedestructure",
    "typesiae",
    "kind",
    "categorie",
    "categorieetablissement",
    "codecategorie",
    "categetab",
    "libcategetab",
    "libellecategorie",
    "libellecategorieetablissement",
    "typeetablissement",
)
# Full names, folded (upper case, no accents), for lists that spell the type out.
LABELS = {
    InclusionKind.SIAE: (
        ("TRAVAIL TEMPORAIRE D INSERTION", "ETTI"),
        ("TRAVAIL INDEPENDANT", "EITI"),
        ("CHANTIER", "ACI"),
        ("ASSOCIATION INTERMEDIAIRE", "AI"),
        ("ENTREPRISE D INSERTION", "EI"),
    ),
    InclusionKind.EA_ESAT: (
        ("PAR LE TRAVAIL", "ESAT"),
        ("ADAPTEE DE TRAVAIL TEMPORAIRE", "EATT"),
        ("ENTREPRISE ADAPTEE", "EA"),
    ),
}
PROBE_BYTES = 1 << 20
MAX_LINE_CHARS = 1 << 20
# The csv module's default field limit, checked here: the module's limit is global to the process, and
# another library may raise it.
MAX_FIELD_CHARS = 131_072
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class InclusionFormatError(ValueError):
    """Not a list of this kind: refused whole; the message is French and names the file."""


@dataclass
class InclusionScan:
    name: str
    read: int = 0
    kept: int = 0
    skipped: list[dict] = field(default_factory=list)


def fold(text: str) -> str:
    """Upper case, no accents nor punctuation: "Entreprise adaptée" -> "ENTREPRISE ADAPTEE"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def fold_header(text: str) -> str:
    return fold(text).replace(" ", "").lower()


def clean_siret(value: str) -> str:
    """The SIRET as written, without its spaces (14 digits when readable)."""
    return _SPACES.sub("", value or "")


def subkind(kind: str, value: str) -> str | None:
    """The structure's type (InclusionSubkind) a list's cell names, or None if the list does not hold it."""
    if kind == InclusionKind.GEIQ:
        return InclusionSubkind.GEIQ
    allowed = SIAE_TYPES if kind == InclusionKind.SIAE else EA_TYPES
    folded = fold(value)
    acronym = folded.replace(" ", "")
    if acronym in allowed:
        return acronym
    if kind == InclusionKind.EA_ESAT and acronym == FINESS_ESAT:
        return InclusionSubkind.ESAT
    for word in re.findall(r"\(([^)]*)\)", value):  # "Entreprise d'insertion (EI)", "(E.S.A.T.)"
        if fold(word).replace(" ", "") in allowed:
            return fold(word).replace(" ", "")
    for label, code in LABELS[kind]:
        if label in folded:
            return code
    return None


def _encoding(path: str | os.PathLike, name: str) -> str:
    """UTF-8 if the file's first megabyte decodes as such, else Windows-1252 (a spreadsheet's CSV); a
    NUL byte says it is no text at all."""
    with open(path, "rb") as handle:
        probe = handle.read(PROBE_BYTES)
    if b"\x00" in probe:
        raise InclusionFormatError(f"« {name} » n'est pas un fichier texte CSV lisible.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(probe, final=len(probe) < PROBE_BYTES)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _columns(header: list[str], kind: str, name: str) -> dict[str, int]:
    folded = [fold_header(h) for h in header]

    def find(names: tuple[str, ...], prefixes: tuple[str, ...]) -> int | None:
        for wanted in names:
            if wanted in folded:
                return folded.index(wanted)
        return next((i for i, h in enumerate(folded) if h.startswith(prefixes)), None) if prefixes else None

    found = {
        "siret": find(SIRET_NAMES, ("siret",)),
        "type": find(TYPE_NAMES, ("type", "categ")),
        "name": find(NAME_NAMES, ("raisonsociale", "nom", "denomination")),
    }
    required = ("siret",) if kind == InclusionKind.GEIQ else ("siret", "type")
    missing = [column for column in required if found[column] is None]
    if missing:
        what = {"siret": "« SIRET »", "type": "du type de structure (« Type » ou « Catégorie »)"}
        shown = ", ".join(h[:40] for h in header[:8]) or "aucune"
        raise InclusionFormatError(
            f"« {name} » n'est pas une liste « {InclusionKind(kind).label} » lisible : colonne "
            f"{' et colonne '.join(what[m] for m in missing)} introuvable (colonnes lues : {shown})."
        )
    return {key: position for key, position in found.items() if position is not None}


def read(path: str | os.PathLike, name: str, kind: str) -> tuple[InclusionScan, Iterator[dict]]:
    """The file's scan and an iterator of its listings ({siret, siren, subkind, name}); the header is
    checked before this returns (InclusionFormatError), the rows as the iterator runs."""
    if kind not in InclusionKind.values:
        raise InclusionFormatError(f"Liste inconnue : « {kind} » (siae, ea_esat ou geiq).")
    encoding = _encoding(path, name)
    header, delimiter = _header(path, name, encoding)
    columns = _columns(header, kind, name)
    scan = InclusionScan(name=name)
    return scan, _rows(path, name, kind, encoding, delimiter, columns, scan)


def _header(path, name: str, encoding: str) -> tuple[list[str], str]:
    try:
        with open(path, encoding=encoding, newline="") as handle:
            first = handle.readline(64 << 10)
    except UnicodeDecodeError:
        raise InclusionFormatError(f"« {name} » n'est pas un fichier texte CSV lisible.") from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return next(csv.reader([first.strip("\r\n")], delimiter=delimiter), []), delimiter


def _rows(path, name, kind, encoding, delimiter, columns, scan: InclusionScan) -> Iterator[dict]:
    seen: dict[tuple[str, str], int] = {}
    try:
        with open(path, encoding=encoding, newline="") as handle:
            reader = csv.reader(_lines(handle, name), delimiter=delimiter)
            next(reader, None)
            for row in reader:
                if any(len(cell) > MAX_FIELD_CHARS for cell in row):
                    raise csv.Error("field larger than field limit")
                if not any(cell.strip() for cell in row):
                    continue
                scan.read += 1
                listing = _listing(row, columns, kind, reader.line_num, seen)
                if "reason" in listing:
                    scan.skipped.append({"file": name, **listing})
                    continue
                scan.kept += 1
                yield listing
    except UnicodeDecodeError:
        raise InclusionFormatError(
            f"« {name} » n'est pas un fichier CSV lisible : caractères illisibles après la ligne "
            f"{scan.read + 1} (ni UTF-8 ni Windows-1252)."
        ) from None
    except csv.Error:
        raise InclusionFormatError(
            f"« {name} » n'est pas un fichier CSV lisible : ligne illisible après la ligne {scan.read + 1} "
            "(champ de plus de 131 072 caractères, caractère nul ou guillemet mal placé)."
        ) from None


def _lines(handle, name: str) -> Iterator[str]:
    """The file's lines, none longer than MAX_LINE_CHARS: memory stays bounded whatever it holds."""
    for number, line in enumerate(iter(functools.partial(handle.readline, MAX_LINE_CHARS), ""), start=1):
        if len(line) == MAX_LINE_CHARS and not line.endswith("\n"):
            raise InclusionFormatError(
                f"« {name} » n'est pas un fichier CSV lisible : la ligne {number} dépasse "
                f"{MAX_LINE_CHARS:_} caractères.".replace("_", " ")
            )
        yield line


def _listing(row: list[str], columns: dict[str, int], kind: str, line: int, seen: dict) -> dict:
    """The row's listing, or {line, id, reason} when it is skipped."""

    def cell(key: str) -> str:
        position = columns.get(key)
        return row[position].strip() if position is not None and position < len(row) else ""

    siret = clean_siret(cell("siret"))
    if not siret:
        return {"line": line, "id": "", "reason": "SIRET absent"}
    if not (len(siret) == 14 and siret.isdigit()):
        return {"line": line, "id": siret[:20], "reason": f"SIRET illisible « {siret[:20]} » (14 chiffres)"}
    written = cell("type")
    code = subkind(kind, written)
    if code is None:
        return {
            "line": line,
            "id": siret,
            "reason": f"type inconnu ou hors de cette liste : « {written[:40]} »",
        }
    first = seen.setdefault((siret, code), line)
    if first != line:
        return {"line": line, "id": siret, "reason": f"déjà sur la liste (ligne {first})"}
    return {"siret": siret, "siren": siret[:9], "subkind": code, "name": cell("name")[:255]}
