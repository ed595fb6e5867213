"""Excel downloads (SCP and comité de suivi): the plan, its yearly values, the comparison of two plans.

Each workbook is written by its own module (actions.excel.plan_workbook, indicators.values_workbook,
planning.selectors.comparison_sheets); these views only check the right and serve it with
core.http.download.
"""

from django.utils import timezone

from actions.excel.plan_workbook import plan_workbook
from core import rights
from core.excel.files import build_workbook
from core.http import download
from indicators.values_workbook import values_workbook
from planning import selectors as planning_selectors
from www.plan_urls import plan_from_url, successor_from_url

EXPORT_REFUSED = "Les exports sont réservés au comité et au service commande publique."


def _workbook(plan, kind: str, data: bytes):
    return download(data, f"{plan.slug}-{kind}-{timezone.localdate().isoformat()}.xlsx")


def plan_xlsx(request, slug: str):
    """The plan: fiches (with every field), pilots, milestones and indicators, one sheet each."""
    rights.require(rights.may_export(request.user), EXPORT_REFUSED)
    plan = plan_from_url(request, slug)
    return _workbook(plan, "plan", plan_workbook(plan))


def values_xlsx(request, slug: str):
    """The yearly values: one row per indicator, one column per year; re-importable in the admin."""
    rights.require(rights.may_export(request.user), EXPORT_REFUSED)
    plan = plan_from_url(request, slug)
    return _workbook(plan, "valeurs", values_workbook(plan))


def comparison_xlsx(request, slug: str):
    """The next plan against the one it follows: fiches, decisions, indicators continued."""
    plan = successor_from_url(request, slug)
    rights.require(rights.may_export(request.user), EXPORT_REFUSED)
    data = planning_selectors.comparison(plan=plan)
    return _workbook(plan, "comparaison", build_workbook(planning_selectors.comparison_sheets(data)))
