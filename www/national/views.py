"""The national comparison: the plan's buyers beside the buyers of their kind across France.

Rights: inside, SCP and the comité (core.rights.may_read_register, as the legal indicators they
stand beside); on the public site, anyone, once SCP has published a national dataset (its latest
published one is shown; 404 before). Both pages are built once per state of the data.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from core import rights
from core.caching import render_once, stamped_key
from national import selectors
from public import caching
from www.plan_urls import plan_from_url
from www.public.http import origin, page_date, respond

REFUSED = "La comparaison nationale est réservée au comité de suivi et au service commande publique."


def _page(plan, year: int | None, *, published_only: bool) -> selectors.PlanComparison:
    if year is not None and year not in plan.years:
        raise Http404(f"Le plan ne couvre pas l'année {year}.")
    return render_once(
        stamped_key("national-comparison", plan.pk, year, published_only),
        lambda: selectors.plan_comparison(plan, year, published_only=published_only),
    )


def comparison_latest(request, slug: str):
    rights.require(rights.may_read_register(request.user), REFUSED)
    plan = plan_from_url(request, slug)
    page = _page(plan, None, published_only=False)
    return redirect("national:comparison", slug=plan.slug, year=page.year)


def comparison(request, slug: str, year: int):
    rights.require(rights.may_read_register(request.user), REFUSED)
    plan = plan_from_url(request, slug)
    page = _page(plan, year, published_only=False)
    return render(request, "national/comparison.html", {"plan": plan, "page": page})


def _public_meta(snapshot: caching.Snapshot, slug: str):
    meta = snapshot.plan(slug)
    if meta is None:
        raise Http404("Ce plan n'est pas publié.")
    return meta


def public_comparison_latest(request, slug: str):
    meta = _public_meta(caching.Snapshot(), slug)
    page = _page(meta.plan, None, published_only=True)
    if page.dataset is None:
        raise Http404("La comparaison nationale n'est pas publiée.")
    return redirect("public:national_comparison", slug=slug, year=page.year)


def public_comparison(request, slug: str, year: int):
    snapshot = caching.Snapshot()
    meta = _public_meta(snapshot, slug)
    page = _page(meta.plan, year, published_only=True)
    if page.dataset is None:
        raise Http404("La comparaison nationale n'est pas publiée.")

    def build() -> str:
        return render_to_string(
            "national/public_comparison.html",
            {
                "canonical": origin(request) + reverse("public:national_comparison", args=[slug, year]),
                "description": f"{meta.plan.title} : les taux de contrats avec une considération sociale "
                "ou environnementale de ses acheteurs, à côté des acheteurs de même catégorie en France.",
                "meta": meta,
                "plan": meta.plan,
                "page": page,
                "demo_data_present": meta.is_demo or page.is_demo,
                "legal": snapshot.legal(),
            },
        )

    built = snapshot.built("national-comparison", slug, year, origin(request), build=build)
    return respond(request, built, last_modified=page_date(meta.updated_at))
