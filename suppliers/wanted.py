"""Which companies the SIRENE import keeps: the higher apps plug in what they need (the register's
holders, the national comparison's buyers); this app knows the plans' buyers itself.

A provider returns SIRETs (14 digits) or SIRENs (9 digits); the import keeps the legal units of every
SIREN named (a SIRET names its SIREN) and the establishments of every SIRET named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_providers: list[Callable[[], Iterable[str]]] = []


def register_provider(provider: Callable[[], Iterable[str]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def wanted_identifiers() -> tuple[set[str], set[str]]:
    """(SIRENs, SIRETs) the import keeps: the plans' buyers and what every provider names."""
    from actions.models import Buyer

    sirens: set[str] = set()
    sirets: set[str] = set()
    identifiers = list(Buyer.objects.values_list("siret", flat=True))
    for provider in _providers:
        identifiers.extend(provider())
    for identifier in identifiers:
        identifier = (identifier or "").strip()
        if len(identifier) == 14 and identifier.isdigit():
            sirets.add(identifier)
            sirens.add(identifier[:9])
        elif len(identifier) == 9 and identifier.isdigit():
            sirens.add(identifier)
    return sirens, sirets
