"""The plan and fiche pages: the plan as adopted, with its follow-up (progress, yearly values)."""

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from actions.models import Fiche
from actions.plan_urls import plan_from_url
from core import rights
from core.caching import render_once, stamped_key

from .. import selectors


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
        full = Fiche.objects.with_details().select_related("plan").get(pk=pk)
        follow_up = selectors.fiche_follow_up(fiche=full, user=request.user)
        return render_to_string(
            "indicators/includes/fiche_body.html", {"fiche": full, "follow_up": follow_up}
        )

    body = render_once(stamped_key("fiche-page", pk, "insider" if insider else "reader"), build)
    return render(request, "indicators/fiche_detail.html", {"fiche": fiche, "body": mark_safe(body)})


def _fiche_pk(plan, number: int) -> int:
    return Fiche.objects.filter(plan=plan, number=number).values_list("pk", flat=True).first() or 0
