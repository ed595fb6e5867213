"""The bilan's section "Comparaison nationale": the plan's buyers beside the buyers of their kind for
the bilan's year (the plan's last year for the end-of-plan bilan), with their trend over the bilan's
years, as plain data that publishing freezes (reporting.selectors.bilan_build).

From the latest national computation (national.selectors.plan_comparison: 3 queries whatever the
number of buyers); None when there is none or the plan has no buyer. `public` records whether SCP had
published that computation: the public site's copy of a bilan leaves the section out otherwise
(public.selectors.public_bilan_data).
"""

from django.utils.formats import date_format

from national.selectors import BuyerComparison, Spread, percent, plan_comparison

from .bilan_figures import Scope

SIDES = (
    ("social", "Au moins une considération sociale"),
    ("environmental", "Au moins une considération environnementale"),
)


def _spread(label: str, spread: Spread, peers: int) -> dict:
    return {
        "label": label,
        "value": percent(spread.value),
        "first_quartile": percent(spread.first_quartile),
        "median": percent(spread.median),
        "third_quartile": percent(spread.third_quartile),
        "rank": f"{spread.rank} sur {peers}" if spread.rank is not None else "—",
        "national": percent(spread.national),
        "target": percent(spread.target),
    }


def _buyer(buyer: BuyerComparison, years: list[int]) -> dict:
    current = buyer.year
    return {
        "name": buyer.name or buyer.siret,
        "siret": buyer.siret,
        "kind_label": current.kind_label if current else "",
        "contracts": current.contracts if current else 0,
        "peers": current.peers if current else 0,
        "rows": [_spread(label, current.spreads[side], current.peers) for side, label in SIDES]
        if current
        else [],
        "trend": [
            {
                "year": year,
                "contracts": c.contracts if c else 0,
                "social": percent(c.spreads["social"].value) if c else "—",
                "social_median": percent(c.spreads["social"].median) if c else "—",
                "environmental": percent(c.spreads["environmental"].value) if c else "—",
                "environmental_median": percent(c.spreads["environmental"].median) if c else "—",
            }
            for year, c in buyer.trend
            if year in years
        ],
    }


def national_section(scope: Scope) -> dict | None:
    """The comparison for the bilan's year, frozen as plain data; None without figures to compare."""
    year = scope.year if scope.year is not None else max(scope.years)
    page = plan_comparison(scope.plan, year)
    if page.dataset is None or not page.buyers:
        return None
    dataset = page.dataset
    return {
        "title": "Comparaison nationale",
        "year": year,
        "buyers": [_buyer(buyer, scope.years) for buyer in page.buyers],
        "source_label": f"{dataset.label}, données du {date_format(dataset.source_date, 'j F Y')}",
        "target_source": page.target_source,
        "is_demo": dataset.is_demo,
        "public": dataset.published,
    }
