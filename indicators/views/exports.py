"""Download of the yearly values and progress (SCP and comité de suivi only)."""

from django.utils import timezone

from actions.plan_urls import plan_from_url
from core import rights
from core.excel.files import xlsx_response

from ..values_workbook import values_workbook


def values_xlsx(request, slug: str):
    """The yearly values: one row per indicator, one column per year; re-importable in the admin."""
    rights.require(
        rights.may_export(request.user),
        "Les exports sont réservés au comité et au service commande publique.",
    )
    plan = plan_from_url(request, slug)
    today = timezone.localdate().isoformat()
    return xlsx_response(values_workbook(plan), f"{plan.slug}-valeurs-{today}.xlsx")
