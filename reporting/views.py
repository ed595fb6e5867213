"""The bilans: live (built from the tables on each request) and published (frozen).

Rights: SCP and the comité read and download; pilots read the pages but not the PDF. Versions SCP
made public are read without an account on the public site (public app), which sits above this one.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actions import rights
from actions.models import Plan

from . import services
from .caching import live_bilan, live_bilan_pdf
from .models import PublishedBilan


def _plan() -> Plan:
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("Aucun plan n'est chargé.")
    return plan


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
    return {"can_download": rights.may_download_bilan(user), "can_publish": rights.may_publish(user)}


def _pdf_response(pdf: bytes, filename: str, *, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if etag:
        response["ETag"] = f'"{etag}"'
    return response


def _scope(year: int | None) -> str:
    return "fin-de-plan" if year is None else str(year)


def bilan_list(request):
    """Every year of the plan so far, the end-of-plan view, and the published versions."""
    _require_read(request.user)
    plan = _plan()
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


def _live_page(request, year: int | None):
    _require_read(request.user)
    plan = _plan()
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


def _live_pdf(request, year: int | None):
    _require_download(request.user)
    plan = _plan()
    _check_year(plan, year)
    pdf, stamp = live_bilan_pdf(plan=plan, year=year)  # rendered once per state of the data
    return _pdf_response(pdf, f"{plan.slug}-bilan-{_scope(year)}.pdf", etag=stamp)


def _publish(request, year: int | None):
    rights.require(
        rights.may_publish(request.user), "La publication est réservée au service commande publique."
    )
    plan = _plan()
    _check_year(plan, year)
    try:
        bilan = services.bilan_publish(plan=plan, year=year, user=request.user)
    except IntegrityError:
        messages.error(
            request,
            "Une autre version de ce bilan vient d'être publiée au même moment : "
            "consultez la liste des versions avant de publier à nouveau.",
        )
        return redirect("reporting:bilan_list")
    messages.success(
        request, f"{bilan.label} publié (version {bilan.version}) : son contenu est désormais figé."
    )
    return redirect("reporting:published_detail", pk=bilan.pk)


def bilan_detail(request, year: int):
    return _live_page(request, year)


def bilan_pdf(request, year: int):
    return _live_pdf(request, year)


@require_POST
def bilan_publish(request, year: int):
    return _publish(request, year)


def final_detail(request):
    return _live_page(request, None)


def final_pdf(request):
    return _live_pdf(request, None)


@require_POST
def final_publish(request):
    return _publish(request, None)


def published_detail(request, pk: int):
    """A published version, re-rendered from its frozen data (never from the live tables)."""
    _require_read(request.user)
    bilan = get_object_or_404(
        PublishedBilan.objects.defer("pdf").select_related("plan", "published_by"), pk=pk
    )
    return render(
        request,
        "reporting/published_page.html",
        {
            "published": bilan,
            "bilan": bilan.data,
            **_rights(request.user),
        },
    )


def published_pdf(request, pk: int):
    _require_download(request.user)
    bilan = get_object_or_404(PublishedBilan.objects.defer("data").select_related("plan"), pk=pk)
    return _pdf_response(bytes(bilan.pdf), bilan.filename, etag=bilan.sha256)


@require_POST
def published_set_public(request, pk: int):
    rights.require(
        rights.may_publish(request.user), "La publication est réservée au service commande publique."
    )
    bilan = get_object_or_404(PublishedBilan.objects.without_content().select_related("plan"), pk=pk)
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
    return redirect("reporting:published_detail", pk=bilan.pk)
