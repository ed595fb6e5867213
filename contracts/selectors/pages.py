"""The register: the list of contracts and a contract's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.formats import date_format

from actions.models import Buyer, Plan
from core import values
from suppliers.selectors import local_departements

from .. import cpv, rules
from ..enums import Considerations, Duty, Nature
from ..models import (
    Contract,
    ContractCorrection,
)
from .labels import euros
from .register import PlanRegister, _marks, list_rules
from .suppliers import contracts_in_category, holder_rows, rows_facts

PAGE_SIZE = 50


@dataclass
class ContractFilters:
    """What the register's list is filtered by (every filter optional)."""

    category: str = ""
    year: int | None = None
    division: str = ""  # the CPV code's first two digits
    search: str = ""  # in the object, the contract's id and uid, the holders' SIRET
    missing_environmental: bool = False
    duty: str = ""  # one of the duties since 21 August 2026 (Duty)
    anomaly: bool = False  # amounts left out of the value totals
    corrected: bool = False  # contracts SCP corrected (or excluded)
    excluded: bool = False
    holders: str = ""  # a category of holders (SupplierCategory): the contracts its figure counts


def _search(text: str) -> Q:
    condition = Q(object__icontains=text) | Q(contract_id__icontains=text) | Q(uid__icontains=text)
    digits = text.replace(" ", "")
    if digits.isdigit():
        condition |= Q(holders__icontains=digits)  # the holders' SIRET, as JSON text
    return condition


def register_contracts(register: PlanRegister, filters: ContractFilters, thresholds: rules.Thresholds):
    """The buyers' contracts the filters keep, newest notification first. A category, a duty or an
    anomaly lists the contracts its figure counts (not the excluded ones); the excluded ones are
    listed on their own."""
    contracts = register.contracts()
    counted_only = (
        filters.category
        or filters.duty
        or filters.anomaly
        or filters.missing_environmental
        or filters.holders
    )
    if counted_only:
        contracts = contracts.filter(rules.COUNTED)
    if filters.category:
        contracts = contracts.filter(rules.category_filters()[filters.category])
    if filters.year:
        contracts = contracts.filter(year=filters.year)
    if filters.division:
        contracts = contracts.filter(cpv__startswith=filters.division)
    if filters.missing_environmental:
        contracts = contracts.filter(rules.missing_environmental())
    if filters.duty:
        contracts = contracts.filter(thresholds.duty(filters.duty))
    if filters.anomaly:
        contracts = contracts.filter(thresholds.anomaly())
    if filters.corrected:
        contracts = contracts.filter(corrected=True)
    if filters.excluded:
        contracts = contracts.filter(excluded=True)
    if filters.search.strip():
        contracts = contracts.filter(_search(filters.search.strip()))
    if filters.holders:
        contracts = contracts.filter(
            id__in=_in_holder_category(register, contracts, thresholds, filters.holders)
        )
    return contracts.order_by("-notified_on", "uid")


def _in_holder_category(register: PlanRegister, contracts, thresholds: rules.Thresholds, category: str):
    """The ids of `contracts` that count in number in a category of holders, by the shares' own rule
    (6 queries: the contracts' holders, the local départements, the holders' facts)."""
    rows = holder_rows(contracts, thresholds)
    facts = rows_facts(rows, local_departements(register.plan)[0])
    return contracts_in_category(rows, facts, category)


@dataclass
class RegisterPage:
    plan: Plan
    buyers: list[Buyer]
    page: Page
    years: list[int]  # the years the buyers' contracts were notified in
    divisions: list[tuple[str, str]]  # CPV divisions found in them, with their names
    frozen_at: datetime.datetime | None = None

    @property
    def buyer_names(self) -> dict[str, str]:
        return {buyer.siret: buyer.name for buyer in self.buyers}


def register_page(*, plan: Plan, filters: ContractFilters, page_number=None) -> RegisterPage:
    """The register's list: one page of the plan's buyers' contracts that the filters keep, and the
    years and CPV divisions to filter by. 5 queries whatever the number of contracts (6 for a closed
    plan, whose list is its contracts as they stood at its closing)."""
    buyers = list(Buyer.objects.filter(plan=plan).order_by("siret"))
    register = PlanRegister.of(plan, [buyer.siret for buyer in buyers] or ["-"])
    thresholds = register.thresholds()
    found = set(
        register.contracts()
        .annotate(division=Substr("cpv", 1, 2))
        .order_by()
        .values_list("year", "division")
        .distinct()
    )
    divisions = sorted({division for _, division in found if division.isdigit()})
    paginator = Paginator(register_contracts(register, filters, thresholds), PAGE_SIZE)
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    for contract in page.object_list:
        contract.is_anomaly = thresholds.is_anomaly(contract.initial_amount, contract.notified_on)
    return RegisterPage(
        plan=plan,
        buyers=buyers,
        page=page,
        years=sorted({year for year, _ in found}, reverse=True),
        divisions=[(division, cpv.division_label(division)) for division in divisions],
        frozen_at=register.frozen_at,
    )


@dataclass
class ConsiderationLine:
    """One flag of the contract page: as published, as counted, and whether SCP corrected it."""

    label: str
    published: bool
    counted: bool
    corrected: bool  # SCP set it (it may equal the published value)


@dataclass
class ContractPage:
    contract: Contract
    buyer: Buyer
    history: list[dict]  # newest first: when, who, what kind of change, which fields changed
    marks: dict[str, bool]  # list_rules' names -> whether the contract is in that list
    correction: ContractCorrection | None
    lines: list[ConsiderationLine]
    frozen_at: datetime.datetime | None = None
    changed_since_freeze: bool = False

    @property
    def date_label(self) -> str:
        """Concessions are dated by their signature (dateSignature), contracts by their notification."""
        return "Date de signature" if self.contract.nature == Nature.CONCESSION else "Date de notification"

    @property
    def division(self) -> str:
        return cpv.DIVISIONS.get(self.contract.cpv_division, "")

    @property
    def missing_environmental(self) -> bool:
        return self.marks["missing_environmental"]

    @property
    def is_anomaly(self) -> bool:
        return self.marks["anomalies"]

    @property
    def duties(self) -> list[str]:
        return [label for duty, label in Duty.choices if self.marks[duty]]

    @property
    def published_words(self) -> dict[str, list[str]]:
        published = self.contract.published or {}
        return {side: published.get(f"{side}_words") or [] for side in ("social", "environmental")}

    @property
    def published_status(self) -> dict[str, str]:
        published = self.contract.published or {}
        return {
            side: Considerations(published.get(side, Considerations.UNKNOWN)).label
            for side in ("social", "environmental")
        }


def _shown(name: str, value) -> str:
    """A stored field value as a reader reads it in the history."""
    model_field = Contract._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, bool):
        return values.format_yes_no(value)
    if isinstance(value, Decimal):
        return euros(value)
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, dict):
        return "(détail des considérations publiées)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    return str(value)


HISTORY_KINDS = {"+": "Création", "~": "Modification", "-": "Suppression"}
FIELD_ORDER = {model_field.name: index for index, model_field in enumerate(Contract._meta.fields)}


def _history(contract: Contract) -> list[dict]:
    records = list(contract.history.select_related("history_user").order_by("-history_date", "-history_id"))
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            for change in sorted(newer.diff_against(older).changes, key=lambda c: FIELD_ORDER[c.field]):
                label = Contract._meta.get_field(change.field).verbose_name
                changes.append(
                    {
                        "field": label,
                        "old": _shown(change.field, change.old),
                        "new": _shown(change.field, change.new),
                    }
                )
        rows.append(
            {
                "date": newer.history_date,
                "user": newer.history_user,
                "kind": HISTORY_KINDS.get(newer.history_type, newer.history_type),
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows


FLAG_LABELS = {
    "social_clause": "Clause sociale",
    "social_criterion": "Critère social",
    "reserved": "Marché réservé (ou concession réservée)",
    "environmental_clause": "Clause environnementale",
    "environmental_criterion": "Critère environnemental",
}


def contract_page(*, plan: Plan, pk: int) -> ContractPage | None:
    """A contract of the plan's buyers with its correction, its history and who made each change, and
    the lists it is in (None: not theirs). 6 queries (7 for a closed plan)."""
    buyers = {buyer.siret: buyer for buyer in Buyer.objects.filter(plan=plan)}
    contract = Contract.objects.of_buyers(buyers).filter(pk=pk).select_related("correction").first()
    if contract is None:
        return None
    register = PlanRegister.of(plan, list(buyers))
    conditions = _marks(list_rules(register.thresholds()))
    row = Contract.objects.filter(pk=pk).annotate(**conditions).values(*conditions).get()
    marks = {name.removeprefix("in_"): value for name, value in row.items()}
    correction = getattr(contract, "correction", None)
    published = contract.published or {}
    lines = [
        ConsiderationLine(
            label=label,
            published=bool(published.get(flag)),
            counted=getattr(contract, flag),
            corrected=correction is not None and getattr(correction, flag) is not None,
        )
        for flag, label in FLAG_LABELS.items()
    ]
    history = _history(contract)
    return ContractPage(
        contract=contract,
        buyer=buyers[contract.buyer_siret],
        history=history,
        marks=marks,
        correction=correction,
        lines=lines,
        frozen_at=register.frozen_at,
        changed_since_freeze=bool(register.frozen_at and history and history[0]["date"] > register.frozen_at),
    )
