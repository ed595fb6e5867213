"""Reading DECP files (données essentielles de la commande publique), streamed.

Two shapes exist:
- the 2022 format (arrêté du 22 décembre 2022, schema 2.0.x):
  `{"marches": {"marche": [...], "contrat-concession": [...]}}`, with the social and environmental
  considerations (from 2024);
- the 2019 format, still found for older years: `{"marches": [...]}`, each record with `_type`
  "Marché" or "Contrat de concession", without considerations (so "unknown").

Real files break the schema's promises, and the reader takes each shape as its publisher meant it
(README, "Registre des contrats"): bare `NaN`/`Infinity` tokens (invalid JSON) are missing values;
2019 keys flattened as `"acheteur.id"` are read like their nested form; consideration words are
compared without accents, case or surrounding spaces, split when several share one string, and a
word that is none of the schema's values leaves that side "non renseigné" and is reported; French
amounts ("50 000,00") are numbers. A record that cannot be a contract (no id, no date, a date that
is not one or is impossible) is skipped and listed with its reason; a doubtful one (a word not
understood, an anomalous amount) is kept and listed. A file that is not DECP at all, or is nested
deeper than the format needs, raises DecpFormatError (French message) before anything is written.

The reader: the standard library's C decoder (json.JSONDecoder.raw_decode) decodes one record at a
time from a window of the file decoded incrementally. A national file holds a million contracts
and more; the window holds one chunk and the record being read, so memory stays bounded whatever
the file's size. ijson's C backend (yajl) read it before, but yajl has no option for `NaN` (lloyd/yajl
issue 109) nor a nesting limit: 100,000 nested brackets made it grow past 20 GB. The standard decoder
reads `NaN` through `parse_constant`, stops deep nesting with RecursionError, and is faster than
ijson's items on these files (bench/decp.py compares them).
"""

from __future__ import annotations

import codecs
import datetime
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .enums import Considerations, Nature, NoticeKind

ARRAYS = {"marche": Nature.CONTRACT, "contrat-concession": Nature.CONCESSION}
CHUNK = 1 << 20  # bytes read at a time
# A record is a few kilobytes; one larger than this is not DECP (and would hold the window's memory).
MAX_RECORD_CHARS = 8 << 20
# Levels of nesting inside one record: the 2022 format needs 6 (a modification's holders), 2019
# files wrap holders in up to four lists (seen in the national consolidation's test files).
MAX_DEPTH = 24
ID_MAX_LENGTH = 64  # Contract.contract_id
MAX_MODIFICATIONS = 32767  # Contract.modifications (a small integer); real contracts have a handful
# Amounts are stored with two decimals and at most 14 digits, which SQLite reads back exactly
# (its REAL keeps 15 significant digits): a larger number is kept as written, not as a number.
STORABLE_AMOUNT = Decimal(10) ** 12
EARLIEST_DATE = datetime.date(2000, 1, 1)
CENT = Decimal("0.01")

_SPACE = re.compile(r"[ \t\n\r]*")
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATORS = re.compile(r"[,;]")
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009'")
_BOM = "\ufeff"

# The schema's words (2.0.3: marchés and concessions), folded (no accents, lower case, single spaces).
SOCIAL_FLAGS = {
    "clause sociale": "social_clause",
    "critere social": "social_criterion",
    "marche reserve": "reserved",
    "concession reservee": "reserved",
}
SOCIAL_NONE = {"pas de consideration sociale"}
ENVIRONMENTAL_FLAGS = {
    "clause environnementale": "environmental_clause",
    "critere environnemental": "environmental_criterion",
}
ENVIRONMENTAL_NONE = {"pas de consideration environnementale"}
# Fields a 2019 file may flatten ("titulaires.id"): a list of items in the nested form.
LIST_FIELDS = {"titulaires", "concessionnaires", "modifications", "donneesExecution"}
SIDES = {"social": "considérations sociales", "environmental": "considérations environnementales"}


class DecpFormatError(ValueError):
    """The file is not DECP (or not JSON, or nested too deep): refused whole; the message is French."""


class BadRecord(ValueError):
    pass


@dataclass(frozen=True)
class Amount:
    """An amount as read: `value` with two decimals, None when missing, unreadable or too large to be
    stored; `published` the text as written when `value` is not it (a French "50 000,00", "1e+17")."""

    value: Decimal | None
    published: str = ""
    problem: str = ""  # "" | "manquant" | "illisible" | "hors limites"

    @property
    def label(self) -> str:
        return self.published or ("" if self.value is None else str(self.value))


@dataclass
class Record:
    """One contract, normalised from either format."""

    uid: str
    buyer_siret: str
    contract_id: str
    nature: str
    nature_label: str
    object: str
    cpv: str
    procedure: str
    notified_on: datetime.date
    initial: Amount
    current: Amount
    modifications: int
    published: dict  # the considerations as published: statuses, flags and the words as written
    holders: list[str]
    published_on: datetime.date | None
    source_file: str
    notices: list[tuple[str, str]] = field(default_factory=list)  # (NoticeKind, detail in French)

    @property
    def year(self) -> int:
        return self.notified_on.year

    @property
    def initial_amount(self) -> Decimal | None:
        return self.initial.value

    @property
    def current_amount(self) -> Decimal | None:
        return self.current.value


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
) -> tuple[Scan, Iterator[Record]]:
    """The buyers' records of the file, normalised, and the scan's tallies (filled while iterating).

    One pass over the file, marchés and concessions alike; only the buyers' records are normalised
    (a national file holds a million records, a buyer's a few thousand).
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
                record = _keep(raw, array, buyers, source, report, today)
                if record is not None:
                    yield record

    return report, records()


def _keep(raw, array: str | None, buyers: set[str], source: str, report: Scan, today) -> Record | None:
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
        return normalise(raw, nature, buyer, source, today=today)
    except BadRecord as exc:
        contract_id = _text(raw.get("id"))[:ID_MAX_LENGTH] or "(sans identifiant)"
        report.skipped.append(Skipped(source, contract_id, buyer, str(exc)))
        return None


# --- one record ---------------------------------------------------------------------------------------


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


def normalise(
    raw: dict, nature: str, buyer: str, source: str, *, today: datetime.date | None = None
) -> Record:
    """A Record from one raw DECP record of `buyer`, or BadRecord with the reason in French."""
    raw = unflatten(raw)
    contract_id = _text(raw.get("id"))
    if not contract_id:
        raise BadRecord("identifiant (id) manquant")
    if len(contract_id) > ID_MAX_LENGTH:
        raise BadRecord(f"identifiant trop long ({len(contract_id)} caractères ; {ID_MAX_LENGTH} au plus)")
    concession = nature == Nature.CONCESSION
    date_key, amount_key = (
        ("dateSignature", "valeurGlobale") if concession else ("dateNotification", "montant")
    )
    today = today or datetime.date.today()
    notices: list[tuple[str, str]] = []
    notified_on = _required_date(raw.get(date_key), date_key, today)
    published_on, problem = read_date(raw.get("datePublicationDonnees"), today)
    if problem:
        notices.append(
            (
                NoticeKind.DATE,
                f"date de publication {problem} (« {_text(raw['datePublicationDonnees'])[:30]} »)",
            )
        )
    initial = read_amount(raw.get(amount_key))  # an anomaly is noted by the import (its ceiling is SCP's)
    modifications = _modifications(raw)
    if len(modifications) > MAX_MODIFICATIONS:
        raise BadRecord(f"nombre de modifications impossible ({len(modifications)})")
    current = _current_amount(modifications, amount_key, initial, notices)
    published = {}
    for side, flags, none_words in (
        ("social", SOCIAL_FLAGS, SOCIAL_NONE),
        ("environmental", ENVIRONMENTAL_FLAGS, ENVIRONMENTAL_NONE),
    ):
        status, found, words, unknown = _considerations(raw, side, flags, none_words)
        published[side] = status
        published.update(found)
        published[f"{side}_words"] = words
        for word in unknown:
            notices.append((NoticeKind.UNRECOGNISED, f"valeur non reconnue « {word[:60]} » ({SIDES[side]})"))
    return Record(
        uid=f"{buyer}{contract_id}",
        buyer_siret=buyer,
        contract_id=contract_id,
        nature=nature,
        nature_label=_text(raw.get("nature"))[:80],
        object=_text(raw.get("objet")),
        cpv=_text(raw.get("codeCPV"))[:12],
        procedure=_text(raw.get("procedure"))[:200],
        notified_on=notified_on,
        initial=initial,
        current=current,
        modifications=len(modifications),
        published=published,
        holders=_holders(raw, concession),
        published_on=published_on,
        source_file=source[:255],
        notices=notices,
    )


def unflatten(raw: dict) -> dict:
    """A record whose keys were flattened ("acheteur.id", "titulaires.0.id") read like its nested form;
    a nested value already there wins (as the national consolidation reads them)."""
    flat = [key for key in raw if "." in key]
    if not flat:
        return raw
    result = {key: value for key, value in raw.items() if key not in flat}
    for key in flat:
        _put(result, key.split("."), raw[key])
    return result


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _put(node, parts: list[str], value) -> None:
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        index = int(head) if head.isdigit() else 0
        rest = rest if head.isdigit() else parts  # "titulaires.id": the key of the (first) item
        if index > 100:  # no list of a record is that long: a hostile key, ignored
            return
        while len(node) <= index:
            node.append({})
        if not rest:
            if _empty(node[index]):
                node[index] = value
            return
        if isinstance(node[index], dict):
            _put(node[index], rest, value)
        return
    if not rest:
        if _empty(node.get(head)):
            node[head] = value
        return
    child = node.get(head)
    if _empty(child):
        child = node[head] = [] if head in LIST_FIELDS else {}
    if isinstance(child, dict | list):
        _put(child, rest, value)


def _text(value) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def fold(word: str) -> str:
    """A word compared as people mean it: without accents, case, or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", word)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def read_date(value, today: datetime.date) -> tuple[datetime.date | None, str]:
    """The date as written ("2025-12-31+01:00" is 31 December 2025: the offset does not move it), and
    what is wrong with it: "" | "illisible" | "impossible" (before 2000, or more than a year ahead)."""
    if value is None or value == "":
        return None, ""
    match = _DATE.match(str(value))
    if match is None:
        return None, "illisible"
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if year < EARLIEST_DATE.year:
        return None, "impossible"
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None, "illisible"
    if date > today + datetime.timedelta(days=365):
        return None, "impossible"
    return date, ""


def _required_date(value, key: str, today: datetime.date) -> datetime.date:
    date, problem = read_date(value, today)
    if date is not None:
        return date
    if not problem:
        raise BadRecord(f"date manquante ({key})")
    raise BadRecord(f"date {problem} ({key} : « {str(value)[:30]} »)")


def read_amount(value) -> Amount:
    """An amount as published: a JSON number, or a text written the French way ("50 000,00 €")."""
    if value is None or value == "":
        return Amount(None, problem="manquant")
    published = ""
    if isinstance(value, bool) or isinstance(value, dict | list):
        return Amount(None, published=_text(value) or "(non numérique)", problem="illisible")
    if isinstance(value, str):
        published = value.strip()[:60]
        text = _plain_number(value)
        if text is None:
            return Amount(None, published=published, problem="illisible")
        number = Decimal(text)
    else:
        number = Decimal(value) if not isinstance(value, float) else Decimal(str(value))
    if not number.is_finite():
        return Amount(None, published=published or str(value), problem="manquant")
    if abs(number) >= STORABLE_AMOUNT:
        return Amount(None, published=published or str(number)[:60], problem="hors limites")
    return Amount(number.quantize(CENT, rounding=ROUND_HALF_UP), published=published)


def _plain_number(text: str) -> str | None:
    """ "50 000,00 €" -> "50000.00"; "1.234,5" -> "1234.5"; None if it is not a number."""
    text = text.strip().removesuffix("€").removesuffix("EUR").translate(_THOUSANDS)
    if "," in text:
        if "." in text and text.rfind(".") > text.rfind(","):
            text = text.replace(",", "")  # 1,234.50: commas group thousands
        else:
            text = text.replace(".", "").replace(",", ".")  # 1.234,50 or 1234,50: a decimal comma
    if not _NUMBER.fullmatch(text):
        return None
    try:
        Decimal(text)
    except InvalidOperation:
        return None
    return text


def _modifications(raw: dict) -> list[dict]:
    """The modifications, unwrapped ({"modification": {...}} in 2022, bare in 2019)."""
    items = raw.get("modifications") or []
    if isinstance(items, dict):  # {"modification": [...]} in some exports
        items = items.get("modification") or []
        items = items if isinstance(items, list) else [items]
    result = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("modification"), dict):
            item = item["modification"]
        if isinstance(item, dict):
            result.append(item)
    return result


def _modification_key(item: dict) -> tuple:
    dates = (
        item.get("datePublicationDonneesModification"),
        item.get("dateNotificationModification"),
        item.get("dateSignatureModification"),
    )
    written = next(
        (read_date(d, datetime.date.max - datetime.timedelta(days=366))[0] for d in dates if d), None
    )
    number = item.get("id")
    return (written or datetime.date.min, number if isinstance(number, Decimal) else 0)


def _current_amount(modifications: list[dict], key: str, initial: Amount, notices: list) -> Amount:
    """The amount after the latest modification that states one (the initial amount otherwise); a
    modification whose amount cannot be read is noted and passed over."""
    current = initial
    for item in sorted(modifications, key=_modification_key):
        stated = item.get(key)
        if stated is None or stated == "":
            continue
        amount = read_amount(stated)
        if amount.value is None:
            notices.append(
                (NoticeKind.AMOUNT, f"montant d'une modification {amount.problem} (« {amount.label[:40]} »)")
            )
            continue
        current = amount
    return current


def _words(stated, inner: str, depth: int = 0) -> list[str]:
    """The words a consideration field states, whatever its shape: {"considerationSociale": [...]},
    the same wrapped in a list, a bare list, one string holding several words with commas or semicolons."""
    if stated is None or depth > 4:
        return []
    if isinstance(stated, str):
        return [word.strip() for word in _SEPARATORS.split(stated) if word.strip()]
    if isinstance(stated, dict):
        inside = stated[inner] if inner in stated else list(stated.values())
        return _words(inside, inner, depth + 1)
    if isinstance(stated, list):
        return [word for item in stated for word in _words(item, inner, depth + 1)]
    return [_text(stated)] if _text(stated) else []  # a number, a boolean: a word not understood


INNER = {"social": "considerationSociale", "environmental": "considerationEnvironnementale"}
OUTER = {"social": "considerationsSociales", "environmental": "considerationsEnvironnementales"}


def _considerations(raw: dict, side: str, words: dict[str, str], none_words: set[str]):
    """(status, flags, words as published, words not understood) of one side.

    A flag the words state makes the side "stated"; otherwise a word that is none of the schema's
    values leaves it unknown (never "none": that would lower the rate the bilan prints); "Pas de
    considération ..." alone makes it "none"; a record without the field predates it (unknown).
    """
    flags = dict.fromkeys(words.values(), False)
    stated = _words(raw.get(OUTER[side]), INNER[side])
    unknown, saw_none = [], False
    for word in stated:
        folded = fold(word)
        if folded in words:
            flags[words[folded]] = True
        elif folded in none_words:
            saw_none = True
        else:
            unknown.append(word)
    if any(flags.values()):
        status = Considerations.STATED
    elif saw_none and not unknown:
        status = Considerations.NONE
    else:
        status = Considerations.UNKNOWN
    return status, flags, stated, unknown


def _holders(raw: dict, concession: bool) -> list[str]:
    """The holders' ids (SIRET mostly), in order, once each; items may be wrapped in lists (2019)."""
    outer, inner = ("concessionnaires", "concessionnaire") if concession else ("titulaires", "titulaire")
    holders: list[str] = []

    def visit(item, depth: int) -> None:
        if depth > 6:
            return
        if isinstance(item, list):
            for element in item:
                visit(element, depth + 1)
        elif isinstance(item, dict):
            if isinstance(item.get(inner), dict | list):
                visit(item[inner], depth + 1)
            elif (holder := _text(item.get("id")).replace(" ", "")) and holder not in holders:
                holders.append(holder)

    visit(raw.get(outer), 0)
    return holders
