"""INSEE's SIRENE stock files, read as published: StockUniteLegale and StockEtablissement, CSV
(comma-separated, UTF-8, a header line), plain or zipped (a .zip holding the one CSV, read as a stream,
never extracted).

Which stock a file is comes from its header; columns are read by name, never by position. The files
run to 30 million rows and more while the app wants a few thousand companies: each raw line's first
nine bytes (the SIREN, the first column of both stocks) are tested against the wanted SIRENs before
anything else, and only those lines are decoded and parsed. A record that a quoted field spreads over
several physical lines (a newline inside quotes) is joined first: a line with an odd number of quotes
opens a record that runs until the quotes balance, and that record is parsed whole, whatever its
first bytes. A file whose first column is not the SIREN is parsed line by line (slower, same result).

A file that is not a SIRENE stock (another header, not CSV, binary, not UTF-8) raises
SireneFormatError with a French message naming it.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .enums import SourceKind

# The stocks' headers as INSEE publishes them (2024 onwards); the reader needs only REQUIRED of each.
UNIT_COLUMNS = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,sigleUniteLegale,"
    "sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,prenom3UniteLegale,prenom4UniteLegale,"
    "prenomUsuelUniteLegale,pseudonymeUniteLegale,identifiantAssociationUniteLegale,"
    "trancheEffectifsUniteLegale,anneeEffectifsUniteLegale,dateDernierTraitementUniteLegale,"
    "nombrePeriodesUniteLegale,categorieEntreprise,anneeCategorieEntreprise,dateDebut,"
    "etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,denominationUniteLegale,"
    "denominationUsuelle1UniteLegale,denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,"
    "categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,nomenclatureActivitePrincipaleUniteLegale,"
    "nicSiegeUniteLegale,economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,"
    "caractereEmployeurUniteLegale"
).split(",")
ESTABLISHMENT_COLUMNS = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,"
    "anneeEffectifsEtablissement,activitePrincipaleRegistreMetiersEtablissement,"
    "dateDernierTraitementEtablissement,etablissementSiege,nombrePeriodesEtablissement,"
    "complementAdresseEtablissement,numeroVoieEtablissement,indiceRepetitionEtablissement,"
    "dernierNumeroVoieEtablissement,indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,"
    "libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
    "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,codeCommuneEtablissement,"
    "codeCedexEtablissement,libelleCedexEtablissement,codePaysEtrangerEtablissement,"
    "libellePaysEtrangerEtablissement,identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
    "coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,numeroVoie2Etablissement,"
    "indiceRepetition2Etablissement,typeVoie2Etablissement,libelleVoie2Etablissement,"
    "codePostal2Etablissement,libelleCommune2Etablissement,libelleCommuneEtranger2Etablissement,"
    "distributionSpeciale2Etablissement,codeCommune2Etablissement,codeCedex2Etablissement,"
    "libelleCedex2Etablissement,codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,"
    "etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,"
    "denominationUsuelleEtablissement,activitePrincipaleEtablissement,"
    "nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement"
).split(",")
UNIT_REQUIRED = (
    "siren",
    "categorieEntreprise",
    "trancheEffectifsUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "categorieJuridiqueUniteLegale",
    "etatAdministratifUniteLegale",
    "denominationUniteLegale",
)
ESTABLISHMENT_REQUIRED = (
    "siren",
    "siret",
    "codeCommuneEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "etatAdministratifEtablissement",
    "etablissementSiege",
)
CATEGORIES = {"PME", "ETI", "GE"}
NOT_DIFFUSED = "[ND]"  # what the stocks write in a field a "P" (partially diffused) unit withholds
MAX_HEADER_BYTES = 64 << 10
PROGRESS_BYTES = 8 << 20
MAX_RECORD_BYTES = 1 << 20  # a quoted field left open: refused rather than read to the end in memory
_DATE = re.compile(r"(20\d\d)-(\d\d)(?:-(\d\d))?")


class SireneFormatError(ValueError):
    """Not a SIRENE stock file: refused whole; the message is French and names the file."""


@dataclass
class Skipped:
    file: str
    line: int
    identifier: str
    reason: str

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "id": self.identifier, "reason": self.reason}


@dataclass
class Scan:
    """What reading one file found: `read` data rows, the wanted ones yielded, the bad ones listed."""

    name: str
    kind: str
    read: int = 0
    kept: int = 0
    skipped: list[Skipped] = field(default_factory=list)


# --- the file ----------------------------------------------------------------------------------------------


@contextmanager
def open_stock(path: str | os.PathLike, name: str) -> Iterator[io.BufferedIOBase]:
    """The CSV's bytes, from the file or from the one CSV inside a zip (streamed)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            csvs = [m for m in members if m.filename.lower().endswith(".csv")]
            if len(members) != 1 and len(csvs) != 1:
                raise SireneFormatError(
                    f"« {name} » n'est pas un fichier stock SIRENE : l'archive doit contenir un seul fichier "
                    f"CSV ({len(csvs)} trouvé(s))."
                )
            with archive.open((csvs or members)[0]) as member:
                yield io.BufferedReader(member, buffer_size=1 << 20)
        return
    with open(path, "rb", buffering=1 << 20) as handle:
        yield handle


def read_header(handle: io.BufferedIOBase, name: str) -> tuple[str, list[str]]:
    """The stock's kind (SourceKind) and its column names, from the first line."""
    raw = handle.readline(MAX_HEADER_BYTES)
    if raw.startswith(b"PAR1"):
        raise SireneFormatError(
            f"« {name} » est un fichier Parquet : l'import lit les stocks SIRENE au format CSV "
            "(StockUniteLegale_utf8.zip, StockEtablissement_utf8.zip)."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SireneFormatError(
            f"« {name} » n'est pas un fichier stock SIRENE : ce n'est pas un fichier texte CSV en UTF-8."
        ) from None
    columns = next(csv.reader([text.strip("\r\n")]), [])
    present = set(columns)
    if all(column in present for column in UNIT_REQUIRED):
        return SourceKind.SIRENE_UNITS, columns
    if all(column in present for column in ESTABLISHMENT_REQUIRED):
        return SourceKind.SIRENE_ESTABLISHMENTS, columns
    return "", columns


def detect(path: str | os.PathLike, name: str) -> str:
    """The stock's kind, or SireneFormatError: checked for every file before any is read in full."""
    with open_stock(path, name) as handle:
        kind, columns = read_header(handle, name)
    if not kind:
        raise SireneFormatError(_not_sirene(name, columns))
    return kind


def _not_sirene(name: str, columns: list[str]) -> str:
    shown = ", ".join(c[:40] for c in columns[:6]) or "aucune"
    return (
        f"« {name} » n'est pas un fichier stock SIRENE (StockUniteLegale ou StockEtablissement de l'INSEE, "
        f"CSV) : ses colonnes ({shown}{', …' if len(columns) > 6 else ''}) ne sont pas celles attendues "
        f"(siren, categorieEntreprise, … ou siren, siret, codeCommuneEtablissement, …)."
    )


def file_date(name: str) -> datetime.date | None:
    """The date a stock's name carries (StockEtablissement_utf8_2025-11-01.zip, 2025-11-…), if any."""
    match = _DATE.search(name)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


# --- the rows ---------------------------------------------------------------------------------------------


def records(
    path: str | os.PathLike,
    name: str,
    *,
    sirens: set[str],
    sirets: set[str],
    on_bytes: Callable[[int], None] | None = None,
) -> tuple[Scan, Iterator[dict]]:
    """The file's scan and an iterator of its wanted rows, each a dict of the model's fields (plus
    `siren`/`siret`): the legal units of `sirens`, or the establishments of `sirets`. The scan's
    counts are complete once the iterator is exhausted."""
    kind = detect(path, name)
    scan = Scan(name=name, kind=kind)
    return scan, _rows(path, name, scan, sirens, sirets, on_bytes)


def _rows(path, name: str, scan: Scan, sirens: set[str], sirets: set[str], on_bytes) -> Iterator[dict]:
    units = scan.kind == SourceKind.SIRENE_UNITS
    prefixes = {s.encode("ascii") for s in sirens if s.isascii()}
    with open_stock(path, name) as handle:
        _, columns = read_header(handle, name)
        index = {column: position for position, column in enumerate(columns)}
        fast = bool(columns) and columns[0] == "siren"
        for line, raw in _physical_records(handle, name, on_bytes):
            scan.read += 1
            candidate = raw[:9] in prefixes or (raw[0] == 0x22 and raw[1:10] in prefixes)  # 0x22: '"'
            if fast and not candidate:
                continue
            row = _parse(raw, name, line)
            if row is None or len(row) != len(columns):
                if candidate:  # a wanted company's line that cannot be read
                    identifier = raw[:10].decode("utf-8", "replace").strip('"')
                    scan.skipped.append(Skipped(name, line, identifier, _columns_reason(row, columns)))
                continue
            record = (_unit if units else _establishment)(row, index, sirens, sirets)
            if record is None:
                continue
            if isinstance(record, Skipped):
                if not candidate:  # an unreadable identifier the app does not want: not its concern
                    continue
                record.file, record.line = name, line
                scan.skipped.append(record)
                continue
            scan.kept += 1
            yield record


def _columns_reason(row: list[str] | None, columns: list[str]) -> str:
    if row is None:
        return "ligne CSV illisible"
    return f"{len(row)} colonnes au lieu des {len(columns)} de l'en-tête : ligne illisible"


def _physical_records(handle, name: str, on_bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each record, joining the lines a quoted newline splits. A line, or a
    record, longer than MAX_RECORD_BYTES is refused: memory stays bounded whatever the file holds."""
    line = 1  # the header
    pending: list[bytes] = []  # the lines of a record a quoted newline split, while its quotes are odd
    quotes = size = started = unreported = 0
    for raw in iter(functools.partial(handle.readline, MAX_RECORD_BYTES), b""):
        line += 1
        if on_bytes is not None:
            # Reported in chunks: a progress bar's update per line would cost as much as the scan.
            unreported += len(raw)
            if unreported >= PROGRESS_BYTES:
                on_bytes(unreported)
                unreported = 0
        if len(raw) == MAX_RECORD_BYTES and not raw.endswith(b"\n"):
            raise SireneFormatError(_too_long(name, line))
        if pending:
            pending.append(raw)
            quotes, size = quotes + raw.count(b'"'), size + len(raw)
            if quotes % 2 == 0:
                yield started, b"".join(pending)
                pending = []
            elif size > MAX_RECORD_BYTES:
                raise SireneFormatError(_unclosed(name, started))
            continue
        if b'"' in raw and raw.count(b'"') % 2:
            pending, quotes, size, started = [raw], raw.count(b'"'), len(raw), line
            continue
        if len(raw) > 2 or raw.strip(b"\r\n"):  # an empty line is no record
            yield line, raw
    if on_bytes is not None and unreported:
        on_bytes(unreported)
    if pending:
        raise SireneFormatError(_unclosed(name, started))


def _unclosed(name: str, line: int) -> str:
    return f"« {name} » n'est pas un fichier stock SIRENE lisible : guillemet non fermé à la ligne {line}."


def _too_long(name: str, line: int) -> str:
    return (
        f"« {name} » n'est pas un fichier stock SIRENE lisible : la ligne {line} dépasse "
        f"{MAX_RECORD_BYTES // 1024} Ko."
    )


def _parse(raw: bytes, name: str, line: int) -> list[str] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SireneFormatError(
            f"« {name} » n'est pas un fichier stock SIRENE en UTF-8 (ligne {line} illisible)."
        ) from None
    try:
        return next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None


def _value(row: list[str], index: dict[str, int], column: str) -> str:
    position = index.get(column)
    value = row[position].strip() if position is not None else ""
    return "" if value == NOT_DIFFUSED else value


def _unit(row, index, sirens: set[str], sirets: set[str]) -> dict | Skipped | None:
    siren = _value(row, index, "siren")
    if not (len(siren) == 9 and siren.isdigit()):
        return Skipped("", 0, siren[:20], f"SIREN illisible « {siren[:20]} » (9 chiffres attendus)")
    if siren not in sirens:
        return None
    category = _value(row, index, "categorieEntreprise").upper()
    ess = _value(row, index, "economieSocialeSolidaireUniteLegale").upper()
    return {
        "siren": siren,
        "name": unit_name(lambda column: _value(row, index, column))[:255],
        "enterprise_category": category if category in CATEGORIES else "",
        "category_year": _value(row, index, "anneeCategorieEntreprise")[:4],
        "headcount_band": _value(row, index, "trancheEffectifsUniteLegale")[:2],
        "headcount_year": _value(row, index, "anneeEffectifsUniteLegale")[:4],
        "ess": True if ess == "O" else False if ess == "N" else None,
        "legal_category": _value(row, index, "categorieJuridiqueUniteLegale")[:4],
        "closed": _value(row, index, "etatAdministratifUniteLegale").upper() == "C",
    }


def unit_name(value: Callable[[str], str]) -> str:
    """A company's name (denominationUniteLegale), else a person's: first name and name of use."""
    denomination = value("denominationUniteLegale")
    if denomination:
        return denomination
    first = value("prenomUsuelUniteLegale") or value("prenom1UniteLegale")
    last = value("nomUsageUniteLegale") or value("nomUniteLegale")
    return " ".join(part for part in (first, last) if part)


def _establishment(row, index, sirens: set[str], sirets: set[str]) -> dict | Skipped | None:
    siret = _value(row, index, "siret")
    if not (len(siret) == 14 and siret.isdigit()):
        return Skipped("", 0, siret[:20], f"SIRET illisible « {siret[:20]} » (14 chiffres attendus)")
    if siret not in sirets:
        return None
    siren = _value(row, index, "siren")
    if siren != siret[:9]:
        return Skipped("", 0, siret, f"SIREN « {siren[:20]} » différent des 9 premiers chiffres du SIRET")
    commune = _value(row, index, "codeCommuneEtablissement").upper()
    return {
        "siret": siret,
        "siren": siren,
        "commune": commune[:5],
        "commune_name": _value(row, index, "libelleCommuneEtablissement")[:100],
        "postal_code": _value(row, index, "codePostalEtablissement")[:5],
        "departement": departement(commune),
        "closed": _value(row, index, "etatAdministratifEtablissement").upper() == "F",
        "is_head_office": _value(row, index, "etablissementSiege").lower() in ("true", "1", "o", "oui"),
    }


def departement(commune: str) -> str:
    """The département of an INSEE commune code: two characters (2A, 2B for Corsica), three overseas
    (971 to 976, and the 98x communities); empty for no commune or a foreign one (99xxx)."""
    commune = commune.strip().upper()
    if len(commune) != 5:
        return ""
    if commune.startswith(("97", "98")):
        return commune[:3] if commune[:3].isdigit() else ""
    metropolitan = commune[:2] in ("2A", "2B") or (commune[:2].isdigit() and "01" <= commune[:2] <= "95")
    return commune[:2] if metropolitan and commune[2:].isdigit() else ""
