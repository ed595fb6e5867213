from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from actions.models import Plan
from core import rights
from core.caching import render_once, stamped_key
from indicators.models import IndicatorValue
from www.plan_urls import readable_plans, shown_plan


def user_rights(request):
    """What the user may do, for templates: `{% if rights.may_export %}` (core.rights)."""
    return {"rights": rights.UserRights(request.user)}


def demo_notice(request):
    """Whether demo values are in the database: every page then says so (looked up once per data version)."""
    present = render_once(stamped_key("demo-notice"), IndicatorValue.objects.filter(is_demo=True).exists)
    return {"demo_data_present": present}


@dataclass
class SwitcherEntry:
    plan: Plan
    url: str  # the same page of this plan when the page is one of the whole plan, else the plan's page
    is_shown: bool


@dataclass
class PlanNavigation:
    shown: Plan | None  # the plan of the page (the navigation's links point to it)
    plans: list[SwitcherEntry]  # the plans the user may read, most recent first


def _same_page_of(request, plan: Plan) -> str:
    """The current page for another plan, when its address names nothing else than the plan (the plan,
    its campaigns, its bilans...); a fiche, a year or a version may not exist there: the plan's page."""
    match = getattr(request, "resolver_match", None)
    if match and match.url_name and set(match.kwargs) == {"slug"} and match.namespace != "public":
        try:
            return reverse(match.view_name, kwargs={"slug": plan.slug})
        except NoReverseMatch:
            pass
    return reverse("indicators:plan_detail", kwargs={"slug": plan.slug})


def _navigation(request) -> PlanNavigation:
    shown = shown_plan(request)
    entries = [
        SwitcherEntry(plan, _same_page_of(request, plan), shown is not None and plan.pk == shown.pk)
        for plan in readable_plans(request)
    ]
    return PlanNavigation(shown=shown, plans=entries)


def plan_navigation(request):
    """The plan switcher and the navigation's plan (www.plan_urls): the plans the user may read
    (rights.may_read_plan_of: pilots never see a plan in preparation) and the plan of the page. Lazy,
    and read from the cache of the plans: no query (pages that do not show the navigation, such as the
    admin's, do not even look it up)."""
    if not request.user.is_authenticated:
        return {}
    return {"plan_nav": SimpleLazyObject(lambda: _navigation(request))}
