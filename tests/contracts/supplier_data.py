"""Holders for the tests of the shares by category: SIRENE rows and inclusion listings created directly
(the import services are tested on their own), contracts with several holders, unknown holders, a
closed establishment, an anomalous amount, an excluded contract, a contract naming no holder.

`CATEGORIES` says, by hand, which categories each holder belongs to under the rules; `expected()`
counts the shares from the specs with plain Python and none of the app's code.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from contracts.models import Contract
from contracts.services import contract_holders_sync
from suppliers.models import Establishment, InclusionListing, LegalUnit
from tests.contracts.legal_data import BUYER, OTHER_BUYER, Spec, add_buyer, create

D = datetime.date
SIRENE_DATE = D(2026, 11, 1)
LIST_DATE = D(2026, 10, 15)

A = "11111111100011"  # PME, TPE, in the buyer's département (54): local
B = "22222222200022"  # PME, ESS, in the Moselle (57), its establishment closed
C = "33333333300033"  # a large company's ESAT (listed by its SIRET), in the 54
DD = "44444444400044"  # its company is a PME, but the establishment is not in SIRENE: non identifié
E = "FR12345678901"  # a foreign identifier: non identifié
G = "55555555500055"  # a SIAE listed under another establishment of its company (same SIREN)
H = "66666666600066"  # a GEIQ, in the Meuse (55)

CATEGORIES = {
    A: {"pme", "tpe", "local"},
    B: {"pme", "ess"},
    C: {"ea_esat", "local"},
    DD: {"pme", "unidentified"},
    E: {"unidentified"},
    G: {"siae"},
    H: {"geiq"},
}
KEYS = ("pme", "tpe", "ess", "siae", "ea_esat", "geiq", "local", "unidentified")


def _unit(siren: str, name: str, *, category="", band="", ess=None) -> None:
    LegalUnit.objects.create(
        siren=siren,
        name=name,
        enterprise_category=category,
        headcount_band=band,
        ess=ess,
        source_date=SIRENE_DATE,
    )


def _establishment(siret: str, departement: str, *, commune="", closed=False) -> None:
    Establishment.objects.create(
        siret=siret,
        siren=siret[:9],
        departement=departement,
        commune_name=commune,
        closed=closed,
        source_date=SIRENE_DATE,
    )


def add_suppliers() -> None:
    """SIRENE and the inclusion lists, as their imports would leave them."""
    _establishment(BUYER, "54", commune="Nancy")  # the buyer's own: the 54 is local
    _unit(A[:9], "Menuiserie Dupont", category="PME", band="02")
    _establishment(A, "54", commune="Toul")
    _unit(B[:9], "Coopérative du Saulnois", category="PME", band="12", ess=True)
    _establishment(B, "57", commune="Metz", closed=True)
    _unit(C[:9], "Grand Groupe SA", category="GE", band="53")
    _establishment(C, "54", commune="Lunéville")
    InclusionListing.objects.create(
        siret=C,
        siren=C[:9],
        kind="ea_esat",
        subkind="ESAT",
        name="ESAT du Lunévillois",
        source="Liste des EA et ESAT (FINESS)",
        source_date=LIST_DATE,
    )
    _unit(DD[:9], "Transports Martin", category="PME", band="11")
    _unit(G[:9], "Chantier d'insertion des Vosges", category="ETI", band="22")
    _establishment(G, "88", commune="Épinal")
    InclusionListing.objects.create(
        siret=G[:9] + "00099",
        siren=G[:9],
        kind="siae",
        subkind="ACI",
        name="ACI des Vosges",
        source="Liste des SIAE (marché de l'inclusion)",
        source_date=LIST_DATE,
    )
    _establishment(H, "55", commune="Verdun")
    InclusionListing.objects.create(
        siret=H,
        siren=H[:9],
        kind="geiq",
        subkind="GEIQ",
        name="GEIQ BTP Meuse",
        source="Liste des GEIQ",
        source_date=LIST_DATE,
    )


def specs() -> list[Spec]:
    """The contracts, each with what it tests."""
    return [
        Spec("S-1", D(2025, 2, 1), Decimal("100000.00"), [], [], holders=[A, B]),  # two holders
        Spec("S-2", D(2025, 3, 1), Decimal("1000.00"), [], [], holders=[A, C, E]),  # thirds
        Spec("S-3", D(2025, 4, 1), Decimal("500.00"), [], [], holders=[]),  # no holder named
        Spec("S-4", D(2025, 5, 1), Decimal("0.50"), [], [], holders=[DD]),  # anomalous amount
        Spec("S-5", D(2025, 6, 1), Decimal("7000.00"), [], [], holders=[B]),  # excluded below
        Spec("S-6", D(2025, 7, 1), Decimal("10.01"), [], [], holders=[G, H]),  # half cents
        Spec("S-7", D(2024, 7, 1), Decimal("2000.00"), [], [], holders=[A]),  # another year
        Spec("S-8", D(2025, 7, 1), Decimal("9000.00"), [], [], holders=[A], buyer=OTHER_BUYER),  # not ours
    ]


EXCLUDED = {"S-5"}
ANOMALOUS = {"S-4"}


def load(plan) -> list[Spec]:
    """The plan's buyer, the suppliers and the contracts (with their holders' rows, as the import)."""
    add_buyer(plan)
    add_suppliers()
    made = specs()
    contracts = [create(spec) for spec in made]
    Contract.objects.filter(contract_id__in=EXCLUDED).update(excluded=True)
    contract_holders_sync(contracts=contracts)
    return made


def expected(made: list[Spec], year: int) -> dict[str, dict]:
    """The shares of `year`, from the rules applied by hand to the specs."""
    counts = dict.fromkeys(KEYS, 0)
    amounts = dict.fromkeys(KEYS, Fraction(0))
    for spec in made:
        if spec.year != year or spec.buyer != BUYER or spec.contract_id in EXCLUDED:
            continue
        holders = [CATEGORIES[h] for h in spec.holders] or [{"unidentified"}]
        for key in KEYS:
            counts[key] += any(key in categories for categories in holders)
        if spec.contract_id in ANOMALOUS:
            continue
        for categories in holders:
            for key in categories:
                amounts[key] += Fraction(spec.amount) / len(holders)
    return {
        key: {
            "count": counts[key],
            "amount": (Decimal(amounts[key].numerator) / Decimal(amounts[key].denominator)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            ),
        }
        for key in KEYS
    }
