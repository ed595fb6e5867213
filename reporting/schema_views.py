"""The schema document's pages: the plan itself as a web page and as a tagged PDF.

Rights: whoever may read the plan reads the page (a plan in preparation: SCP and the comité only,
a 404 for everyone else, as if it did not exist); the PDF, like the bilan's, is for SCP and the comité.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from actions import rights
from actions.models import Plan

from .schema import live_schema, live_schema_pdf

# The bilan's views (reporting.views) are being reorganised per plan: this module leans on none of
# their private helpers, so the two merge independently.


def _readable_plan(user, slug: str) -> Plan:
    rights.require(rights.may_read_plan(user))
    plan = get_object_or_404(Plan, slug=slug)
    if not rights.may_read_plan_of(user, plan):
        raise Http404("Aucun plan ne correspond à cette adresse.")
    return plan


def schema_detail(request, slug: str):
    plan = _readable_plan(request.user, slug)
    schema, schema_html = live_schema(plan=plan)
    return render(
        request,
        "reporting/schema_page.html",
        {
            "plan": plan,
            "schema": schema,
            "schema_html": schema_html,
            "can_download": rights.may_download_bilan(request.user),
        },
    )


def schema_pdf(request, slug: str):
    plan = _readable_plan(request.user, slug)
    rights.require(
        rights.may_download_bilan(request.user),
        "Le PDF est réservé au comité de suivi et au service commande publique.",
    )
    pdf, stamp = live_schema_pdf(plan=plan)  # rendered once per state of the data
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-schema.pdf"'
    response["ETag"] = f'"{stamp}"'
    return response
