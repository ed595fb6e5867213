"""Every buyer's legal indicators from national consolidated DECP files, stored per buyer and year.

`national_compute` reads the files with the register's own reader (contracts.decp: the same records
kept, the same records skipped and why) and, of each record, what the register's normalisation reads
first and the figures count (decp.essentials: its id, dates, initial amount and considerations, by
the same functions; not its holders, current amount or texts, which no national figure uses). It
counts each contract with the register's own rules (contracts.rules: the considerations, the
categories' one definition, the anomaly of amounts with SCP's thresholds). What differs is only that
every buyer is kept, and that no contract is stored: a national file holds millions of them.

Memory grows by little per contract (the file itself is streamed): a contract published several times counts
once, with the version the register keeps (contracts.services.decp_apply: the latest publication
date, on a tie the one read last), so every contract read is remembered until the end; but only as
a 64-bit hash of its uid (buyer SIRET + id, the register's key) pointing to one packed integer
(publication date, categories, year, buyer, valued amount in cents): about 170 bytes a contract
(618 MB at most for 3,000,000 contracts, measured by bench/national.py).
Two different uids sharing a hash (about one chance in four million for three million contracts)
would count as one contract.
"""

from __future__ import annotations

import datetime
import itertools
import operator
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from contracts import decp, rules
from contracts.enums import Category
from contracts.models import Threshold
from core import rights
from core.caching import data_changed
from core.versioning import save_claimed

from .models import NationalDataset, NationalFigure

COMPUTE_RIGHT = "Seul le service commande publique calcule la comparaison nationale."
PUBLISH_RIGHT = "Seul le service commande publique publie la comparaison nationale."
SKIPPED_KEPT = 1000  # the skipped records listed on the dataset (all are counted)
BATCH = 2000
CATEGORIES = tuple(Category.values)  # bit i of a contract's mask: it is in CATEGORIES[i]

# A contract's packed integer, from the lowest bits: valued amount in cents (0: an anomaly, left out of
# the value totals; an amount kept is at least 1 € and under 10^12 €), buyer's index, year, categories,
# then the date compared to keep the register's version.
_CENTS_BITS, _BUYER_BITS, _YEAR_BITS = 48, 24, 14
_BUYER_SHIFT = _CENTS_BITS
_YEAR_SHIFT = _BUYER_SHIFT + _BUYER_BITS
_MASK_SHIFT = _YEAR_SHIFT + _YEAR_BITS
_DATE_SHIFT = _MASK_SHIFT + len(CATEGORIES)
_CENTS = (1 << _CENTS_BITS) - 1
_BUYER = (1 << _BUYER_BITS) - 1
_YEAR = (1 << _YEAR_BITS) - 1
_MASK = (1 << len(CATEGORIES)) - 1
_BITS = [tuple(bit for bit in range(len(CATEGORIES)) if mask >> bit & 1) for mask in range(_MASK + 1)]


class NationalRefused(ValueError):
    """A computation that cannot run as asked; the message is French, nothing was written."""


class _EveryBuyer(frozenset):
    """The register reader's buyers, for the whole country: every SIRET (14 digits). A record whose
    buyer is not one is counted as without an identifiable buyer, as the register would never keep it."""

    def __contains__(self, siret) -> bool:
        return len(siret) == 14 and siret.isdigit()


@dataclass
class _Reading:
    """What reading the files found, and each contract kept so far (packed, by uid hash)."""

    today: datetime.date
    thresholds: rules.Thresholds
    read: int = 0
    kept: int = 0
    not_records: int = 0
    skipped: list[dict] = field(default_factory=list)
    skipped_count: int = 0
    contracts: dict[int, int] = field(default_factory=dict)
    buyers: dict[str, int] = field(default_factory=dict)
    masks: dict[tuple, int] = field(default_factory=dict)

    def skip(self, items: list[decp.Skipped]) -> None:
        for item in items:
            self.skipped_count += 1
            if len(self.skipped) < SKIPPED_KEPT:
                self.skipped.append(
                    {
                        "file": item.source_file,
                        "id": item.contract_id,
                        "buyer": item.buyer_siret,
                        "reason": item.reason,
                    }
                )
        items.clear()  # the reader's list would otherwise hold every skipped record of the file


def _categories(published: dict, masks: dict, predicates) -> int:
    """The bits of the categories a contract published so counts in (no correction nationally).
    Few combinations of statuses and flags exist: each is worked out once with the register's rules."""
    key = _PUBLISHED(published)
    mask = masks.get(key)
    if mask is None:
        values = rules.considerations(published)
        mask = 0
        if rules.counted(values):
            for bit, predicate in enumerate(predicates):
                if predicate(values):
                    mask |= 1 << bit
        masks[key] = mask
    return mask


# What considerations() reads of a record (normalise writes every key): a million times, in C.
_PUBLISHED = operator.itemgetter("social", "environmental", *rules.FLAGS)


def _pack(record: decp.Essentials, reading: _Reading, predicates) -> int:
    """The contract as the register would count it: its categories (the considerations as published,
    no correction nationally), its year, its buyer and its amount in the value totals."""
    mask = _categories(record.published, reading.masks, predicates)
    amount = record.initial_amount
    valued = 0 if reading.thresholds.is_anomaly(amount, record.notified_on) else int(amount * 100)
    buyer = reading.buyers.setdefault(record.buyer_siret, len(reading.buyers))
    published = record.published_on or record.notified_on  # the register's choice between versions
    return (
        published.toordinal() << _DATE_SHIFT
        | mask << _MASK_SHIFT
        | record.year << _YEAR_SHIFT
        | buyer << _BUYER_SHIFT
        | valued
    )


def _read(path: str, name: str, reading: _Reading, on_bytes) -> None:
    """One file's contracts into `reading`: each uid keeps the version the register keeps."""
    predicates = tuple(rules.category_predicates()[category] for category in CATEGORIES)
    scan, records = decp.scan(
        path, _EveryBuyer(), on_bytes=on_bytes, source_name=name, today=reading.today, counted_only=True
    )
    contracts = reading.contracts
    for record in records:
        if scan.skipped:
            reading.skip(scan.skipped)
        packed = _pack(record, reading, predicates)
        key = hash(record.uid)
        held = contracts.get(key)
        if held is None or packed >> _DATE_SHIFT >= held >> _DATE_SHIFT:
            contracts[key] = packed
    reading.skip(scan.skipped)
    reading.read += scan.read
    reading.kept += scan.buyers_records
    reading.not_records += scan.not_records


def _tallies(reading: _Reading) -> dict[tuple[int, int], list[int]]:
    """Per (buyer index, year): the count then the valued cents of every category. Drains the
    contracts (their memory is given back as the tallies grow)."""
    tallies: dict[tuple[int, int], list[int]] = {}
    width = len(CATEGORIES)
    contracts = reading.contracts
    while contracts:
        _, packed = contracts.popitem()
        key = (packed >> _BUYER_SHIFT & _BUYER, packed >> _YEAR_SHIFT & _YEAR)
        row = tallies.get(key)
        if row is None:
            row = tallies[key] = [0] * (2 * width)
        cents = packed & _CENTS
        for bit in _BITS[packed >> _MASK_SHIFT & _MASK]:
            row[bit] += 1
            row[width + bit] += cents
    return tallies


_COLUMNS = (
    "dataset_id",
    "buyer_siret",
    "buyer_siren",
    "year",
    "contracts",
    "social",
    "environmental",
    "tally",
)


_CONTRACTS, _SOCIAL, _ENVIRONMENTAL = (
    CATEGORIES.index(c) for c in (Category.CONTRACTS, Category.SOCIAL, Category.ENVIRONMENTAL)
)


def _row(dataset_id: int, siret: str, year: int, row: list[int], tally_field) -> tuple:
    """One NationalFigure's columns: `tally` is {category: {"count", "amount": "x.xx"}} (the cents are
    whole and never negative: written without going through Decimal, hundreds of thousands of times)."""
    width = len(CATEGORIES)
    tally = {}
    for bit, category in enumerate(CATEGORIES):
        cents = row[width + bit]
        tally[category] = {"count": row[bit], "amount": f"{cents // 100}.{cents % 100:02d}"}
    return (
        dataset_id,
        siret,
        siret[:9],
        year,
        row[_CONTRACTS],
        row[_SOCIAL],
        row[_ENVIRONMENTAL],
        tally_field.get_db_prep_save(tally, connection),
    )


def _insert_figures(dataset: NationalDataset, reading: _Reading, tallies) -> None:
    """The figures, buyer by buyer, as plain rows: a national file gives hundreds of thousands, which
    the ORM's bulk_create prepares field by field several times slower. PostgreSQL takes them by COPY
    (its INSERTs cost the server more than reading the file costs us); other databases in batches."""
    sirets = sorted(reading.buyers, key=reading.buyers.get)
    tally_field = NationalFigure._meta.get_field("tally")
    table = connection.ops.quote_name(NationalFigure._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _COLUMNS)
    ordered = sorted(tallies.items(), key=lambda item: (sirets[item[0][0]], item[0][1]))
    rows = (_row(dataset.pk, sirets[buyer], year, row, tally_field) for (buyer, year), row in ordered)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def national_compute(
    *,
    paths: list[str],
    label: str,
    source_date: datetime.date,
    user=None,
    is_demo: bool = False,
    names: list[str] | None = None,
    on_bytes: Callable[[float], None] | None = None,
    today: datetime.date | None = None,
) -> NationalDataset:
    """Read every file, then store the dataset and its figures (one per buyer and year) in one
    transaction. A file that is not DECP raises decp.DecpFormatError before anything is written (each
    is checked before the first is read in full; one broken further on stops everything too). SCP
    only (PermissionDenied otherwise); without `user`, the server's operator's (the command)."""
    rights.require(user is None or rights.may_import_contracts(user), COMPUTE_RIGHT)
    label = (label or "").strip()
    if not label:
        raise NationalRefused(
            "Indiquez la source des données (par exemple « DECP consolidées, data.gouv.fr »)."
        )
    if not paths:
        raise NationalRefused("Aucun fichier DECP indiqué.")
    started = time.perf_counter()
    names = names or [os.path.basename(path) for path in paths]
    for path, name in zip(paths, names, strict=True):
        decp.detect_format(path, name)
    reading = _Reading(today or datetime.date.today(), rules.Thresholds.of(Threshold.objects.all()))
    for path, name in zip(paths, names, strict=True):
        _read(path, name, reading, on_bytes)
    counted = len(reading.contracts)
    tallies = _tallies(reading)
    return _write(
        reading,
        tallies,
        files=names,
        label=label,
        source_date=source_date,
        user=user,
        is_demo=is_demo,
        counted=counted,
        started=started,
    )


@transaction.atomic
def _write(reading: _Reading, tallies, *, files, label, source_date, user, is_demo, counted, started):
    dataset = NationalDataset(
        files=files,
        label=label[:300],
        source_date=source_date,
        user=user,
        read=reading.read,
        counted=counted,
        buyers=len({buyer for buyer, _ in tallies}),
        skipped=reading.skipped,
        skipped_count=reading.skipped_count,
        no_buyer=reading.read - reading.not_records - reading.kept,
        is_demo=is_demo,
    )
    dataset._history_user = user
    dataset.save()
    _insert_figures(dataset, reading, tallies)
    dataset.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    NationalDataset.objects.filter(pk=dataset.pk).update(seconds=dataset.seconds)
    data_changed()  # bulk rows send no signal: no cached comparison outlives the computation
    return dataset


@transaction.atomic
def dataset_publish(*, dataset: NationalDataset, published: bool, user) -> NationalDataset:
    """Show (or stop showing) the comparison computed from `dataset` on the public site. SCP only;
    the dataset's history records who, when and which way."""
    rights.require(rights.may_import_contracts(user), PUBLISH_RIGHT)
    current = NationalDataset.objects.get(pk=dataset.pk)
    if current.published != published:
        current.published = published
        current._change_reason = "Publication sur le site public" if published else "Retrait du site public"
        save_claimed(current, seen=current.version, user=user)
    dataset.published, dataset.version = current.published, current.version
    return current
