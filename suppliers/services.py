"""The writers of the suppliers' data: SIRENE stock imports and inclusion lists, each applied fully or
not at all, with its log (SupplierImport) of what was read, kept and skipped and why."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from core import rights
from core.caching import data_changed

from . import inclusion, sirene
from .enums import InclusionKind, SourceKind
from .models import Establishment, InclusionListing, LegalUnit, SupplierImport
from .wanted import wanted_identifiers

BATCH = 1000
IMPORT_RIGHT = "Seul le service commande publique importe les fichiers SIRENE et les listes d'inclusion."
UNIT_FIELDS = [
    "name",
    "enterprise_category",
    "category_year",
    "headcount_band",
    "headcount_year",
    "ess",
    "legal_category",
    "closed",
]
ESTABLISHMENT_FIELDS = [
    "siren",
    "commune",
    "commune_name",
    "postal_code",
    "departement",
    "closed",
    "is_head_office",
]
COMMON_FIELDS = ["source_date", "import_run", "is_demo"]

SireneFormatError = sirene.SireneFormatError


class NothingWanted(ValueError):
    """No company to look for: reading 30 million rows would keep none."""


InclusionFormatError = inclusion.InclusionFormatError


def sirene_apply(
    *,
    paths: list[str],
    source_date: datetime.date | None = None,
    user=None,
    is_demo: bool = False,
    names: list[str] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> SupplierImport:
    """Import SIRENE stock files (StockUniteLegale, StockEtablissement; CSV, zipped or not), keeping
    the companies the app wants (suppliers.wanted): their legal units are created or updated by SIREN,
    their establishments by SIRET. Every file is checked before any is read in full (a file that is
    not SIRENE raises SireneFormatError); all are written in one transaction, in batches, so a file
    that turns out unreadable half-way leaves nothing written, whatever came before it.

    Without any company wanted, NothingWanted (before reading).
    The data's date: `source_date`, else the date in the file's name, else today. SCP only
    (PermissionDenied); without `user`, the server's operator (the command)."""
    rights.require(user is None or rights.may_import_contracts(user), IMPORT_RIGHT)
    started = time.perf_counter()
    names = names or [os.path.basename(p) for p in paths]
    kinds = [sirene.detect(path, name) for path, name in zip(paths, names, strict=True)]
    dates = [source_date or sirene.file_date(name) or timezone.localdate() for name in names]
    sirens, sirets = wanted_identifiers()
    if not sirens:
        raise NothingWanted(
            "Aucune entreprise à rechercher dans SIRENE : importez d'abord les contrats (DECP) ou "
            "renseignez les acheteurs des plans. Rien n'a été écrit."
        )
    with transaction.atomic():
        log = SupplierImport.objects.create(
            source=kinds[0] if len(set(kinds)) == 1 else SourceKind.SIRENE,
            files=names,
            source_date=source_date or max(dates),
            user=user,
            is_demo=is_demo,
        )
        for path, name, kind, date in zip(paths, names, kinds, dates, strict=True):
            scan, rows = sirene.records(path, name, sirens=sirens, sirets=sirets, on_bytes=on_bytes)
            if kind == SourceKind.SIRENE_UNITS:
                _upsert(LegalUnit, "siren", UNIT_FIELDS, rows, date=date, log=log, is_demo=is_demo)
            else:
                _upsert(
                    Establishment, "siret", ESTABLISHMENT_FIELDS, rows, date=date, log=log, is_demo=is_demo
                )
            log.read += scan.read
            log.kept += scan.kept
            log.skipped.extend(skipped.as_json() for skipped in scan.skipped)
        log.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
        log.save(update_fields=["read", "kept", "skipped", "seconds"])
    data_changed()
    return log


def _upsert(
    model: type[models.Model],
    key: str,
    fields: list[str],
    rows: Iterable[dict],
    *,
    date: datetime.date,
    log: SupplierImport,
    is_demo: bool,
) -> None:
    """Create or update the rows by `key`, a batch at a time (one row per key in a batch: PostgreSQL
    refuses a batch that updates a row twice)."""
    batch: dict[str, models.Model] = {}

    def flush() -> None:
        model.objects.bulk_create(
            list(batch.values()),
            update_conflicts=True,
            unique_fields=[key],
            update_fields=[*fields, *COMMON_FIELDS],
        )
        batch.clear()

    for row in rows:
        batch[row[key]] = model(**row, source_date=date, import_run=log, is_demo=is_demo)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


def inclusion_apply(
    *,
    kind: str,
    path: str,
    source: str,
    source_date: datetime.date | None = None,
    user=None,
    is_demo: bool = False,
    name: str | None = None,
) -> SupplierImport:
    """Replace the inclusion list of `kind` (siae, ea_esat, geiq) by the file's listings, atomically:
    the rows without a readable SIRET or with a type the list does not hold are skipped and listed; a
    file without the list's columns raises InclusionFormatError and the list stays as it was.
    `source`: where the list comes from (an address, a publisher), shown beside each category.
    SCP only (PermissionDenied)."""
    rights.require(user is None or rights.may_import_contracts(user), IMPORT_RIGHT)
    started = time.perf_counter()
    name = name or os.path.basename(path)
    source = (source or "").strip()
    if not source:
        raise InclusionFormatError(
            "Indiquez la source de la liste (son adresse ou son éditeur) : elle est citée avec chaque "
            "catégorie. Rien n'a été écrit."
        )
    scan, listings = inclusion.read(path, name, kind)
    with transaction.atomic():
        InclusionListing.objects.filter(kind=kind).delete()
        log = SupplierImport.objects.create(
            source=SourceKind(InclusionKind(kind).value),
            files=[name],
            source_date=source_date or timezone.localdate(),
            user=user,
            is_demo=is_demo,
        )
        batch = []
        for listing in listings:
            batch.append(
                InclusionListing(
                    **listing,
                    kind=kind,
                    source=source[:300],
                    source_date=log.source_date,
                    import_run=log,
                    is_demo=is_demo,
                )
            )
            if len(batch) >= BATCH:
                InclusionListing.objects.bulk_create(batch)
                batch = []
        InclusionListing.objects.bulk_create(batch)
        log.read, log.kept, log.skipped = scan.read, scan.kept, scan.skipped
        log.seconds = Decimal(f"{time.perf_counter() - started:.2f}")
        log.save(update_fields=["read", "kept", "skipped", "seconds"])
    data_changed()
    return log


def import_summary(log: SupplierImport) -> list[str]:
    """An import's log as the commands print it, in French: each row skipped with its reason, then the
    counts."""
    lines = [
        f"Ignorée : {s.get('file', '')}, ligne {s.get('line', '?')} ({s.get('id') or 'sans identifiant'}) : "
        f"{s.get('reason', '')}."
        for s in log.skipped
    ]
    skipped = len(log.skipped)
    lines.append(
        f"{log.get_source_display()} ({', '.join(log.files)}, données du {log.source_date:%d/%m/%Y}) : "
        f"{log.read} ligne{'s' if log.read > 1 else ''} lue{'s' if log.read > 1 else ''}, "
        f"{log.kept} retenue{'s' if log.kept > 1 else ''}, {skipped} ignorée{'s' if skipped > 1 else ''}, "
        f"en {log.seconds} s."
    )
    return lines
