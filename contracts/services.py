"""The one writer of the contracts register: an import of DECP files, applied fully or not at all."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actions import states
from actions.caching import data_changed
from actions.models import Buyer, Plan

from . import decp
from .enums import RecordOutcome
from .models import Contract, DecpImport

# The fields an import sets; a contract whose fields all equal the record's is "unchanged".
FIELDS = (
    "buyer_siret",
    "contract_id",
    "nature",
    "nature_label",
    "object",
    "cpv",
    "procedure",
    "notified_on",
    "year",
    "initial_amount",
    "current_amount",
    "modifications",
    "social",
    "social_clause",
    "social_criterion",
    "reserved",
    "environmental",
    "environmental_clause",
    "environmental_criterion",
    "holders",
    "published_on",
    "source_file",
    "is_demo",
)
BATCH = 500


class NoBuyers(ValueError):
    pass


class PlanStateRefused(NoBuyers):
    """The plan named for an import does not take contracts in its state (actions.states)."""


@dataclass
class ImportReport:
    files: list[str]
    buyers: list[str]
    read: int = 0
    kept: int = 0
    outcomes: dict[str, list] = field(default_factory=lambda: {o: [] for o in RecordOutcome.values})
    seconds: float = 0.0
    dry_run: bool = True
    log: DecpImport | None = None
    # uid -> [(field, stored value, new value)] of each changed contract (the admin's preview shows them)
    changes: dict[str, list[tuple[str, object, object]]] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return len(self.outcomes[outcome])

    @property
    def skipped(self) -> list[decp.Skipped]:
        return self.outcomes[RecordOutcome.SKIPPED]

    @property
    def summary(self) -> str:
        return (
            f"{self.read} contrats lus, {self.kept} des acheteurs retenus : "
            f"{self.count(RecordOutcome.NEW)} nouveaux, {self.count(RecordOutcome.CHANGED)} modifiés, "
            f"{self.count(RecordOutcome.UNCHANGED)} inchangés, {self.count(RecordOutcome.SKIPPED)} ignorés "
            f"(non conformes), en {self.seconds:.1f} s."
        )


def buyers_of(plan: Plan | None = None, sirets: Iterable[str] | None = None) -> list[str]:
    """The buyers an import keeps: `sirets` if given, else the plan's (else every plan's) buyers.

    A plan named whose state runs no follow-up (in preparation; closed: the register feeds the
    bilans of years it no longer writes) raises PlanStateRefused, whatever the SIRET given.
    """
    refusal = states.follow_up_refusal(plan, None) if plan is not None else None
    if refusal:
        raise PlanStateRefused(refusal)
    if sirets:
        chosen = sorted({s.replace(" ", "") for s in sirets})
    else:
        buyers = Buyer.objects.all() if plan is None else Buyer.objects.filter(plan=plan)
        chosen = sorted(set(buyers.values_list("siret", flat=True)))
    if not chosen:
        raise NoBuyers(
            "Aucun acheteur : renseignez le SIRET des acheteurs du plan (administration, fiche du plan) "
            "ou indiquez-les avec --buyer."
        )
    bad = [s for s in chosen if not (s.isdigit() and len(s) == 14)]
    if bad:
        raise NoBuyers(f"SIRET invalide : {', '.join(bad)} (14 chiffres attendus).")
    return chosen


def decp_apply(
    paths: list[str],
    *,
    buyers: list[str],
    user=None,
    dry_run: bool = False,
    is_demo: bool = False,
    names: list[str] | None = None,
    on_bytes: Callable[[float], None] | None = None,
) -> ImportReport:
    """Read every file, then write all the changes in one transaction (nothing if `dry_run`).

    A file that is not DECP raises decp.DecpFormatError before anything is written. Within and
    across files, a contract published again (same uid) is kept once: the record with the latest
    publication date wins (on a tie, the later one read).
    """
    started = time.perf_counter()
    names = names or [os.path.basename(p) for p in paths]
    report = ImportReport(files=names, buyers=list(buyers), dry_run=dry_run)
    for path, name in zip(paths, names, strict=True):
        decp.detect_format(path, name)  # every file is checked before the first is read in full
    latest: dict[str, decp.Record] = {}
    for path, name in zip(paths, names, strict=True):
        scan, records = decp.scan(path, set(buyers), on_bytes=on_bytes, source_name=name)
        for record in records:
            held = latest.get(record.uid)
            if held is None or _published(record) >= _published(held):
                latest[record.uid] = record
        report.read += scan.read
        report.kept += scan.buyers_records
        report.outcomes[RecordOutcome.SKIPPED].extend(scan.skipped)
    new, changed = _compare(latest, report, is_demo)
    if not dry_run:
        _write(new, changed, report, user, is_demo)
    report.seconds = time.perf_counter() - started
    if report.log is not None:
        DecpImport.objects.filter(pk=report.log.pk).update(seconds=Decimal(f"{report.seconds:.2f}"))
    return report


def _published(record: decp.Record | Contract):
    return record.published_on or record.notified_on


# Where a record was read does not make a contract change: the same contract in this month's national
# file and in last month's is unchanged (its source stays the file it was first read from).
COMPARED = tuple(name for name in FIELDS if name != "source_file")


def _compare(latest: dict[str, decp.Record], report: ImportReport, is_demo: bool):
    # The buyers' stored contracts, in one query (a buyer has thousands, not millions).
    stored = {c.uid: c for c in Contract.objects.filter(buyer_siret__in=report.buyers)}
    new, changed = [], []
    for uid, record in sorted(latest.items()):
        values = _values(record, is_demo)
        contract = stored.get(uid)
        if contract is None:
            new.append(Contract(uid=uid, **values))
            report.outcomes[RecordOutcome.NEW].append(record)
            continue
        differences = [
            (name, getattr(contract, name), values[name])
            for name in COMPARED
            if getattr(contract, name) != values[name]
        ]
        if not differences or _published(record) < _published(contract):
            # Identical, or the register holds a later publication of the contract.
            report.outcomes[RecordOutcome.UNCHANGED].append(record)
            continue
        for name, value in values.items():
            setattr(contract, name, value)
        changed.append(contract)
        report.outcomes[RecordOutcome.CHANGED].append(record)
        report.changes[uid] = differences
    return new, changed


def _values(record: decp.Record, is_demo: bool) -> dict:
    return {
        "buyer_siret": record.buyer_siret,
        "contract_id": record.contract_id,
        "nature": record.nature,
        "nature_label": record.nature_label,
        "object": record.object,
        "cpv": record.cpv,
        "procedure": record.procedure,
        "notified_on": record.notified_on,
        "year": record.year,
        "initial_amount": record.initial_amount,
        "current_amount": record.current_amount,
        "modifications": record.modifications,
        "social": record.social,
        **record.flags,
        "environmental": record.environmental,
        "holders": record.holders,
        "published_on": record.published_on,
        "source_file": record.source_file,
        "is_demo": is_demo,
    }


@transaction.atomic
def _write(new: list[Contract], changed: list[Contract], report: ImportReport, user, is_demo: bool) -> None:
    if new:
        bulk_create_with_history(new, Contract, batch_size=BATCH, default_user=user)
    if changed:
        bulk_update_with_history(changed, Contract, list(FIELDS), batch_size=BATCH, default_user=user)
    if new or changed:
        # Bulk history rows send no signal: say the data changed, so no cached page (the live bilan
        # and its legal indicators) outlives the import.
        data_changed()
    report.log = DecpImport.objects.create(
        files=report.files,
        buyers=report.buyers,
        user=user,
        read=report.read,
        kept=report.kept,
        new=report.count(RecordOutcome.NEW),
        changed=report.count(RecordOutcome.CHANGED),
        unchanged=report.count(RecordOutcome.UNCHANGED),
        skipped=[
            {"file": s.source_file, "id": s.contract_id, "buyer": s.buyer_siret, "reason": s.reason}
            for s in report.skipped
        ],
        is_demo=is_demo,
    )
