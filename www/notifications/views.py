"""The person's notification preferences: their page (logged in, every role), and the page an e-mail's
one-click link opens (no login: the signed link names the person)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from notifications import services
from notifications.enums import Mode, NotificationKind
from notifications.models import Preference
from notifications.tokens import InvalidLink, preference_token_read

from .forms import OneClickForm, PreferencesForm


def preferences(request):
    kinds = services.kinds_for(request.user)
    current = dict(Preference.objects.filter(user=request.user).values_list("kind", "mode"))
    form = PreferencesForm(request.POST or None, kinds=kinds, initial_modes=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, modes=form.cleaned_data, by=request.user)
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form, "modes": Mode.choices})


# Mail clients post the one-click request (RFC 8058: "List-Unsubscribe=One-Click") without a session
# or a CSRF token: the signed link is the proof that the person received the e-mail.
@csrf_exempt
def preference_change(request, token: str):
    try:
        link = preference_token_read(token)
    except InvalidLink as error:
        return render(request, "notifications/preference_change.html", {"error": str(error)}, status=400)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    form = OneClickForm(None if one_click or request.method != "POST" else request.POST)
    if request.method == "POST" and (one_click or form.is_valid()):
        mode = Mode.NONE if one_click else form.cleaned_data["mode"]
        services.preferences_set(user=link.user, modes={kind: mode for kind in link.kinds}, by=link.user)
        return render(
            request,
            "notifications/preference_change.html",
            {
                "done": True,
                "mode": Mode(mode).label,
                "kinds": [NotificationKind(k).label for k in link.kinds],
            },
        )
    return render(
        request,
        "notifications/preference_change.html",
        {"form": form, "kinds": [NotificationKind(k).label for k in link.kinds], "person": link.user},
    )
