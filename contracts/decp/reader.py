"""The file: read value by value from a window decoded incrementally, its shape (2022 or 2019)
recognised, and the buyers' records kept and normalised (contracts.decp.records)."""

from __future__ import annotations

import codecs
import datetime
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ..enums import Nature
from .considerations import fold
from .records import ID_MAX_LENGTH, BadRecord, Essentials, Record, _text, essentials, normalise

ARRAYS = {"marche": Nature.CONTRACT, "contrat-concession": Nature.CONCESSION}
CHUNK = 1 << 20  # bytes read at a time
# A record is a few kilobytes; one larger than this is not DECP (and would hold the window's memory).
MAX_RECORD_CHARS = 8 << 20
# Levels of nesting inside one record: the 2022 format needs 6 (a modification's holders), 2019
# files wrap holders in up to four lists (seen in the national consolidation's test files).
MAX_DEPTH = 24

_SPACE = re.compile(r"[ \t\n\r]*")
_BOM = "\ufeff"


class DecpFormatError(ValueError):
    """The file is not DECP (or not JSON, or nested too deep): refused whole; the message is French."""


@dataclass
class Skipped:
    source_file: str
    contract_id: str
    buyer_siret: str
    reason: str


@dataclass
class Scan:
    """What reading one file found: `read` records in all, the buyers' ones yielded; records with no
    buyer to read (`no_buyer`) and values that are not records (`not_records`) are counted."""

    read: int = 0
    buyers_records: int = 0
    no_buyer: int = 0
    not_records: int = 0
    skipped: list[Skipped] = field(default_factory=list)


# --- the file -------------------------------------------------------------------------------------------

_decoder = json.JSONDecoder(
    parse_float=Decimal,  # amounts exactly as written, never through a binary float
    parse_int=Decimal,  # no limit on an integer's digits (int() refuses more than 4,300)
    parse_constant=lambda _name: None,  # NaN, Infinity, -Infinity: a missing value
)
_decode = _decoder.raw_decode


class _Window:
    """The file's text, decoded from UTF-8 one chunk at a time, read value by value."""

    def __init__(self, handle, name: str, on_bytes: Callable[[int], None] | None = None):
        self.handle = handle
        self.name = name
        self.on_bytes = on_bytes
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.eof = False
        self.started = False
        self.records = 0  # values read from the contracts' arrays (for the messages)

    # the window

    def _more(self) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if chunk and self.on_bytes is not None:
            self.on_bytes(len(chunk))
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise DecpFormatError(
                f"« {self.name} » n'est pas encodé en UTF-8 : un fichier DECP est un fichier .json en "
                "UTF-8, tel que le publie le profil d'acheteur ou data.gouv.fr."
            ) from None
        if not self.started and text:
            self.started = True
            text = text.removeprefix(_BOM)  # some office tools write one
        self.eof = not chunk
        self.text = self.text[self.pos :] + text
        self.pos = 0
        return bool(chunk)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self.invalid()
        self.pos += 1

    def value(self, depth: int = MAX_DEPTH):
        """The next JSON value, decoded whole; refused when nested more than `depth` levels."""
        self.peek()
        while True:
            start = self.pos
            try:
                value, end = _decode(self.text, start)
            except RecursionError:
                raise self.too_deep() from None
            except ValueError as exc:  # JSONDecodeError, or a number Decimal cannot take
                if self._incomplete(exc, start) and self._more():
                    continue
                raise self.invalid() from exc
            if end == len(self.text) and self._more():
                continue  # a number may go on in the next chunk: decode it whole
            if end - start > MAX_RECORD_CHARS:
                raise self.invalid()
            # Counting brackets is quick; the exact depth is measured only where it could be too deep.
            brackets = self.text.count("[", start, end) + self.text.count("{", start, end)
            if brackets > depth and _depth(value) > depth:
                raise self.too_deep()
            self.pos = end
            return value

    def _incomplete(self, exc: ValueError, start: int) -> bool:
        """Whether the value may only be cut by the window's end (more of the file is needed)."""
        if len(self.text) - start > MAX_RECORD_CHARS or not isinstance(exc, json.JSONDecodeError):
            return False
        # An unterminated string is reported where it starts; anything else where the decoder stopped.
        return exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - 16

    def elements(self, read: Callable[[], object]) -> Iterator:
        """`read()` for each element of the array at the window's position."""
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield read()
            char = self.peek()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                raise self.invalid()

    def members(self) -> Iterator[str]:
        """Each key of the object at the window's position; the caller reads its value."""
        self.take("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.invalid()
            key = self.value(0)
            self.take(":")
            yield key
            char = self.peek()
            self.pos += 1
            if char == "}":
                return
            if char != ",":
                raise self.invalid()

    def skip(self, depth: int = 0) -> None:
        """Read past a value the import does not need, element by element (it may be large)."""
        if depth > MAX_DEPTH:
            raise self.too_deep()
        char = self.peek()
        if char == "[":
            for _ in self.elements(lambda: self.skip(depth + 1)):
                pass
        elif char == "{":
            for _ in self.members():
                self.skip(depth + 1)
        else:
            self.value(0)

    def record(self):
        self.records += 1
        return self.value()

    # the messages

    def invalid(self) -> DecpFormatError:
        if self.records:
            return DecpFormatError(
                f"« {self.name} » n'est pas un JSON valide au-delà des {self.records - 1} premiers "
                "contrats lus (fichier tronqué ou corrompu ?)."
            )
        return DecpFormatError(
            f"« {self.name} » n'est pas un fichier JSON valide : un fichier DECP est un fichier .json "
            "(format 2022 ou 2019) tel que le publie le profil d'acheteur ou data.gouv.fr."
        )

    def too_deep(self) -> DecpFormatError:
        return DecpFormatError(
            f"« {self.name} » imbrique des listes ou des objets sur plus de {MAX_DEPTH} niveaux, bien "
            "au-delà de ce que le format DECP demande : ce n'est pas un fichier DECP, il est refusé."
        )

    def not_decp(self, why: str) -> DecpFormatError:
        return DecpFormatError(f"« {self.name} » n'est pas un fichier DECP : {why}.")


def _depth(value, level: int = 0) -> int:
    """How many levels of lists and objects `value` nests (stops counting past MAX_DEPTH)."""
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _walk(window: _Window) -> Iterator[tuple[str | None, object]]:
    """(the key of the array it is in, the record) for every record of the file, in the file's order;
    the first item is ("format", "2022" or "2019") once the shape is known."""
    if window.peek() != "{":
        if window.peek() == "":
            raise window.invalid()
        raise window.not_decp("la clé « marches » (format 2022 ou 2019) est absente")
    found = False
    for key in window.members():
        if key != "marches":
            window.skip(1)
            continue
        char = window.peek()
        if char == "[":
            found = True
            yield "format", "2019"
            yield from ((None, record) for record in window.elements(window.record))
        elif char == "{":
            found = True
            yield "format", "2022"
            for inner in window.members():
                kind = window.peek()
                if inner in ARRAYS and kind == "[":
                    yield from ((inner, record) for record in window.elements(window.record))
                elif inner in ARRAYS and kind == "{":  # one contract given as an object, not a list
                    yield inner, window.record()
                else:
                    window.skip(2)
        else:
            raise window.not_decp("la clé « marches » ne contient ni liste ni objet de contrats")
    if not found:
        raise window.not_decp("la clé « marches » (format 2022 ou 2019) est absente")
    if window.peek() != "":
        raise window.invalid()


def detect_format(path: str, source_name: str | None = None) -> str:
    """ "2022" or "2019", from the beginning of the file; DecpFormatError if it is not DECP.

    `source_name`: the file's name as the user knows it (an upload is stored under another name).
    """
    name = source_name or os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            for kind, value in _walk(_Window(handle, name)):
                if kind == "format":
                    return value
    except OSError as exc:
        raise DecpFormatError(f"« {name} » ne peut pas être lu ({exc.strerror}).") from exc
    raise DecpFormatError(f"« {name} » n'est pas un fichier DECP.")  # unreachable: _walk raises first


def scan(
    path: str,
    buyers: set[str],
    *,
    on_bytes: Callable[[float], None] | None = None,
    source_name: str | None = None,
    today: datetime.date | None = None,
    counted_only: bool = False,
) -> tuple[Scan, Iterator[Record | Essentials]]:
    """The buyers' records of the file, normalised, and the scan's tallies (filled while iterating).

    One pass over the file, marchés and concessions alike; only the buyers' records are normalised
    (a national file holds a million records, a buyer's a few thousand). `counted_only`: each record's
    Essentials (what the legal indicators count; the same records skipped, for the same reasons),
    not the whole Record, for the national comparison that reads every buyer's.
    """
    source = source_name or os.path.basename(path)
    today = today or datetime.date.today()
    report = Scan()

    def records() -> Iterator[Record]:
        with open(path, "rb") as handle:
            for array, raw in _walk(_Window(handle, source, on_bytes)):
                if array == "format":
                    continue
                report.read += 1
                record = _keep(raw, array, buyers, source, report, today, counted_only)
                if record is not None:
                    yield record

    return report, records()


def _keep(raw, array: str | None, buyers: set[str], source: str, report: Scan, today, counted_only: bool):
    if not isinstance(raw, dict):
        report.not_records += 1
        return None
    nature = _nature(raw, array)
    buyer = _buyer_siret(raw, nature)
    if buyer not in buyers:
        if not buyer:
            report.no_buyer += 1
        return None
    report.buyers_records += 1
    try:
        if counted_only:
            return essentials(raw, nature, buyer, today=today)
        return normalise(raw, nature, buyer, source, today=today)
    except BadRecord as exc:
        contract_id = _text(raw.get("id"))[:ID_MAX_LENGTH] or "(sans identifiant)"
        report.skipped.append(Skipped(source, contract_id, buyer, str(exc)))
        return None


def _nature(raw: dict, array: str | None) -> str:
    """`_type` decides where a record states it (2019 files); else the array it is in (2022); else
    which party it names (a buyer: a marché; only a conceding authority: a concession)."""
    kind = raw.get("_type")
    if kind == "Marché":
        return Nature.CONTRACT
    if kind == "Contrat de concession":
        return Nature.CONCESSION
    if isinstance(kind, str) and kind.strip():
        folded = fold(kind)
        if "concession" in folded:
            return Nature.CONCESSION
        if "marche" in folded:
            return Nature.CONTRACT
    if array is not None:
        return ARRAYS[array]
    if _party_id(raw, "acheteur"):  # a buyer named: a marché, whatever else the record carries
        return Nature.CONTRACT
    return Nature.CONCESSION if _party_id(raw, "autoriteConcedante") else Nature.CONTRACT


def _party_id(raw: dict, key: str):
    """The id of the buyer or conceding authority, nested (`{"id": ...}`), bare, or flattened."""
    party = raw.get(key)
    siret = party.get("id") if isinstance(party, dict) else party
    if siret is None or siret == "" or isinstance(siret, dict | list):
        siret = raw.get(f"{key}.id")
    return siret


def _buyer_siret(raw: dict, nature: str) -> str:
    siret = _party_id(raw, "autoriteConcedante" if nature == Nature.CONCESSION else "acheteur")
    if type(siret) is str and siret.isdigit():  # as the format writes it: the quick path, a million times
        return siret
    return _text(siret).replace(" ", "")
