"""The site's entry point, which knows every app (spaser/ wires them)."""

from django.http import Http404
from django.shortcuts import redirect

from actions.plan_urls import current_plan
from core import rights
from public import views as public_views


def home(request):
    """A visitor without an account lands on the public site; a user, after login, on their own
    workspace if they pilot fiches, else on the current plan (the one in force they may read)."""
    if not request.user.is_authenticated:
        return public_views.index(request)
    if rights.is_pilot(request.user) and not rights.is_scp(request.user):
        return redirect("indicators:my_fiches")
    try:
        plan = current_plan(request)
    except Http404:
        return redirect("indicators:plan_current")  # no plan loaded, or no role: that page says so
    return redirect("indicators:plan_detail", slug=plan.slug)
