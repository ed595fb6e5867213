"""What an import of DECP files found: each record's outcome and the records SCP should look at,
as the command, the admin's preview and the import log report them (contracts.services.decp_apply)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import decp
from .enums import NoticeKind, RecordOutcome
from .models import DecpImport


@dataclass
class Notice:
    """A record the import kept but SCP should look at: listed with its file, id and reason."""

    source_file: str
    contract_id: str
    buyer_siret: str
    kind: str
    detail: str

    @property
    def group(self) -> str:
        """What the report counts it under: each word not understood on its own line, the rest by kind."""
        if self.kind == NoticeKind.UNRECOGNISED:
            return self.detail
        return NoticeKind(self.kind).label.lower()

    def as_json(self) -> dict:
        return {
            "file": self.source_file,
            "id": self.contract_id,
            "buyer": self.buyer_siret,
            "kind": self.kind,
            "reason": self.detail,
        }


@dataclass
class ImportReport:
    files: list[str]
    buyers: list[str]
    read: int = 0
    kept: int = 0
    no_buyer: int = 0
    not_records: int = 0
    outcomes: dict[str, list] = field(default_factory=lambda: {o: [] for o in RecordOutcome.values})
    notices: list[Notice] = field(default_factory=list)
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
    def doubtful(self) -> int:
        """Contracts kept with at least one notice."""
        return len({(n.buyer_siret, n.contract_id) for n in self.notices})

    def notice_groups(self) -> list[tuple[str, int]]:
        """("valeur non reconnue « NC » (considérations sociales)", 12 contracts), most frequent first."""
        contracts = Counter()
        for group, _ in {(n.group, (n.buyer_siret, n.contract_id)) for n in self.notices}:
            contracts[group] += 1
        return sorted(contracts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def summary(self) -> str:
        unread = ""
        if self.no_buyer:
            unread += f", {self.no_buyer} sans acheteur identifiable (non retenus)"
        if self.not_records:
            unread += f", {self.not_records} éléments qui ne sont pas des contrats (ignorés)"
        return (
            f"{self.read} contrats lus{unread}, {self.kept} des acheteurs retenus : "
            f"{self.count(RecordOutcome.NEW)} nouveaux, {self.count(RecordOutcome.CHANGED)} modifiés, "
            f"{self.count(RecordOutcome.UNCHANGED)} inchangés, {self.count(RecordOutcome.SKIPPED)} ignorés "
            f"(non conformes), {self.doubtful} à vérifier, en {self.seconds:.1f} s."
        )
