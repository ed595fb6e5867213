"""Reading DECP files (données essentielles de la commande publique), streamed.

Two shapes exist:
- the 2022 format (arrêté du 22 décembre 2022, schema 2.0.x):
  `{"marches": {"marche": [...], "contrat-concession": [...]}}`, with the social and environmental
  considerations (from 2024);
- the 2019 format, still found for older years: `{"marches": [...]}`, each record with `_type`
  "Marché" or "Contrat de concession", without considerations (so "unknown").

A national consolidated file holds a million contracts and more: it is read with ijson (C backend),
one record at a time, and only the wanted buyers' records are normalised, so memory stays bounded
whatever the file's size. A record that breaks the schema (no id, no date, a date that is not one, an
amount that is not a number or is negative) is reported with its id and the reason; a file that is
not DECP at all raises DecpFormatError (French message) before anything is written.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import ijson

from .enums import Considerations, Nature

PREFIX_2022 = {"marches.marche.item": Nature.CONTRACT, "marches.contrat-concession.item": Nature.CONCESSION}
PREFIX_2019 = "marches.item"
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)")
_BOM = b"\xef\xbb\xbf"
_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")
SOCIAL_FLAGS = {
    "clause sociale": "social_clause",
    "critère social": "social_criterion",
    "marché réservé": "reserved",
}
ENVIRONMENTAL_FLAGS = {
    "clause environnementale": "environmental_clause",
    "critère environnemental": "environmental_criterion",
}


class DecpFormatError(ValueError):
    """The file is not DECP (or not JSON): refused whole; the message is French."""


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
    initial_amount: Decimal
    current_amount: Decimal
    modifications: int
    social: str
    environmental: str
    flags: dict[str, bool]
    holders: list[str]
    published_on: datetime.date | None
    source_file: str

    @property
    def year(self) -> int:
        return self.notified_on.year


@dataclass
class Skipped:
    source_file: str
    contract_id: str
    buyer_siret: str
    reason: str


@dataclass
class Scan:
    """What reading one file found: `read` records in all, the buyers' ones yielded."""

    read: int = 0
    buyers_records: int = 0
    skipped: list[Skipped] = field(default_factory=list)


class BadRecord(ValueError):
    pass


# --- the file ---------------------------------------------------------------------------------------


class _Reader:
    """A binary file as ijson reads it: without a UTF-8 byte order mark (some office tools write one),
    reporting how many bytes were read (for a progress bar)."""

    def __init__(self, handle, on_bytes: Callable[[int], None] | None = None):
        self.handle = handle
        self.on_bytes = on_bytes
        self.started = False

    def read(self, size=-1):
        chunk = self.handle.read(size)
        if self.on_bytes is not None and chunk:
            self.on_bytes(len(chunk))
        if chunk and not self.started:  # ijson first reads 0 bytes, to learn the file's type
            self.started = True
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        return chunk


def detect_format(path: str, source_name: str | None = None) -> str:
    """ "2022" or "2019", from the first events of the file; DecpFormatError if it is not DECP.

    `source_name`: the file's name as the user knows it (an upload is stored under another name).
    """
    name = source_name or os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            for prefix, event, _value in ijson.parse(_Reader(handle)):
                if prefix == "" and event not in ("start_map", "map_key"):
                    break
                if prefix == "marches" and event == "start_map":
                    return "2022"
                if prefix == "marches" and event == "start_array":
                    return "2019"
                if prefix == "marches":
                    break
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise DecpFormatError(
            f"« {name} » n'est pas un fichier JSON valide : un fichier DECP est un fichier .json "
            "(format 2022 ou 2019) tel que le publie le profil d'acheteur ou data.gouv.fr."
        ) from exc
    except OSError as exc:
        raise DecpFormatError(f"« {name} » ne peut pas être lu ({exc.strerror}).") from exc
    raise DecpFormatError(
        f"« {name} » n'est pas un fichier DECP : la clé « marches » (format 2022 ou 2019) est absente."
    )


def scan(
    path: str,
    buyers: set[str],
    *,
    on_bytes: Callable[[float], None] | None = None,
    source_name: str | None = None,
) -> tuple[Scan, Iterator[Record]]:
    """The buyers' records of the file, normalised, and the scan's tallies (filled while iterating).

    A 2022 file is read twice, once per array (marchés, then concessions): ijson's C backend builds
    the records of one prefix per pass, and the second pass only tokenizes. Measured on 100,000
    contracts: 1.6 s then 0.9 s, against 9 s when one read feeds both prefixes through ijson's
    coroutines. Each pass reports its share of the bytes, so that a progress bar reaches the file's
    size once, at the end.
    """
    source = source_name or os.path.basename(path)
    shape = detect_format(path, source)
    report = Scan()
    passes = [(PREFIX_2019, None)] if shape == "2019" else list(PREFIX_2022.items())

    def counter(size: int) -> None:
        on_bytes(size / len(passes))

    def records() -> Iterator[Record]:
        for prefix, nature in passes:
            with open(path, "rb") as handle:
                try:
                    for raw in ijson.items(_Reader(handle, on_bytes and counter), prefix):
                        report.read += 1
                        record = _keep(raw, nature, buyers, source, report)
                        if record is not None:
                            yield record
                except (ijson.JSONError, UnicodeDecodeError) as exc:
                    raise DecpFormatError(
                        f"« {source} » n'est pas un JSON valide au-delà des {report.read} premiers "
                        "contrats lus (fichier tronqué ou corrompu ?)."
                    ) from exc

    return report, records()


def _keep(raw, nature: str | None, buyers: set[str], source: str, report: Scan) -> Record | None:
    if not isinstance(raw, dict):
        return None
    nature = nature or _nature_2019(raw)
    buyer = _buyer_siret(raw, nature)
    if buyer not in buyers:
        return None
    report.buyers_records += 1
    try:
        return normalise(raw, nature, buyer, source)
    except BadRecord as exc:
        report.skipped.append(Skipped(source, _text(raw.get("id")) or "(sans identifiant)", buyer, str(exc)))
        return None


# --- one record ---------------------------------------------------------------------------------------


def _nature_2019(raw: dict) -> str:
    kind = _text(raw.get("_type")).lower()
    if "concession" in kind or "autoriteConcedante" in raw:
        return Nature.CONCESSION
    return Nature.CONTRACT


def _buyer_siret(raw: dict, nature: str) -> str:
    party = raw.get("autoriteConcedante" if nature == Nature.CONCESSION else "acheteur") or {}
    siret = party.get("id") if isinstance(party, dict) else party
    if type(siret) is str and siret.isdigit():  # as the format writes it: the quick path, a million times
        return siret
    return _text(siret).replace(" ", "")


def normalise(raw: dict, nature: str, buyer: str, source: str) -> Record:
    """A Record from one raw DECP record of `buyer`, or BadRecord with the reason in French."""
    contract_id = _text(raw.get("id"))
    if not contract_id:
        raise BadRecord("identifiant (id) manquant")
    concession = nature == Nature.CONCESSION
    date_key, amount_key = (
        ("dateSignature", "valeurGlobale") if concession else ("dateNotification", "montant")
    )
    notified_on = _date(raw.get(date_key), date_key, required=True)
    initial = _amount(raw.get(amount_key), amount_key, required=True)
    modifications = _modifications(raw)
    current, count = _current_amount(modifications, amount_key, initial)
    social, social_flags = _considerations(
        raw, "considerationsSociales", "considerationSociale", SOCIAL_FLAGS
    )
    environmental, environmental_flags = _considerations(
        raw, "considerationsEnvironnementales", "considerationEnvironnementale", ENVIRONMENTAL_FLAGS
    )
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
        initial_amount=initial,
        current_amount=current,
        modifications=count,
        social=social,
        environmental=environmental,
        flags={**social_flags, **environmental_flags},
        holders=_holders(raw, concession),
        published_on=_date(raw.get("datePublicationDonnees"), "datePublicationDonnees", required=False),
        source_file=source[:255],
    )


def _text(value) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def _date(value, key: str, *, required: bool) -> datetime.date | None:
    """The date as written ("2025-12-31+01:00" is 31 December 2025: the offset does not move it)."""
    if value in (None, ""):
        if required:
            raise BadRecord(f"date manquante ({key})")
        return None
    match = _DATE.match(str(value))
    try:
        if match is None:
            raise ValueError
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        if not required:
            return None
        raise BadRecord(f"date illisible ({key} : « {str(value)[:30]} »)") from None


def _amount(value, key: str, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise BadRecord(f"montant manquant ({key})")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise BadRecord(f"montant qui n'est pas un nombre ({key})")
    if isinstance(value, str) and not _NUMBER.fullmatch(value):
        raise BadRecord(f"montant qui n'est pas un nombre ({key} : « {value[:30]} »)")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRecord(f"montant qui n'est pas un nombre ({key})") from None
    if not amount.is_finite():
        raise BadRecord(f"montant qui n'est pas un nombre ({key})")
    if amount < 0:
        raise BadRecord(f"montant négatif ({key} : {value})")
    if amount >= Decimal(10) ** 14:
        raise BadRecord(f"montant hors limites ({key} : {value})")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    written = next((_date(d, "", required=False) for d in dates if d), None)
    number = item.get("id")
    return (written or datetime.date.min, number if isinstance(number, int) else 0)


def _current_amount(modifications: list[dict], key: str, initial: Decimal) -> tuple[Decimal, int]:
    """The amount after the latest modification that states one (initial amount otherwise)."""
    current = initial
    for item in sorted(modifications, key=_modification_key):
        amount = _amount(item.get(key), f"modification {key}", required=False)
        if amount is not None:
            current = amount
    return current, len(modifications)


def _considerations(raw: dict, outer: str, inner: str, words: dict[str, str]) -> tuple[str, dict[str, bool]]:
    flags = dict.fromkeys(words.values(), False)
    if outer not in raw:
        return Considerations.UNKNOWN, flags
    stated = raw.get(outer)
    if isinstance(stated, dict):
        stated = stated.get(inner)
    if isinstance(stated, str):
        stated = [stated]
    stated = [str(s).strip().lower() for s in stated or [] if s]
    if not stated:
        return Considerations.UNKNOWN, flags
    for word in stated:
        if word in words:
            flags[words[word]] = True
    return (Considerations.STATED if any(flags.values()) else Considerations.NONE), flags


def _holders(raw: dict, concession: bool) -> list[str]:
    outer, inner = ("concessionnaires", "concessionnaire") if concession else ("titulaires", "titulaire")
    holders = []
    for item in raw.get(outer) or []:
        if isinstance(item, dict) and isinstance(item.get(inner), dict):
            item = item[inner]
        if isinstance(item, dict) and _text(item.get("id")):
            holders.append(_text(item.get("id")))
    return holders
