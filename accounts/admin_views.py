"""The accounts' admin pages beyond CRUD: "Inviter une personne" (SCP). UserAdmin wires it (get_urls)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core import rights

from . import services
from .forms import InviteForm


def user_invite_view(model_admin, request):
    """The invitation form: identity, pilot posts and roles; the account is created without a
    password and the person receives the one-time link by e-mail."""
    rights.require(rights.may_manage_accounts(request.user), "Seul le service commande publique invite.")
    form = InviteForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.user_invite(
                **form.cleaned_data,
                by=request.user,
                site_url=settings.SITE_URL or request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.user.email}.")
            return redirect(reverse("admin:auth_user_change", args=[invitation.user.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "form": form,
        "opts": model_admin.opts,
        "title": "Inviter une personne",
        "days": settings.ACCOUNTS_INVITATION_DAYS,
    }
    return TemplateResponse(request, "accounts/admin/invite.html", context)
