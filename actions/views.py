from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView

from . import selectors
from .models import Fiche, Plan


def home(request):
    """Where a user lands after login: the pilot's own workspace if there is one, else the plan."""
    from django.urls import NoReverseMatch, reverse

    from . import roles

    if roles.is_pilot(request.user) and not roles.is_scp(request.user):
        try:
            return redirect(reverse("indicators:my_fiches"))
        except NoReverseMatch:
            pass
    return redirect("actions:plan_current")


def current_plan(request):
    plan = Plan.objects.current()
    if plan is None:
        raise Http404("Aucun plan n'est chargé.")
    return redirect("actions:plan_detail", slug=plan.slug)


class PlanDetailView(DetailView):
    model = Plan
    template_name = "actions/plan_detail.html"
    context_object_name = "plan"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["axes"] = selectors.plan_overview(plan=self.object)
        context["glossary"] = self.object.glossary.all()
        context["packs"] = self.object.packs.all()
        return context


class FicheDetailView(DetailView):
    template_name = "actions/fiche_detail.html"
    context_object_name = "fiche"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Fiche.objects.with_details().select_related("plan"),
            plan__slug=self.kwargs["slug"],
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        from indicators.selectors import fiche_follow_up

        context = super().get_context_data(**kwargs)
        context["follow_up"] = fiche_follow_up(fiche=self.object, user=self.request.user)
        return context
