"""Downloads of the plan itself. The pages that show the plan with its follow-up are the indicators
app's (indicators.views.pages): they need the yearly follow-up, which sits above this app."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from core import rights
from core.excel.files import xlsx_response

from .excel.plan_workbook import plan_workbook
from .plan_urls import current_plan, plan_from_url


def to_current_plan(request, to: str, **kwargs):
    """An address from before there were several plans (`/bilans/2025/`): the same page of the current
    plan (the one in force the user may read), so that bookmarks and links in e-mails keep working."""
    plan = current_plan(request, year=kwargs.get("year"))
    url = reverse(to, kwargs={"slug": plan.slug, **kwargs})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


def plan_xlsx(request, slug: str):
    """The plan: fiches (with every field), pilots, milestones and indicators, one sheet each."""
    rights.require(
        rights.may_export(request.user),
        "Les exports sont réservés au comité et au service commande publique.",
    )
    plan = plan_from_url(request, slug)
    today = timezone.localdate().isoformat()
    return xlsx_response(plan_workbook(plan), f"{plan.slug}-plan-{today}.xlsx")
