"""The pilot's workspace: their fiches, and the entry page of a fiche's year."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from actions.models import Fiche
from core import rights
from discussions.selectors import entry_discussions, open_thread_counts
from indicators import selectors
from indicators.models import Campaign
from indicators.services.entry import FicheYearConflict, fiche_year_save
from indicators.services.workflow import WorkflowError, entry_refusal, fiche_year_submit
from www.evidence.views import entry_section
from www.plan_urls import plan_from_url, readable_plans

from .forms import FicheYearForm, form_data_with_conflicts

READ_ONLY = "Lecture seule : seuls les pilotes de la fiche et le service commande publique saisissent."


def my_fiches(request):
    """The pilot's fiches in every plan with an open campaign (at the turn of two plans, the last
    campaign of the old one and the first of the new, side by side), grouped by plan. Plans in
    preparation have no campaign, and pilots do not see them (readable_plans)."""
    plans = [plan for plan in readable_plans(request) if not plan.is_in_preparation]
    with_campaign = set(Campaign.objects.open().filter(plan__in=plans).values_list("plan_id", flat=True))
    groups = [
        {"plan": plan, "campaigns": selectors.pilot_workspace(user=request.user, plan=plan)}
        for plan in plans
        if plan.pk in with_campaign
    ]
    _count_open_threads(groups)
    piloted = []
    if not groups:
        piloted = list(
            Fiche.objects.piloted_by(request.user)
            .filter(plan__in=plans)
            .select_related("plan")
            .order_by("-plan__start_year", "objective__axis__position", "number")
        )
    return render(request, "indicators/my_fiches.html", {"groups": groups, "piloted": piloted})


def _count_open_threads(groups: list[dict]) -> None:
    """Each row's open discussion threads (`row.open_threads`), in one query for the whole page."""
    rows = [(row, item.campaign.year) for group in groups for item in group["campaigns"] for row in item.rows]
    if not rows:
        return
    counts = open_thread_counts(fiche_ids={row.fiche.pk for row, _ in rows}, years={year for _, year in rows})
    for row, year in rows:
        row.open_threads = counts[row.fiche.pk, year]


def _fiche_or_404(request, slug: str, number: int, year: int) -> Fiche:
    plan = plan_from_url(request, slug)
    if year not in plan.years:
        raise Http404("Année hors du plan.")
    fiche = get_object_or_404(Fiche, plan=plan, number=number)
    fiche.plan = plan
    return fiche


def entry(request, slug: str, number: int, year: int):
    fiche = _fiche_or_404(request, slug, number, year)
    user = request.user
    rights.require(rights.may_read_entry(user, fiche), "Vous ne pilotez pas cette fiche.")
    data = selectors.fiche_year_entry(fiche=fiche, year=year)
    may_enter = rights.may_enter(user, fiche)
    refusal = (
        entry_refusal(user=user, fiche=fiche, year=year, campaign=data.campaign, review=data.review)
        if may_enter
        else READ_ONLY
    )
    if request.method != "POST":
        form = FicheYearForm(entry=data, read_only=refusal is not None)
        return _render_entry(request, fiche=fiche, year=year, data=data, form=form, refusal=refusal)
    rights.require(may_enter, "Vous ne pilotez pas cette fiche.")
    form = FicheYearForm(request.POST, entry=data)
    if refusal:
        # E.g. the campaign was closed while the pilot was typing: show their input back (to copy it),
        # with the reason, rather than losing it; nothing is written.
        form.is_valid()
        form.add_error(None, refusal)
        return _render_entry(
            request, fiche=fiche, year=year, data=data, form=form, refusal=refusal, status=409
        )
    if not form.is_valid():
        return _render_entry(request, fiche=fiche, year=year, data=data, form=form, refusal=None)
    return _save_entry(request, fiche=fiche, year=year, form=form)


def _save_entry(request, *, fiche: Fiche, year: int, form: FicheYearForm):
    submit = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            fiche_year_save(
                fiche=fiche,
                year=year,
                values=form.parsed_values,
                review=form.review_input(),
                milestones=form.parsed_milestones,
                user=request.user,
                seen_versions=form.seen_versions(),
                keep_stored=form.keep_stored(),
            )
            if submit:
                fiche_year_submit(fiche=fiche, year=year, user=request.user)
    except FicheYearConflict as conflict:
        data = selectors.fiche_year_entry(fiche=fiche, year=year)
        form = FicheYearForm(
            form_data_with_conflicts(request.POST, conflicts=conflict.conflicts, entry=data), entry=data
        )
        form.is_valid()  # the choices are still to be made: no "choose" error before the first look
        for name in [n for n in form.errors if n.startswith("resolve_")]:
            del form.errors[name]
        return _render_entry(request, fiche=fiche, year=year, data=data, form=form, refusal=None, status=409)
    except WorkflowError as error:
        form.add_error(None, str(error))
        data = form.entry
        return _render_entry(request, fiche=fiche, year=year, data=data, form=form, refusal=None)
    if submit:
        messages.success(request, f"Fiche {fiche.number} : bilan {year} soumis au service commande publique.")
        return redirect("indicators:my_fiches")
    messages.success(request, f"Fiche {fiche.number} : saisie {year} enregistrée (brouillon).")
    return redirect(request.path)


def _render_entry(request, *, fiche, year, data, form, refusal, status=200):
    """The entry page, shown the same way whether saved, refused or in conflict."""
    context = {"fiche": fiche, "year": year, "entry": data, "form": form, "refusal": refusal}
    context["discussions"] = entry_discussions(fiche=fiche, year=year)
    context |= entry_section(fiche=fiche, year=year, user=request.user, entry=data, editable=refusal is None)
    return render(request, "indicators/entry.html", context, status=status)
