"""SCP's campaign pages: open, close, follow each fiche's year, validate, return, reopen."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions.models import Fiche, Plan
from core import rights
from indicators import selectors
from indicators.models import Campaign
from indicators.services import campaigns as campaign_services
from indicators.services import workflow
from www.plan_urls import plan_from_url

from .forms import CampaignOpenForm, ReturnForm

SCP_ONLY = "Page réservée au service commande publique."


def _plan(request, slug: str) -> Plan:
    rights.require(rights.may_run_campaigns(request.user), SCP_ONLY)
    return plan_from_url(request, slug)


def campaigns(request, slug: str):
    plan = _plan(request, slug)
    form = CampaignOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The service says what the plan's state allows (indicators.rules); its refusal goes next to
        # the year.
        try:
            campaign = campaign_services.campaign_open(
                plan=plan,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                user=request.user,
            )
        except workflow.WorkflowError as error:
            form.add_error("year", str(error))
        else:
            messages.success(
                request, f"Campagne {campaign.year} ouverte jusqu'au {campaign.deadline:%d/%m/%Y}."
            )
            return redirect("indicators:campaign", slug=plan.slug, year=campaign.year)
    return render(
        request,
        "indicators/campaigns.html",
        {
            "plan": plan,
            "campaigns": Campaign.objects.filter(plan=plan).order_by("-year"),
            "form": form,
        },
    )


def campaign(request, slug: str, year: int):
    plan = _plan(request, slug)
    campaign = get_object_or_404(Campaign, plan=plan, year=year)
    deadline_form = CampaignOpenForm(initial={"year": year, "deadline": campaign.deadline})
    return render(
        request,
        "indicators/campaign.html",
        {
            "plan": plan,
            "campaign": campaign,
            "data": selectors.campaign_fiches(campaign=campaign),
            "deadline_form": deadline_form,
            "return_form": ReturnForm(),
        },
    )


@require_POST
def campaign_close_action(request, slug: str, year: int):
    plan = _plan(request, slug)
    campaign = get_object_or_404(Campaign, plan=plan, year=year)
    try:
        campaign_services.campaign_close(campaign=campaign, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Campagne {year} fermée : les pilotes ne peuvent plus saisir.")
    return redirect("indicators:campaign", slug=plan.slug, year=year)


@require_POST
def campaign_fiche_action(request, slug: str, year: int, number: int, action: str):
    plan = _plan(request, slug)
    fiche = get_object_or_404(Fiche, plan=plan, number=number)
    comment = request.POST.get("comment", "")
    confirm = request.POST.get("confirm") == "1"
    # Each decision is a workflow service; the service checks the right (core.rights) itself.
    actions = {
        "valider": lambda: workflow.fiche_year_validate(
            fiche=fiche, year=year, user=request.user, confirm=confirm
        ),
        "renvoyer": lambda: workflow.fiche_year_return(
            fiche=fiche, year=year, user=request.user, comment=comment
        ),
        "rouvrir": lambda: workflow.fiche_year_reopen(
            fiche=fiche, year=year, user=request.user, comment=comment
        ),
    }
    if action not in actions:
        raise Http404("Action inconnue.")
    try:
        review = actions[action]()
    except workflow.ConfirmationRequired as question:  # e.g. open discussions: SCP confirms, or not
        context = {"plan": plan, "fiche": fiche, "year": year, "question": str(question)}
        return render(request, "indicators/campaign_validate_confirm.html", context)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Fiche {fiche.number} – {year} : {review.get_status_display().lower()}.")
    return redirect(reverse("indicators:campaign", args=[plan.slug, year]) + f"#fiche-{fiche.number}")
