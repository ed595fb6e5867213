"""The site's entry point, which knows every app (spaser/ wires them)."""

from django.shortcuts import redirect

from actions import rights
from public import views as public_views


def home(request):
    """A visitor without an account lands on the public site; a user, after login, on their own
    workspace if they pilot fiches, else on the plan."""
    if not request.user.is_authenticated:
        return public_views.index(request)
    if rights.is_pilot(request.user) and not rights.is_scp(request.user):
        return redirect("indicators:my_fiches")
    return redirect("indicators:plan_current")
