"""The pages that move from one plan to the next: prepare the draft, decide each old fiche from its
evaluation, compare old and new (page and Excel).

Rights (core.rights): SCP prepares and decides; the comité reads the decisions and the comparison;
a plan in preparation does not exist for anyone else (404), and once in force its comparison is read
by every role. Writes go through planning.services's services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from actions.models import Plan
from core import rights
from core.versioning import StaleWrite
from planning import selectors
from planning.models import FicheDecision
from planning.services import (
    PreparationError,
    fiche_add_new,
    fiche_decide,
    plan_prepare_next,
    successor_in_preparation,
)
from www.plan_urls import plan_from_url, successor_from_url

from .forms import DecisionForm, NewFicheForm, PrepareNextForm


def _apply(form, error: ValidationError) -> None:
    """A service's refusal (keyed by field, or not) beside the form's fields."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def prepare_next(request, slug: str):
    """SCP prepares the plan that follows `slug`: the frame copied, every fiche "reconduite"."""
    old = plan_from_url(request, slug)
    rights.require(
        rights.may_prepare_plan(request.user),
        "La préparation du plan suivant est réservée au service commande publique.",
    )
    draft = successor_in_preparation(old)
    suggested = old.end_year + 1
    form = PrepareNextForm(
        data=request.POST or None,
        old=old,
        initial={"start_year": suggested, "end_year": suggested + old.end_year - old.start_year},
    )
    if request.method == "POST" and draft is None and form.is_valid():
        try:
            new = plan_prepare_next(
                old=old,
                user=request.user,
                slug=form.cleaned_data["slug"],
                title=form.cleaned_data["title"],
                short_title=form.cleaned_data["short_title"],
                start_year=form.cleaned_data["start_year"],
                end_year=form.cleaned_data["end_year"],
            )
        except PreparationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Le plan « {new} » est en préparation : décidez maintenant du sort de chaque fiche."
            )
            return redirect("planning:decisions", slug=new.slug)
    return render(request, "planning/prepare.html", {"old": old, "form": form, "draft": draft})


def decisions(request, slug: str):
    """Each fiche of the old plan, its evaluation beside its decision (one form per fiche)."""
    plan = successor_from_url(request, slug)
    if not (rights.is_scp(request.user) or rights.is_committee(request.user)):
        raise Http404("Cette page n'existe pas.")
    can_edit = rights.may_prepare_plan(request.user) and plan.is_in_preparation
    page = selectors.decision_page(plan=plan)
    bound_key, bound_form, new_form = None, None, NewFicheForm(plan=plan)
    if request.method == "POST":
        rights.require(
            rights.may_prepare_plan(request.user),
            "Les décisions sur les fiches sont réservées au service commande publique.",
        )
        if not plan.is_in_preparation:
            messages.error(
                request, f"Le plan « {plan} » n'est plus en préparation : rien n'a été enregistré."
            )
            return redirect("planning:decisions", slug=plan.slug)
        if request.POST.get("form") == "nouvelle":
            new_form = NewFicheForm(request.POST, plan=plan)
            done = _add_new_fiche(request, plan, new_form)
            if done:
                return redirect(reverse("planning:decisions", args=[plan.slug]) + f"#fiche-nouvelle-{done}")
        else:
            row = next((r for r in page.rows if str(r.decision.pk) == request.POST.get("form")), None)
            if row is None:
                raise Http404("Cette décision n'existe pas.")
            bound_key = row.decision.pk
            bound_form = DecisionForm(request.POST, decision=row.decision, fiches=page.fiches)
            if _decide(request, row.decision, bound_form):
                return redirect(reverse("planning:decisions", args=[plan.slug]) + f"#{row.anchor}")
    rows = [
        (
            row,
            bound_form
            if row.decision.pk == bound_key
            else DecisionForm(decision=row.decision, fiches=page.fiches),
        )
        for row in page.rows
    ]
    return render(
        request,
        "planning/decisions.html",
        {"plan": plan, "page": page, "rows": rows, "new_form": new_form, "can_edit": can_edit},
    )


def _decide(request, decision: FicheDecision, form: DecisionForm) -> bool:
    if not form.is_valid():
        return False
    try:
        fiche_decide(
            decision=decision,
            decision_value=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            into=form.cleaned_data["into"],
            continue_indicators=form.cleaned_data["continue_indicators"],
            user=request.user,
            seen_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        _apply(form, error)
        return False
    except (StaleWrite, PreparationError) as error:
        form.add_error(None, str(error))
        return False
    messages.success(
        request, f"Fiche {decision.previous.number} : « {decision.get_decision_display()} » enregistré."
    )
    return True


def _add_new_fiche(request, plan: Plan, form: NewFicheForm) -> int | None:
    if not form.is_valid():
        return None
    try:
        fiche = fiche_add_new(
            plan=plan,
            number=form.cleaned_data["number"],
            title=form.cleaned_data["title"],
            objective=form.cleaned_data["objective"],
            user=request.user,
        )
    except ValidationError as error:
        _apply(form, error)
        return None
    except PreparationError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, f"Fiche nouvelle {fiche.number} ajoutée au plan « {plan} ».")
    return fiche.number


def comparison_page(request, slug: str):
    """Old and new plans side by side: what became of each fiche, the new ones, the indicators."""
    plan = successor_from_url(request, slug)
    return render(
        request,
        "planning/comparison.html",
        {
            "plan": plan,
            "data": selectors.comparison(plan=plan),
            "can_export": rights.may_export(request.user),
        },
    )
