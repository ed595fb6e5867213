"""The categories a contract's holders belong to: one home for each rule (said on the pages).

- PME: INSEE's `categorieEntreprise` "PME" (SIRENE, unité légale);
- TPE: `trancheEffectifsUniteLegale` NN, 00, 01, 02 or 03 (fewer than 10 employees);
- ESS: `economieSocialeSolidaireUniteLegale` "O";
- SIAE, EA/ESAT, GEIQ: the holder's SIRET on that inclusion list (else its SIREN: a structure is
  listed by one establishment, its contracts may name another);
- local: the holder's establishment (its SIRET) in one of the local départements (SCP's list for the
  plan, else the départements of the buyers' own establishments in SIRENE);
- non identifié: a holder whose SIRET is not in SIRENE (a foreign or missing identifier included).
A closed establishment keeps its categories: the contract went to it while it was open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from actions.models import Buyer, Plan

from .enums import InclusionKind, SourceKind, SupplierCategory
from .models import Establishment, InclusionListing, LegalUnit, LocalArea

TPE_BANDS = frozenset({"NN", "00", "01", "02", "03"})
INCLUSION_CATEGORIES = {
    InclusionKind.SIAE: SupplierCategory.SIAE,
    InclusionKind.EA_ESAT: SupplierCategory.EA_ESAT,
    InclusionKind.GEIQ: SupplierCategory.GEIQ,
}
RULES = {
    SupplierCategory.PME: "catégorie d'entreprise INSEE « PME » (SIRENE)",
    SupplierCategory.TPE: "tranche d'effectifs NN, 00, 01, 02 ou 03 : moins de 10 salariés (SIRENE)",
    SupplierCategory.ESS: "entreprise de l'économie sociale et solidaire (SIRENE)",
    SupplierCategory.SIAE: "SIRET (ou SIREN) sur la liste des SIAE : EI, AI, ACI, ETTI, EITI",
    SupplierCategory.EA_ESAT: "SIRET (ou SIREN) sur la liste des entreprises adaptées et ESAT",
    SupplierCategory.GEIQ: "SIRET (ou SIREN) sur la liste des GEIQ",
    SupplierCategory.LOCAL: "établissement titulaire (son SIRET) situé dans un département local",
    SupplierCategory.UNIDENTIFIED: "SIRET du titulaire absent de SIRENE, ou identifiant autre qu'un SIRET",
}


@dataclass(frozen=True)
class Evidence:
    """Where a category comes from: its source and the date of that source."""

    source: str
    date: datetime.date


@dataclass
class HolderFacts:
    """One holder (a SIRET or any identifier the DECP gives): its name, its place, its categories."""

    identifier: str
    siren: str = ""
    name: str = ""
    commune: str = ""
    departement: str = ""
    closed: bool = False
    is_demo: bool = False
    categories: dict[str, Evidence] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return SupplierCategory.UNIDENTIFIED not in self.categories

    def category_list(self) -> list[dict]:
        return [
            {"category": key, "label": SupplierCategory(key).label, "source": ev.source, "date": ev.date}
            for key, ev in self.categories.items()
        ]


def _siren(identifier: str) -> str:
    return identifier[:9] if len(identifier) == 14 and identifier.isdigit() else ""


def _unit_categories(unit: LegalUnit) -> dict[str, Evidence]:
    evidence = Evidence(SourceKind.SIRENE_UNITS.label, unit.source_date)
    found = {}
    if unit.enterprise_category == "PME":
        found[SupplierCategory.PME] = evidence
    if unit.headcount_band in TPE_BANDS:
        found[SupplierCategory.TPE] = evidence
    if unit.ess:
        found[SupplierCategory.ESS] = evidence
    return found


def holder_facts(identifiers, local_departements) -> dict[str, HolderFacts]:
    """The facts of each holder identifier, by identifier: 3 queries whatever their number (0 when
    there is none). `local_departements`: the codes that make an establishment local."""
    identifiers = sorted({identifier for identifier in identifiers if identifier})
    if not identifiers:
        return {}
    sirens = {_siren(identifier) for identifier in identifiers} - {""}
    establishments = {e.siret: e for e in Establishment.objects.filter(siret__in=identifiers)}
    units = {u.siren: u for u in LegalUnit.objects.filter(siren__in=sirens)}
    listings: dict[str, list[InclusionListing]] = {}
    for listing in InclusionListing.objects.filter(siren__in=sirens).order_by("kind", "siret"):
        listings.setdefault(listing.siren, []).append(listing)
    local = set(local_departements)
    facts = {}
    for identifier in identifiers:
        siren = _siren(identifier)
        one = HolderFacts(identifier, siren)
        establishment, unit = establishments.get(identifier), units.get(siren)
        if establishment is None:
            one.categories[SupplierCategory.UNIDENTIFIED] = Evidence(
                SourceKind.SIRENE_ESTABLISHMENTS.label, _latest(establishments, units)
            )
        else:
            one.commune, one.departement = establishment.commune_name, establishment.departement
            one.closed, one.is_demo = establishment.closed, establishment.is_demo
            if establishment.departement and establishment.departement in local:
                one.categories[SupplierCategory.LOCAL] = Evidence(
                    SourceKind.SIRENE_ESTABLISHMENTS.label, establishment.source_date
                )
        if unit is not None:
            one.name = unit.name
            one.categories.update(_unit_categories(unit))
        for listing in _listings_of(listings.get(siren, []), identifier):
            one.name = one.name or listing.name
            category = INCLUSION_CATEGORIES[listing.kind]
            one.categories.setdefault(category, Evidence(listing.source, listing.source_date))
        facts[identifier] = one
    return facts


def _listings_of(listings: list[InclusionListing], siret: str) -> list[InclusionListing]:
    """The holder's own listings (its SIRET) first; its company's (same SIREN) otherwise."""
    own = [listing for listing in listings if listing.siret == siret]
    return own + [listing for listing in listings if listing.siret != siret]


def _latest(establishments: dict, units: dict) -> datetime.date:
    """The date of the SIRENE data a holder was looked for in (today when none was imported)."""
    dates = [e.source_date for e in establishments.values()] + [u.source_date for u in units.values()]
    return max(dates) if dates else datetime.date.today()


def local_departements(plan: Plan) -> tuple[list[str], str]:
    """The départements whose establishments are local for `plan`, and where that list comes from:
    SCP's list when set, else the départements of the buyers' own establishments in SIRENE. 2 queries."""
    area = LocalArea.objects.filter(plan=plan).first()
    if area is not None and area.codes:
        return area.codes, "liste fixée par le service commande publique"
    sirets = Buyer.objects.filter(plan=plan).values_list("siret", flat=True)
    codes = sorted(
        set(
            Establishment.objects.filter(siret__in=sirets)
            .exclude(departement="")
            .values_list("departement", flat=True)
        )
    )
    return codes, "département de l'établissement de l'acheteur (SIRENE)"
