"""The register's pages: the legal indicators of a year (art. L2111-3), the list of contracts, a contract.

Rights (core.rights.may_read_register): SCP and the comité read them; pilots do not (they read the
figures computed for their fiches on their entry page); anonymous visitors are sent to the login page
by spaser.middleware.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from contracts import selectors, services
from core import rights
from core.caching import render_once, stamped_key
from core.versioning import StaleWrite
from www.plan_urls import current_plan, plan_from_url

from .filters import ContractFilterForm
from .forms import CorrectionForm

REFUSED = "Le registre des contrats est réservé au comité de suivi et au service commande publique."


def _require_read(user) -> None:
    rights.require(rights.may_read_register(user), REFUSED)


def legal_current(request):
    """The navigation's link: the plan in force, at its latest year with contracts."""
    _require_read(request.user)
    plan = current_plan(request)
    return redirect("contracts:legal_indicators", slug=plan.slug, year=selectors.legal_default_year(plan))


def legal_latest(request, slug: str):
    _require_read(request.user)
    plan = plan_from_url(request, slug)
    return redirect("contracts:legal_indicators", slug=plan.slug, year=selectors.legal_default_year(plan))


def legal_indicators(request, slug: str, year: int):
    _require_read(request.user)
    plan = plan_from_url(request, slug)
    if year not in plan.years:
        raise Http404(f"Le plan ne couvre pas l'année {year}.")
    # Computed once per state of the data (an import, a target or a reference edited changes it).
    overview = render_once(
        stamped_key("legal-overview", plan.pk, year),
        lambda: selectors.legal_overview(plan, year=year, years=plan.years),
    )
    return render(request, "contracts/legal_indicators.html", {"plan": plan, "overview": overview})


def contract_list(request, slug: str):
    _require_read(request.user)
    plan = plan_from_url(request, slug)
    form = ContractFilterForm(request.GET)
    register = selectors.register_page(plan=plan, filters=form.filters(), page_number=request.GET.get("page"))
    form.set_choices(years=register.years, divisions=register.divisions)
    return render(request, "contracts/contract_list.html", {"plan": plan, "form": form, "register": register})


def holder_detail(request, identifier: str):
    """A holder (SIRET mostly) of the plan's buyers' contracts: the plan in force, or `?plan=<slug>`."""
    _require_read(request.user)
    slug = request.GET.get("plan")
    plan = plan_from_url(request, slug) if slug else current_plan(request)
    page = selectors.holder_page(plan=plan, identifier=identifier)
    if page is None:
        raise Http404("Aucun contrat des acheteurs du plan n'a ce titulaire.")
    return render(request, "contracts/holder_detail.html", {"plan": plan, "page": page})


def contract_detail(request, slug: str, pk: int):
    """A contract, and for SCP the form that corrects it (services.contract_correct says who may)."""
    _require_read(request.user)
    plan = plan_from_url(request, slug)
    page = selectors.contract_page(plan=plan, pk=pk)
    if page is None:
        raise Http404("Ce contrat n'est pas un contrat des acheteurs du plan.")
    may_correct = rights.may_import_contracts(request.user)
    if request.method == "POST":
        rights.require(may_correct, services.CORRECTION_RIGHT)
    form = CorrectionForm(data=request.POST or None, correction=page.correction) if may_correct else None
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.contract_correct(
                contract=page.contract, user=request.user, **form.service_arguments()
            )
        except (services.CorrectionRefused, StaleWrite) as refusal:
            form.add_error(None, str(refusal))
        else:
            done = "corrigé" if correction is not None else "rendu à ses données publiées"
            messages.success(
                request, f"Contrat {page.contract.contract_id} {done} : les indicateurs en tiennent compte."
            )
            return redirect("contracts:contract_detail", slug=plan.slug, pk=pk)
    return render(request, "contracts/contract_detail.html", {"plan": plan, "page": page, "form": form})
