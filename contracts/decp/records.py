"""One DECP record, normalised from either format: its amounts, dates, considerations and holders
as their publisher meant them; a record that cannot be a contract raises BadRecord."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..enums import Nature, NoticeKind
from .considerations import SIDES, considerations

ID_MAX_LENGTH = 64  # Contract.contract_id
MAX_MODIFICATIONS = 32767  # Contract.modifications (a small integer); real contracts have a handful
# Amounts are stored with two decimals and at most 14 digits, which SQLite reads back exactly
# (its REAL keeps 15 significant digits): a larger number is kept as written, not as a number.
STORABLE_AMOUNT = Decimal(10) ** 12
EARLIEST_DATE = datetime.date(2000, 1, 1)
CENT = Decimal("0.01")

_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009'")

# Fields a 2019 file may flatten ("titulaires.id"): a list of items in the nested form.
LIST_FIELDS = {"titulaires", "concessionnaires", "modifications", "donneesExecution"}


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


@dataclass(slots=True)
class Essentials:
    """What the legal indicators count of one record (the national comparison reads millions): the
    fields `normalise` decides whether a record is a contract with, read by the same functions."""

    uid: str
    buyer_siret: str
    contract_id: str
    notified_on: datetime.date
    published_on: datetime.date | None
    published_problem: str  # read_date's problem with datePublicationDonnees ("" if none)
    initial: Amount
    modifications: list[dict]
    published: dict  # the considerations as published: statuses, flags and the words as written
    unknown: list[tuple[str, str]]  # (side, word) of the words not understood

    @property
    def year(self) -> int:
        return self.notified_on.year

    @property
    def initial_amount(self) -> Decimal | None:
        return self.initial.value


_WORDS_KEYS = {"social": "social_words", "environmental": "environmental_words"}


def essentials(raw: dict, nature: str, buyer: str, *, today: datetime.date) -> Essentials:
    """The Essentials of one raw DECP record of `buyer`, or BadRecord with the reason in French (the
    same records refused as by `normalise`, which starts from them)."""
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
    notified_on = _required_date(raw.get(date_key), date_key, today)
    published_on, problem = read_date(raw.get("datePublicationDonnees"), today)
    initial = read_amount(raw.get(amount_key))  # an anomaly is noted by the import (its ceiling is SCP's)
    modifications = _modifications(raw)
    if len(modifications) > MAX_MODIFICATIONS:
        raise BadRecord(f"nombre de modifications impossible ({len(modifications)})")
    published: dict = {}
    unknown: list[tuple[str, str]] = []
    for side in ("social", "environmental"):
        status, found, words, not_understood = considerations(raw, side)
        published[side] = status
        published.update(found)
        published[_WORDS_KEYS[side]] = list(words)
        if not_understood:
            unknown.extend((side, word) for word in not_understood)
    return Essentials(
        f"{buyer}{contract_id}",
        buyer,
        contract_id,
        notified_on,
        published_on,
        problem,
        initial,
        modifications,
        published,
        unknown,
    )


def normalise(
    raw: dict, nature: str, buyer: str, source: str, *, today: datetime.date | None = None
) -> Record:
    """A Record from one raw DECP record of `buyer`, or BadRecord with the reason in French."""
    raw = unflatten(raw)
    core = essentials(raw, nature, buyer, today=today or datetime.date.today())
    concession = nature == Nature.CONCESSION
    notices: list[tuple[str, str]] = []
    if core.published_problem:
        written = _text(raw["datePublicationDonnees"])[:30]
        notices.append((NoticeKind.DATE, f"date de publication {core.published_problem} (« {written} »)"))
    amount_key = "valeurGlobale" if concession else "montant"
    current = _current_amount(core.modifications, amount_key, core.initial, notices)
    for side, word in core.unknown:
        notices.append((NoticeKind.UNRECOGNISED, f"valeur non reconnue « {word[:60]} » ({SIDES[side]})"))
    return Record(
        uid=core.uid,
        buyer_siret=buyer,
        contract_id=core.contract_id,
        nature=nature,
        nature_label=_text(raw.get("nature"))[:80],
        object=_text(raw.get("objet")),
        cpv=_text(raw.get("codeCPV"))[:12],
        procedure=_text(raw.get("procedure"))[:200],
        notified_on=core.notified_on,
        initial=core.initial,
        current=current,
        modifications=len(core.modifications),
        published=core.published,
        holders=_holders(raw, concession),
        published_on=core.published_on,
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


def read_date(value, today: datetime.date) -> tuple[datetime.date | None, str]:
    """The date as written ("2025-12-31+01:00" is 31 December 2025: the offset does not move it), and
    what is wrong with it: "" | "illisible" | "impossible" (before 2000, or more than a year ahead)."""
    if value is None or value == "":
        return None, ""
    return _read_date(value if type(value) is str else str(value), today)


@functools.lru_cache(maxsize=8192)  # a national file's dates are a few thousand days, millions of times
def _read_date(text: str, today: datetime.date) -> tuple[datetime.date | None, str]:
    match = _DATE.match(text)
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
    published = ""
    if type(value) is Decimal:  # how the reader decodes every JSON number: the quick path
        number = value
    elif value is None or value == "":
        return Amount(None, problem="manquant")
    elif isinstance(value, bool) or isinstance(value, dict | list):
        return Amount(None, published=_text(value) or "(non numérique)", problem="illisible")
    elif isinstance(value, str):
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
