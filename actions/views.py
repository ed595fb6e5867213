"""Downloads of the plan itself. The pages that show the plan with its follow-up are the indicators
app's (indicators.views.pages): they need the yearly follow-up, which sits above this app."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import rights
from .excel.files import xlsx_response
from .excel.plan_workbook import plan_workbook
from .models import Plan


def plan_xlsx(request, slug: str):
    """The plan: fiches (with every field), pilots, milestones and indicators, one sheet each."""
    rights.require(
        rights.may_export(request.user),
        "Les exports sont réservés au comité et au service commande publique.",
    )
    plan = get_object_or_404(Plan, slug=slug)
    today = timezone.localdate().isoformat()
    return xlsx_response(plan_workbook(plan), f"{plan.slug}-plan-{today}.xlsx")
