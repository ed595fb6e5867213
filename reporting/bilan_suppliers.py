"""Who the money went to, in the bilan: the shares of the contracts by category of their holders
(PME, TPE, ESS, SIAE, EA/ESAT, GEIQ, local, non identifié) over the bilan's year -- every year of the
plan together for the end-of-plan bilan --, with their rules, the local départements and the data
the categories were read from (contracts.selectors.supplier_section, the legal indicators page's
section).

Plain data that publishing freezes (reporting.selectors.bilan_build): SIRENE or an inclusion list
imported later never changes a published version. For a closed plan, the contracts as they stood at
its closing. None when the plan has no buyer (no legal section). 8 queries whatever the number of
contracts (9 for a closed plan), none without buyers.
"""

from contracts.selectors import PlanRegister, supplier_section

from .bilan_figures import Scope

TITLE = "Titulaires des contrats"


def suppliers_section(scope: Scope, legal: dict | None) -> dict | None:
    """The section, for the buyers of the bilan's legal section (`legal`, None: no buyer)."""
    if legal is None:
        return None
    register = PlanRegister.of(scope.plan, [buyer["siret"] for buyer in legal["buyers"]])
    contracts = register.contracts()
    if scope.year is None:
        period, label = (
            contracts.filter(year__in=scope.years),
            f"notifiés de {scope.years[0]} à {scope.years[-1]}",
        )
    else:
        period, label = contracts.filter(year=scope.year), f"notifiés en {scope.year}"
    return {
        "title": TITLE,
        "period_label": label,
        **supplier_section(scope.plan, period, register.thresholds()),
    }
