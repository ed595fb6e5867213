"""The register's amounts and shares as the pages and the bilan write them, the French way."""

from __future__ import annotations

from decimal import Decimal

from core import values

from ..models import (
    Contract,
)

# French typography: a no-break space before "€" and "%", so that a narrow column never wraps them.
NBSP = "\u00a0"


def euros(amount) -> str:
    """An amount the French way: "1 234 567 €", or with cents when it has some ("1 234,50 €")."""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value()
    return f"{values.format_number(amount, 0 if whole else 2)}{NBSP}€"


def contract_amount(contract: Contract) -> str:
    """A contract's initial amount as read, or as published when it could not be ("1e+17")."""
    if contract.initial_amount is None:
        return f"« {contract.published_amount} »" if contract.published_amount else values.MISSING
    return euros(contract.initial_amount)


def percent(share: Decimal | None) -> str:
    """A computed share, one decimal: "18,7 %" ("—" when there is nothing to share)."""
    return "—" if share is None else f"{values.format_number(share, 1)}{NBSP}%"


def stated_percent(share: Decimal) -> str:
    """A share someone set (a target, a national figure), as written: "30 %", "18,7 %"."""
    return f"{values.format_number(share)}{NBSP}%"
