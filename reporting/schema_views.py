"""The schema document's pages: the plan itself as a web page and as a tagged PDF.

Rights: whoever may read the plan reads the page (a plan in preparation: SCP and the comité only,
a 404 for everyone else, as if it did not exist); the PDF, like the bilan's, is for SCP and the comité.
"""

from django.http import HttpResponse
from django.shortcuts import render

from actions import rights
from actions.models import Plan
from actions.plan_urls import plan_from_url

from .schema import live_schema, live_schema_pdf


def _readable_plan(request, slug: str) -> Plan:
    rights.require(rights.may_read_plan(request.user))
    return plan_from_url(request, slug)


def schema_detail(request, slug: str):
    plan = _readable_plan(request, slug)
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
    plan = _readable_plan(request, slug)
    rights.require(
        rights.may_download_bilan(request.user),
        "Le PDF est réservé au comité de suivi et au service commande publique.",
    )
    pdf, stamp = live_schema_pdf(plan=plan)  # rendered once per state of the data
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}-schema.pdf"'
    response["ETag"] = f'"{stamp}"'
    return response
