"""The site's entry point, which knows every app (spaser/ wires them)."""

from django.shortcuts import redirect

from actions import rights


def home(request):
    """Where a user lands after login: the pilot's own workspace if there is one, else the plan."""
    if rights.is_pilot(request.user) and not rights.is_scp(request.user):
        return redirect("indicators:my_fiches")
    return redirect("indicators:plan_current")
