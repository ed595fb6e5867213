"""The pilot's workspace (their fiches, the yearly entry) and SCP's campaign pages."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions import roles
from actions.models import Fiche, Plan

from . import selectors, services
from .forms import CampaignOpenForm, FicheYearForm, ReturnForm, form_data_with_conflicts
from .models import Campaign


def scp_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not roles.is_scp(request.user):
            raise PermissionDenied("Page réservée au service commande publique.")
        return view(request, *args, **kwargs)

    return wrapped


def my_fiches(request):
    plan = Plan.objects.current()
    workspace = selectors.pilot_workspace(user=request.user, plan=plan)
    piloted = (
        Fiche.objects.piloted_by(request.user).of_plan(plan).in_plan_order() if plan else Fiche.objects.none()
    )
    return render(
        request,
        "indicators/my_fiches.html",
        {
            "plan": plan,
            "campaigns": workspace,
            "piloted": list(piloted) if not workspace else [],
        },
    )


def _fiche_or_404(slug: str, number: int, year: int) -> Fiche:
    fiche = get_object_or_404(Fiche.objects.select_related("plan"), plan__slug=slug, number=number)
    if year not in fiche.plan.years:
        raise Http404("Année hors du plan.")
    return fiche


def entry(request, slug: str, number: int, year: int):
    fiche = _fiche_or_404(slug, number, year)
    user = request.user
    pilots = services.user_pilots_fiche(user=user, fiche=fiche) and roles.is_pilot(user)
    if not (pilots or roles.is_scp(user) or roles.is_committee(user)):
        raise PermissionDenied("Vous ne pilotez pas cette fiche.")
    data = selectors.fiche_year_entry(fiche=fiche, year=year)
    may_act = pilots or roles.is_scp(user)
    refusal = (
        services.fiche_year_edit_refusal(
            user=user, fiche=fiche, year=year, campaign=data.campaign, review=data.review
        )
        if may_act
        else "Lecture seule : seuls les pilotes de la fiche et le service commande publique saisissent."
    )
    if request.method == "POST" and not may_act:
        raise PermissionDenied("Vous ne pilotez pas cette fiche.")
    form = FicheYearForm(request.POST or None, entry=data, read_only=refusal is not None)
    conflicts, status = [], 200
    if request.method == "POST" and refusal:
        # E.g. the campaign was closed while the pilot was typing: show their input back (to copy it),
        # with the reason, rather than losing it; nothing is written.
        form = FicheYearForm(request.POST, entry=data)
        form.is_valid()
        form.add_error(None, refusal)
        return _render_entry(
            request, fiche=fiche, year=year, data=data, form=form, refusal=refusal, status=409
        )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            with transaction.atomic():
                services.fiche_year_save(
                    fiche=fiche,
                    year=year,
                    values=form.parsed_values,
                    review=form.review_input(),
                    milestones=form.parsed_milestones,
                    user=user,
                    seen_versions=form.seen_versions(),
                    keep_stored=form.keep_stored(),
                )
                if submit:
                    services.fiche_year_submit(fiche=fiche, year=year, user=user)
        except services.FicheYearConflict as conflict:
            conflicts, status = conflict.conflicts, 409
            data = selectors.fiche_year_entry(fiche=fiche, year=year)
            form = FicheYearForm(
                form_data_with_conflicts(request.POST, conflicts=conflicts, entry=data), entry=data
            )
            form.is_valid()  # the choices are still to be made: no "choose" error before the first look
            for name in [n for n in form.errors if n.startswith("resolve_")]:
                del form.errors[name]
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            if submit:
                messages.success(
                    request, f"Fiche {fiche.number} : bilan {year} soumis au service commande publique."
                )
                return redirect("indicators:my_fiches")
            messages.success(request, f"Fiche {fiche.number} : saisie {year} enregistrée (brouillon).")
            return redirect(request.path)
    return _render_entry(
        request,
        fiche=fiche,
        year=year,
        data=data,
        form=form,
        refusal=refusal,
        conflicts=conflicts,
        status=status,
    )


def _render_entry(request, *, fiche, year, data, form, refusal, conflicts=(), status=200):
    """The entry page, shown the same way whether saved, refused or in conflict."""
    return render(
        request,
        "indicators/entry.html",
        {
            "fiche": fiche,
            "year": year,
            "entry": data,
            "form": form,
            "refusal": refusal,
            "conflicts": list(conflicts),
            "has_demo": data.review
            and data.review.is_demo
            or any(row.value and row.value.is_demo for row in data.indicators),
        },
        status=status,
    )


def _current_plan() -> Plan:
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("Aucun plan n'est chargé.")
    return plan


@scp_required
def campaigns(request):
    plan = _current_plan()
    form = CampaignOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_open(
                plan=plan,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                user=request.user,
            )
        except services.WorkflowError as error:
            form.add_error("year", str(error))
        else:
            messages.success(
                request, f"Campagne {campaign.year} ouverte jusqu'au {campaign.deadline:%d/%m/%Y}."
            )
            return redirect("indicators:campaign", year=campaign.year)
    return render(
        request,
        "indicators/campaigns.html",
        {
            "plan": plan,
            "campaigns": Campaign.objects.filter(plan=plan).order_by("-year"),
            "form": form,
        },
    )


@scp_required
def campaign(request, year: int):
    plan = _current_plan()
    campaign = get_object_or_404(Campaign, plan=plan, year=year)
    deadline_form = CampaignOpenForm(initial={"year": year, "deadline": campaign.deadline})
    return render(
        request,
        "indicators/campaign.html",
        {
            "campaign": campaign,
            "data": selectors.campaign_fiches(campaign=campaign),
            "deadline_form": deadline_form,
            "return_form": ReturnForm(),
        },
    )


@require_POST
@scp_required
def campaign_close(request, year: int):
    campaign = get_object_or_404(Campaign, plan=_current_plan(), year=year)
    services.campaign_close(campaign=campaign, user=request.user)
    messages.success(request, f"Campagne {year} fermée : les pilotes ne peuvent plus saisir.")
    return redirect("indicators:campaign", year=year)


@require_POST
@scp_required
def campaign_fiche_action(request, year: int, number: int, action: str):
    plan = _current_plan()
    fiche = get_object_or_404(Fiche, plan=plan, number=number)
    comment = request.POST.get("comment", "")
    actions = {
        "valider": lambda: services.fiche_year_validate(fiche=fiche, year=year, user=request.user),
        "renvoyer": lambda: services.fiche_year_return(
            fiche=fiche, year=year, user=request.user, comment=comment
        ),
        "rouvrir": lambda: services.fiche_year_reopen(
            fiche=fiche, year=year, user=request.user, comment=comment
        ),
    }
    if action not in actions:
        raise Http404("Action inconnue.")
    try:
        review = actions[action]()
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Fiche {fiche.number} – {year} : {review.get_status_display().lower()}.")
    return redirect(reverse("indicators:campaign", args=[year]) + f"#fiche-{fiche.number}")
