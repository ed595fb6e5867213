"""The site's home, and the plan and fiche pages: the plan as adopted, with its follow-up (progress,
yearly values)."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from actions.models import Fiche
from core import rights
from core.caching import render_once, stamped_key
from evidence.selectors import fiche_evidence_by_year
from indicators import selectors
from public.selectors import MilestoneEntry
from www.plan_urls import current_plan, plan_from_url
from www.public import views as public_views


def plan_detail(request, slug: str):
    rights.require(rights.may_read_plan(request.user))
    plan = plan_from_url(request, slug)
    return render(
        request,
        "indicators/plan_detail.html",
        {
            "plan": plan,
            "axes": selectors.plan_page(plan=plan),
            "glossary": plan.glossary.all(),
            "packs": plan.packs.all(),
        },
    )


def fiche_detail(request, slug: str, number: int):
    """The page everybody opens: its content is rendered once per state of the data and audience
    (readers see validated years; the fiche's pilots, the comité and SCP also the rest and the history).
    On a cache hit it costs the session, the user and their rights: no query of the plan's tables."""
    rights.require(rights.may_read_plan(request.user))
    plan = plan_from_url(request, slug)
    pk = render_once(stamped_key("fiche-pk", plan.pk, number), lambda: _fiche_pk(plan, number))
    if not pk:
        raise Http404("Cette fiche n'existe pas.")
    fiche = Fiche(pk=pk, number=number)
    insider = rights.may_see_unvalidated(request.user, fiche)

    def build() -> str:
        full = Fiche.objects.with_details().with_post_holders().select_related("plan").get(pk=pk)
        follow_up = selectors.fiche_follow_up(fiche=full, user=request.user)
        milestones = [
            MilestoneEntry(m, m.current_state, m.current_state_label) for m in full.milestones.all()
        ]
        # The evidence, for the insiders only (the same people as rights.may_read_evidence).
        evidence_years = fiche_evidence_by_year(fiche=full) if insider else None
        return render_to_string(
            "indicators/includes/fiche_body.html",
            {
                "fiche": full,
                "follow_up": follow_up,
                "milestones": milestones,
                "evidence_years": evidence_years,
            },
        )

    body = render_once(stamped_key("fiche-page", pk, "insider" if insider else "reader"), build)
    return render(request, "indicators/fiche_detail.html", {"fiche": fiche, "body": mark_safe(body)})


def _fiche_pk(plan, number: int) -> int:
    return Fiche.objects.filter(plan=plan, number=number).values_list("pk", flat=True).first() or 0


def home(request):
    """A visitor without an account lands on the public site; a user, after login, on their own
    workspace if they pilot fiches, else on the current plan (the one in force they may read)."""
    if not request.user.is_authenticated:
        return public_views.public_index(request)
    if rights.is_pilot(request.user) and not rights.is_scp(request.user):
        return redirect("indicators:my_fiches")
    try:
        plan = current_plan(request)
    except Http404:
        return redirect("indicators:plan_current")  # no plan loaded, or no role: that page says so
    return redirect("indicators:plan_detail", slug=plan.slug)


def to_current_plan(request, to: str, **kwargs):
    """An address from before there were several plans (`/bilans/2025/`): the same page of the current
    plan (the one in force the user may read), so that bookmarks and links in e-mails keep working."""
    plan = current_plan(request, year=kwargs.get("year"))
    url = reverse(to, kwargs={"slug": plan.slug, **kwargs})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
