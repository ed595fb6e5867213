"""The bilan's figures: key figures by axis, the validation of its figures and the legal indicators'
section, as plain data that publishing freezes (reporting.selectors.bilan_build)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from actions.enums import MilestoneState, ProgressStatus
from actions.models import Plan
from contracts.selectors import contract_amount, legal_overview
from indicators.models import UNKNOWN_PROGRESS, UNKNOWN_PROGRESS_LABEL

# The contracts of each of the legal section's lists the bilan names (the rest are counted).
MISSING_ENVIRONMENTAL_LISTED = 30


@dataclass
class Scope:
    """Which years a bilan covers and the day its milestones are judged on."""

    plan: Plan
    year: int | None
    now: datetime.datetime

    @property
    def years(self) -> list[int]:
        return self.plan.years if self.year is None else list(range(self.plan.start_year, self.year + 1))

    @property
    def review_years(self) -> list[int]:
        return self.years if self.year is None else [self.year]

    @property
    def reference_date(self) -> datetime.date:
        today = timezone.localdate(self.now)
        return today if self.year is None else min(today, datetime.date(self.year, 12, 31))


@dataclass
class Tally:
    """The counts the key figures add up, per axis and in all, while the fiches are read."""

    axes: dict
    milestones: Counter = field(default_factory=Counter)
    validated_reviews: int = 0
    is_demo: bool = False

    def add_cells(self, axis_id: int, cells: list[dict]) -> None:
        axis = self.axes[axis_id]
        axis["cells_total"] += len(cells)
        axis["cells_filled"] += sum(not c["missing"] for c in cells)
        self.is_demo = self.is_demo or any(c["is_demo"] for c in cells)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def percent_label(part: int, whole: int) -> str:
    share = _percent(part, whole)
    return "—" if share is None else f"{share} %"


def status_legend() -> list[dict]:
    """The legend of progress statuses, in a fixed order, "no review" last."""
    return [{"code": code, "label": label} for code, label in ProgressStatus.choices] + [
        {"code": UNKNOWN_PROGRESS, "label": UNKNOWN_PROGRESS_LABEL}
    ]


def key_figures(axes: list[dict], tally: Tally, scope: Scope, statuses: list[dict], fiche_count: int) -> dict:
    by_axis, total_counts = [], Counter()
    cells_total = cells_filled = 0
    for axis in axes:
        counts = Counter(f["status"] for f in axis["fiches"])
        total_counts.update(counts)
        axis_total, axis_filled = axis["cells_total"], axis["cells_filled"]
        cells_total, cells_filled = cells_total + axis_total, cells_filled + axis_filled
        by_axis.append(
            {
                "name": axis["name"],
                "anchor": axis["anchor"],
                "fiches": len(axis["fiches"]),
                "counts": [{**s, "count": counts[s["code"]]} for s in statuses],
                "indicators_total": axis_total,
                "indicators_filled": axis_filled,
                "indicators_share": _percent(axis_filled, axis_total),
                "indicators_share_label": percent_label(axis_filled, axis_total),
            }
        )
    years = scope.years
    milestones = tally.milestones
    milestones_total = sum(milestones.values())
    return {
        "fiches": fiche_count,
        "by_axis": by_axis,
        "status_totals": [{**s, "count": total_counts[s["code"]]} for s in statuses],
        "indicators_label": f"Valeurs d'indicateurs renseignées (indicateur × année, {years[0]}-{years[-1]})"
        if scope.year is None
        else f"Indicateurs renseignés pour {scope.year}",
        "indicators_total": cells_total,
        "indicators_filled": cells_filled,
        "indicators_share": _percent(cells_filled, cells_total),
        "indicators_share_label": percent_label(cells_filled, cells_total),
        "milestones": {
            "total": milestones_total,
            **{state.value: milestones[state.value] for state in MilestoneState},
            "done_share_label": percent_label(milestones[MilestoneState.DONE.value], milestones_total),
            "reference_label": date_format(scope.reference_date, "j F Y"),
        },
    }


def validation(tally: Tally, scope: Scope, fiche_count: int) -> dict:
    validated, expected = tally.validated_reviews, fiche_count * len(scope.review_years)
    is_validated = expected > 0 and validated == expected
    if scope.year is None:
        label = f"{validated} bilans annuels de fiche validés sur {expected} attendus"
    else:
        plural = "s" if validated > 1 else ""
        label = f"{validated} fiche{plural} validée{plural} sur {fiche_count}"
    return {
        "is_validated": is_validated,
        "validated": validated,
        "expected": expected,
        "label": label,
        "status_label": "Chiffres validés" if is_validated else "Chiffres provisoires (non validés)",
    }


def _listed(contracts, plan: Plan) -> list[dict]:
    """The first contracts of one of the legal section's lists, as plain data (frozen at publication),
    each linked to its page in the register (where the comité and SCP read it)."""
    return [
        {
            "id": contract.contract_id,
            "url": reverse("contracts:contract_detail", args=[plan.slug, contract.pk]),
            "notified_label": date_format(contract.notified_on, "j F Y"),
            "object": contract.object,
            "amount_label": contract_amount(contract),
        }
        for contract in contracts[:MISSING_ENVIRONMENTAL_LISTED]
    ]


def legal_section(scope: Scope) -> dict | None:
    """The legal indicators (art. L2111-3) of the bilan's year -- of every year of the plan together for
    the end-of-plan bilan -- from the contracts register, with their trend over the bilan's years.
    None when the plan has no buyer (nothing to compute from). Plain data, frozen at publication like
    the rest: contracts imported later never change a published version."""
    overview = legal_overview(scope.plan, year=scope.year, years=scope.years, suppliers=False)
    if not overview.buyers:
        return None
    years = scope.years
    return {
        "title": "Indicateurs légaux (art. L2111-3)",
        "period_label": f"notifiés en {scope.year}"
        if scope.year is not None
        else f"notifiés de {years[0]} à {years[-1]}",
        "buyers": [{"name": b.name, "siret": b.siret} for b in overview.buyers],
        "contracts": overview.contracts,
        "known_count": overview.known_count,
        "unknown_label": overview.unknown_label,
        "rows": overview.rows,
        "trend": overview.trend,
        "is_demo": overview.is_demo,
        "duty_applies": overview.duty_applies,
        "missing_count": len(overview.missing),
        "missing": _listed(overview.missing, scope.plan),
        "anomalies_count": len(overview.anomalies),
        "anomalies": _listed(overview.anomalies, scope.plan),
        "corrected_count": len(overview.corrected),
        "corrected": _listed(overview.corrected, scope.plan),
        "excluded_count": len(overview.excluded),
        "duties": [
            {
                "label": duty["label"],
                "count": duty["count"],
                "contracts": _listed(duty["contracts"], scope.plan),
            }
            for duty in overview.duties
        ],
        "european_thresholds": overview.european_thresholds,
        "frozen_label": date_format(timezone.localtime(overview.frozen_at), "j F Y")
        if overview.frozen_at
        else "",
        "published_after_closing": overview.published_after_closing,
        "last_import_label": date_format(timezone.localtime(overview.last_import), "j F Y")
        if overview.last_import
        else "",
    }
