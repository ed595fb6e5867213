"""The writers of the contracts register: an import of DECP files, applied fully or not at all; SCP's
corrections of a contract; the freeze of a plan's figures when it closes."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actions import states
from actions.enums import PlanState
from actions.models import Buyer, Plan
from core import rights
from core.caching import data_changed
from core.versioning import StaleWrite, delete_claimed, save_claimed

from . import decp, rules
from .enums import NoticeKind, RecordOutcome
from .models import Contract, ContractCorrection, ContractHolder, DecpImport, RegisterFreeze, Threshold
from .reports import ImportReport, Notice

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
    "published_amount",
    "modifications",
    "published",
    "social",
    *rules.SOCIAL_FLAGS,
    "environmental",
    *rules.ENVIRONMENTAL_FLAGS,
    "corrected",
    "excluded",
    "holders",
    "published_on",
    "source_file",
    "is_demo",
)
BATCH = 500
IMPORT_REASON = "Import DECP"  # the history's change reason of an import's rows


class NoBuyers(ValueError):
    pass


class PlanStateRefused(NoBuyers):
    """The plan named for an import does not take contracts in its state (actions.states)."""


IMPORT_RIGHT = "Seul le service commande publique importe des contrats (DECP)."
CORRECTION_RIGHT = "Seul le service commande publique corrige le registre des contrats."


class CorrectionRefused(ValueError):
    """A correction that cannot be saved as given; the message is French, nothing was written."""


def buyers_of(plan: Plan | None = None, sirets: Iterable[str] | None = None) -> list[str]:
    """The buyers an import keeps: `sirets` if given, else the plan's (else every plan's) buyers.

    A plan named whose state runs no follow-up (in preparation; closed: its figures are frozen)
    raises PlanStateRefused, whatever the SIRET given.
    """
    refusal = states.follow_up_state_refusal(plan, None) if plan is not None else None
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
    today: datetime.date | None = None,
) -> ImportReport:
    """Read every file, then write all the changes in one transaction (nothing if `dry_run`).

    A file that is not DECP raises decp.DecpFormatError before anything is written. Within and
    across files, a contract published again (same uid) is kept once: the record with the latest
    publication date wins (on a tie, the later one read); where two records of one uid differ in
    object or initial amount, the report lists them ("identifiant partagé"). SCP's corrections stay
    over the published values.

    SCP only, dry run included (PermissionDenied otherwise); without `user`, the import is the
    server's operator's (the decp_import command without --by, the demo data), as its history says.
    """
    rights.require(user is None or rights.may_import_contracts(user), IMPORT_RIGHT)
    started = time.perf_counter()
    names = names or [os.path.basename(p) for p in paths]
    report = ImportReport(files=names, buyers=list(buyers), dry_run=dry_run)
    for path, name in zip(paths, names, strict=True):
        decp.detect_format(path, name)  # every file is checked before the first is read in full
    latest: dict[str, decp.Record] = {}
    shared: list[Notice] = []
    for path, name in zip(paths, names, strict=True):
        scan, records = decp.scan(path, set(buyers), on_bytes=on_bytes, source_name=name, today=today)
        for record in records:
            held = latest.get(record.uid)
            if held is not None and _differ(held, record):
                shared.append(_shared_notice(record, held.source_file, held.object, held.initial))
            if held is None or _published(record) >= _published(held):
                latest[record.uid] = record
        report.read += scan.read
        report.kept += scan.buyers_records
        report.no_buyer += scan.no_buyer
        report.not_records += scan.not_records
        report.outcomes[RecordOutcome.SKIPPED].extend(scan.skipped)
    thresholds = rules.Thresholds.of(Threshold.objects.all())
    new, changed = _compare(latest, report, is_demo, shared)
    report.notices = _notices(latest, thresholds) + shared
    if not dry_run:
        _write(new, changed, report, user, is_demo)
    report.seconds = time.perf_counter() - started
    if report.log is not None:
        DecpImport.objects.filter(pk=report.log.pk).update(seconds=Decimal(f"{report.seconds:.2f}"))
    return report


def _published(record: decp.Record | Contract):
    return record.published_on or record.notified_on


def _differ(held: decp.Record, record: decp.Record) -> bool:
    return held.object != record.object or held.initial_amount != record.initial_amount


def _shared_notice(record: decp.Record, other_file: str, other_object: str, other_amount) -> Notice:
    amount = other_amount.label if isinstance(other_amount, decp.Amount) else other_amount
    return Notice(
        record.source_file,
        record.contract_id,
        record.buyer_siret,
        NoticeKind.SHARED_ID,
        f"identifiant partagé avec un autre contrat (fichier {other_file} : objet « {other_object[:80]} », "
        f"montant {amount or '—'}) : seule la publication la plus récente est gardée",
    )


def _notices(latest: dict[str, decp.Record], thresholds: rules.Thresholds) -> list[Notice]:
    notices = []
    for record in latest.values():
        for kind, detail in record.notices:
            notices.append(Notice(record.source_file, record.contract_id, record.buyer_siret, kind, detail))
        if thresholds.is_anomaly(record.initial_amount, record.notified_on):
            written = record.initial.label or "absent"
            notices.append(
                Notice(
                    record.source_file,
                    record.contract_id,
                    record.buyer_siret,
                    NoticeKind.AMOUNT,
                    f"montant anormal (« {written[:40]} ») : le contrat compte en nombre, pas dans les "
                    "totaux en valeur",
                )
            )
    return notices


# Where a record was read does not make a contract change: the same contract in this month's national
# file and in last month's is unchanged (its source stays the file it was first read from).
COMPARED = tuple(name for name in FIELDS if name != "source_file")


def _compare(latest: dict[str, decp.Record], report: ImportReport, is_demo: bool, shared: list[Notice]):
    # The buyers' stored contracts and SCP's corrections, in one query (a buyer has thousands).
    stored = {
        c.uid: c for c in Contract.objects.filter(buyer_siret__in=report.buyers).select_related("correction")
    }
    new, changed = [], []
    for uid, record in sorted(latest.items()):
        contract = stored.get(uid)
        correction = _correction_of(contract)
        values = _values(record, is_demo, correction)
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
        if contract.object != record.object or contract.initial_amount != record.initial_amount:
            amount = contract.published_amount or contract.initial_amount
            shared.append(_shared_notice(record, contract.source_file, contract.object, amount))
        for name, value in values.items():
            setattr(contract, name, value)
        changed.append(contract)
        report.outcomes[RecordOutcome.CHANGED].append(record)
        report.changes[uid] = differences
    return new, changed


def _correction_of(contract: Contract | None) -> ContractCorrection | None:
    if contract is None:
        return None
    try:
        return contract.correction
    except ContractCorrection.DoesNotExist:
        return None


def _values(record: decp.Record, is_demo: bool, correction: ContractCorrection | None) -> dict:
    published_amount = record.initial.published
    if record.initial.value is None and not published_amount:
        published_amount = "(absent)" if record.initial.problem == "manquant" else record.initial.label
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
        "initial_amount": record.initial.value,
        "current_amount": record.current.value,
        "published_amount": published_amount[:60],
        "modifications": record.modifications,
        "published": record.published,
        **rules.considerations(record.published, correction),
        "holders": record.holders,
        "published_on": record.published_on,
        "source_file": record.source_file,
        "is_demo": is_demo,
    }


@transaction.atomic
def _write(new: list[Contract], changed: list[Contract], report: ImportReport, user, is_demo: bool) -> None:
    if new:
        new = bulk_create_with_history(
            new, Contract, batch_size=BATCH, default_user=user, default_change_reason=IMPORT_REASON
        )
    if changed:
        # A correction SCP saved while the files were read (or while a preview waited) stays over them.
        corrections = {
            c.contract_id: c
            for c in ContractCorrection.objects.filter(contract__buyer_siret__in=report.buyers)
        }
        for contract in changed:
            for name, value in rules.considerations(contract.published, corrections.get(contract.pk)).items():
                setattr(contract, name, value)
        bulk_update_with_history(
            changed,
            Contract,
            list(FIELDS),
            batch_size=BATCH,
            default_user=user,
            default_change_reason=IMPORT_REASON,
        )
    contract_holders_sync(contracts=[*new, *changed])
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
        notices=[notice.as_json() for notice in report.notices],
        no_buyer=report.no_buyer,
        not_records=report.not_records,
        is_demo=is_demo,
    )


def contract_holders_sync(*, contracts: list[Contract]) -> None:
    """Make the holders' rows (ContractHolder) of `contracts` say what their `holders` JSON says, so
    that a holder's contracts can be queried. Called by the import for every contract it writes; the
    JSON stays the truth (a closed plan's figures read it as it stood)."""
    with transaction.atomic():
        for start in range(0, len(contracts), BATCH):
            batch = contracts[start : start + BATCH]
            ContractHolder.objects.filter(contract_id__in=[c.pk for c in batch]).delete()
            rows = [row for contract in batch for row in ContractHolder.rows_of(contract)]
            ContractHolder.objects.bulk_create(rows, batch_size=BATCH)


# --- SCP's corrections ---------------------------------------------------------------------------------


@transaction.atomic
def contract_correct(
    *,
    contract: Contract,
    user,
    flags: dict[str, bool | None],
    excluded: bool,
    reason: str,
    seen_version: int | None = None,
) -> ContractCorrection | None:
    """Correct a contract's considerations (each flag: True, False, or None for "as published") or
    exclude it from every figure, with the reason; all flags as published and not excluded removes the
    correction. SCP only. The contract's columns take the correction at once and keep it through later
    imports; both histories record who, when and why. A correction saved by someone else since
    `seen_version` raises StaleWrite; an empty reason CorrectionRefused; nothing is written then.

    Returns the correction (None when removed)."""
    rights.require(rights.may_import_contracts(user), CORRECTION_RIGHT)
    reason = (reason or "").strip()
    unknown = set(flags) - set(rules.FLAGS)
    if unknown:
        raise CorrectionRefused(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    correction = _correction_of(contract)
    removing = not excluded and all(flags.get(flag) is None for flag in rules.FLAGS)
    if not reason:
        raise CorrectionRefused("Indiquez le motif de la correction : il reste dans l'historique du contrat.")
    if correction is not None and seen_version is not None and correction.version != seen_version:
        raise StaleWrite(correction)
    if removing:
        if correction is None:
            raise CorrectionRefused("Ce contrat n'a pas de correction : rien n'a été enregistré.")
        correction._change_reason = reason[:100]
        delete_claimed(correction, seen=seen_version, user=user)
        correction = None
    else:
        correction = _correction_save(
            contract, correction, user=user, flags=flags, excluded=excluded, reason=reason, seen=seen_version
        )
    for name, value in rules.considerations(contract.published, correction).items():
        setattr(contract, name, value)
    contract._history_user = user
    contract._change_reason = f"Correction : {reason}"[:100]
    contract.save()
    if correction is None:
        contract.correction = None  # the deleted row is gone from the cached relation too
    data_changed()
    return correction


def _correction_save(
    contract: Contract, correction: ContractCorrection | None, *, user, flags, excluded, reason, seen
) -> ContractCorrection:
    """Create or update the contract's correction (contract_correct's checks done)."""
    if correction is None:
        if seen is not None:  # the form showed a correction that was removed since
            raise StaleWrite(
                message="La correction de ce contrat a été retirée entre-temps : rien n'a été enregistré."
            )
        correction = ContractCorrection(contract=contract)
    for flag in rules.FLAGS:
        setattr(correction, flag, flags.get(flag))
    correction.excluded, correction.reason, correction.updated_by = excluded, reason, user
    correction._change_reason = reason[:100]
    try:
        with transaction.atomic():
            save_claimed(correction, seen=seen, user=user)
    except IntegrityError:  # two people corrected the uncorrected contract at once: the first wins
        raise StaleWrite(
            message="Ce contrat a été corrigé par quelqu'un d'autre entre-temps : rien n'a été "
            "enregistré. Rechargez la page pour voir sa correction."
        ) from None
    return correction


# --- a plan's figures, frozen at its closing -----------------------------------------------------------


def freeze_with_plan(plan: Plan, state: str, user) -> None:
    """Closing a plan freezes its legal figures at that moment (the selectors read the contracts as
    they stood then); putting it back in force lifts the freeze. Runs in plan_state_set's transaction
    (registered in ContractsConfig.ready)."""
    if state == PlanState.CLOSED:
        RegisterFreeze.objects.update_or_create(plan=plan, defaults={"frozen_at": timezone.now()})
    elif plan.state == PlanState.CLOSED:
        RegisterFreeze.objects.filter(plan=plan).delete()
    data_changed()
