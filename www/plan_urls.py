"""The plan a page is about: named by its URL (`plans/<slug>/...`), read through one helper.

Every view of a plan's pages (plan, fiche, entry, campaigns, bilans, exports, legal indicators) gets
its plan from `plan_from_url`, which answers 404, not 403, when the user may not read it
(`rights.may_read_plan_of`: a plan in preparation is SCP's and the comité's), so that a pilot cannot
even learn that the next plan exists.

The plans are few (one per six-year schema), so the list is read once per state of the data and kept
in the cache (`core.caching`): the plan switcher of every page and the lookup of the URL's plan
then cost no query on a cache hit, whatever the number of plans.
"""

from django.http import Http404, HttpRequest

from actions import enums
from actions.models import Plan
from core import rights
from core.caching import render_once, stamped_key

NOT_FOUND = "Ce plan n'existe pas."
_READABLE = "_spaser_readable_plans"
_SHOWN = "_spaser_plan"


def all_plans() -> list[Plan]:
    """Every plan, most recent first (read once per state of the data)."""
    return render_once(stamped_key("plans"), lambda: list(Plan.objects.order_by("-start_year", "-pk")))


def readable_plans(request: HttpRequest) -> list[Plan]:
    """The plans the user may read, most recent first (once per request)."""
    plans = getattr(request, _READABLE, None)
    if plans is None:
        user = request.user
        plans = (
            [plan for plan in all_plans() if rights.may_read_plan_of(user, plan)]
            if user.is_authenticated
            else []
        )
        setattr(request, _READABLE, plans)
    return plans


def plan_from_url(request: HttpRequest, slug: str) -> Plan:
    """The plan named by the URL, or 404 when there is none the user may read."""
    for plan in readable_plans(request):
        if plan.slug == slug:
            setattr(request, _SHOWN, plan)
            return plan
    raise Http404(NOT_FOUND)


def current_plan(request: HttpRequest, year: int | None = None) -> Plan:
    """Where no plan is named (old addresses, the navigation of a page of no plan): the plan in
    force the user may read (the most recent), failing that the most recent they may read; 404 if none.
    With `year`: among the plans that cover it (`/bilans/2025/` is the 2021-2026 plan's, even once the
    next one is in force)."""
    plans = readable_plans(request)
    if year is not None:
        plans = [plan for plan in plans if plan.start_year <= year <= plan.end_year]
    plan = next((p for p in plans if p.state == enums.PlanState.IN_FORCE), None)
    plan = plan or (plans[0] if plans else None)
    if plan is None:
        raise Http404("Aucun plan n'est chargé.")
    return plan


def shown_plan(request: HttpRequest) -> Plan | None:
    """The plan of the page being shown (for the switcher and the navigation): the URL's plan, the one a
    view read (e.g. a published bilan's), else the current one."""
    plan = getattr(request, _SHOWN, None)
    if plan is not None:
        return plan
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    plans = readable_plans(request)
    for plan in plans:
        if plan.slug == slug:
            return plan
    try:
        return current_plan(request)
    except Http404:
        return None


def show_plan(request: HttpRequest, plan: Plan) -> None:
    """A view whose URL names no plan (a published bilan by its number) says which plan it shows."""
    setattr(request, _SHOWN, plan)


def successor_from_url(request: HttpRequest, slug: str) -> Plan:
    """A plan that follows another (the next plan's pages), if the user may read it; 404 otherwise."""
    plan = plan_from_url(request, slug)
    if plan.predecessor_id is None:
        raise Http404("Ce plan n'existe pas.")
    return plan
