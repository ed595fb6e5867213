"""The bilans: live (built from the tables on each request) and published (frozen).

A live PDF already rendered for the current state of the data downloads at once; otherwise its
render runs as a background job (reporting.jobs) and the person waits on the job's page.

Rights: SCP and the comité read and download; pilots read the pages but not the PDF. Versions SCP
made public are read without an account on the public site (public app), which sits above this one.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actions.models import Plan
from core import rights
from core.http import download
from evidence.jobs import ARCHIVE_RIGHT, evidence_archive_start
from reporting import services
from reporting.caching import frozen_pdf, live_bilan, live_bilan_pdf_ready, live_schema, live_schema_pdf_ready
from reporting.jobs import bilan_pdf_start, schema_pdf_start
from reporting.models import PublishedBilan
from www.plan_urls import plan_from_url, readable_plans


def _plan(request, slug: str) -> Plan:
    return plan_from_url(request, slug)


def _check_year(plan: Plan, year: int | None) -> None:
    if year is not None and year not in plan.years:
        raise Http404(f"Le plan ne couvre pas l'année {year}.")


def _require_read(user) -> None:
    rights.require(rights.may_read_plan(user))


def _require_download(user) -> None:
    rights.require(
        rights.may_download_bilan(user),
        "Le PDF est réservé au comité de suivi et au service commande publique.",
    )


def _rights(user) -> dict:
    return {
        "can_download": rights.may_download_bilan(user),
        "can_publish": rights.may_publish(user),
        "can_archive": rights.may_download_evidence_archive(user),
    }


def _scope(year: int | None) -> str:
    return "fin-de-plan" if year is None else str(year)


def bilan_list(request, slug: str):
    """Every year of the plan so far, the end-of-plan view, and the published versions."""
    _require_read(request.user)
    plan = _plan(request, slug)
    published = list(
        PublishedBilan.objects.of_plan(plan).without_content().select_related("plan", "published_by")
    )
    return render(
        request,
        "reporting/bilan_list.html",
        {
            "plan": plan,
            "years": sorted(plan.years, reverse=True),
            "published": published,
            **_rights(request.user),
        },
    )


def _live_page(request, slug: str, year: int | None):
    _require_read(request.user)
    plan = _plan(request, slug)
    _check_year(plan, year)
    versions = (
        PublishedBilan.objects.of_plan(plan).for_year(year).without_content().select_related("published_by")
    )
    bilan, bilan_html = live_bilan(plan=plan, year=year)
    return render(
        request,
        "reporting/bilan_page.html",
        {
            "plan": plan,
            "bilan": bilan,
            "bilan_html": bilan_html,
            "year": year,
            "versions": list(versions),
            **_rights(request.user),
        },
    )


def _live_pdf(request, slug: str, year: int | None):
    _require_download(request.user)
    plan = _plan(request, slug)
    _check_year(plan, year)
    ready = live_bilan_pdf_ready(plan=plan, year=year)  # rendered once per state of the data
    if ready is None:  # seconds to minutes of layout: a background job, and its page meanwhile
        return redirect("jobs:detail", pk=bilan_pdf_start(plan=plan, year=year, user=request.user).pk)
    pdf, stamp = ready
    return download(pdf, f"{plan.slug}-bilan-{_scope(year)}.pdf", etag=stamp)


def _publish(request, slug: str, year: int | None):
    rights.require(
        rights.may_publish(request.user), "La publication est réservée au service commande publique."
    )
    plan = _plan(request, slug)
    _check_year(plan, year)
    try:
        bilan = services.bilan_publish(plan=plan, year=year, user=request.user)
    except services.PublicationRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("reporting:bilan_list", slug=plan.slug)
    except IntegrityError:
        messages.error(
            request,
            "Une autre version de ce bilan vient d'être publiée au même moment : "
            "consultez la liste des versions avant de publier à nouveau.",
        )
        return redirect("reporting:bilan_list", slug=plan.slug)
    messages.success(
        request, f"{bilan.label} publié (version {bilan.version}) : son contenu est désormais figé."
    )
    return redirect("reporting:published_detail", slug=plan.slug, pk=bilan.pk)


def bilan_detail(request, slug: str, year: int):
    return _live_page(request, slug, year)


def bilan_download(request, slug: str, year: int):
    return _live_pdf(request, slug, year)


@require_POST
def bilan_publish_action(request, slug: str, year: int):
    return _publish(request, slug, year)


def evidence_archive(request, slug: str, year: int):
    """The audit archive of the year's evidence (a zip with its manifest): built by a background job
    (evidence.jobs), which SCP waits for on its page."""
    rights.require(rights.may_download_evidence_archive(request.user), ARCHIVE_RIGHT)
    plan = _plan(request, slug)
    _check_year(plan, year)
    return redirect("jobs:detail", pk=evidence_archive_start(plan=plan, year=year, user=request.user).pk)


def final_detail(request, slug: str):
    return _live_page(request, slug, None)


def final_download(request, slug: str):
    return _live_pdf(request, slug, None)


@require_POST
def final_publish_action(request, slug: str):
    return _publish(request, slug, None)


def _published(request, slug: str, pk: int, queryset) -> PublishedBilan:
    """A published version of the URL's plan (another plan's number: 404, as for an unknown one)."""
    plan = _plan(request, slug)
    bilan = get_object_or_404(queryset, pk=pk, plan=plan)
    bilan.plan = plan
    return bilan


def published_moved(request, pk: int, to: str):
    """A published version's address from before the plan was in the URL: the same page, under its plan."""
    _require_read(request.user)
    plan_id = get_object_or_404(PublishedBilan.objects.values_list("plan_id", flat=True), pk=pk)
    plan = next((plan for plan in readable_plans(request) if plan.pk == plan_id), None)
    if plan is None:
        raise Http404("Ce bilan n'existe pas.")
    return redirect(to, slug=plan.slug, pk=pk)


def published_detail(request, slug: str, pk: int):
    """A published version, re-rendered from its frozen data (never from the live tables)."""
    _require_read(request.user)
    bilan = _published(request, slug, pk, PublishedBilan.objects.defer("pdf").select_related("published_by"))
    return render(
        request,
        "reporting/published_page.html",
        {
            "published": bilan,
            "bilan": bilan.data,
            **_rights(request.user),
        },
    )


def published_download(request, slug: str, pk: int):
    _require_download(request.user)
    bilan = _published(request, slug, pk, PublishedBilan.objects.without_content())
    return download(frozen_pdf(bilan), bilan.filename, etag=bilan.sha256)


@require_POST
def published_set_public(request, slug: str, pk: int):
    rights.require(
        rights.may_publish(request.user), "La publication est réservée au service commande publique."
    )
    bilan = _published(request, slug, pk, PublishedBilan.objects.without_content())
    is_public = request.POST.get("is_public") == "1"
    try:
        services.published_bilan_set_public(bilan=bilan, is_public=is_public, user=request.user)
    except services.PublicationRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if is_public:
            messages.success(
                request, f"{bilan} est public : il est lisible sans connexion sur le site public."
            )
        else:
            messages.success(request, f"{bilan} n'est plus public.")
    return redirect("reporting:published_detail", slug=bilan.plan.slug, pk=bilan.pk)


# --- the schema document: the plan itself (not a bilan), page and tagged PDF ------------------------


def schema_detail(request, slug: str):
    """Whoever may read the plan reads its schema (a plan in preparation: SCP and the comité only)."""
    _require_read(request.user)
    plan = _plan(request, slug)
    schema, schema_html = live_schema(plan=plan)
    return render(
        request,
        "reporting/schema_page.html",
        {"plan": plan, "schema": schema, "schema_html": schema_html, **_rights(request.user)},
    )


def schema_download(request, slug: str):
    _require_read(request.user)
    plan = _plan(request, slug)
    _require_download(request.user)
    ready = live_schema_pdf_ready(plan=plan)
    if ready is None:  # not rendered for this state of the data yet: a background job
        return redirect("jobs:detail", pk=schema_pdf_start(plan=plan, user=request.user).pk)
    pdf, stamp = ready
    return download(pdf, f"{plan.slug}-schema.pdf", etag=stamp)
