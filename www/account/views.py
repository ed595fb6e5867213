"""Signing in and out (password, single sign-on), the signed-in person's own pages ("Mon compte",
password change) and the invitation's link. The sign-in rules are in accounts (services, oidc)."""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import services
from accounts.oidc import oidc_setting, provider_logout_url
from accounts.tokens import invitation_token
from core import rights

log = logging.getLogger(__name__)

SSO_REFUSED = (
    "La connexion ({label}) n'a pas abouti : la réponse du fournisseur d'identité n'a pas pu être "
    "vérifiée. Réessayez."
)
SSO_UNREACHABLE = "Le fournisseur d'identité ne répond pas. Réessayez dans quelques minutes."


def sign_in_options() -> dict:
    return {
        "sso_enabled": settings.OIDC_ENABLED,
        "sso_label": settings.OIDC_LOGIN_LABEL,
        "local_login": settings.LOCAL_LOGIN_ENABLED,
    }


class SignInView(auth_views.LoginView):
    """The login page: the password form (unless local passwords are off) and the SSO button."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | sign_in_options()


def _sso_error(request, message: str, status: int = 400):
    return render(
        request, "registration/sso_error.html", {"message": message, **sign_in_options()}, status=status
    )


class SSOStartView(OIDCAuthenticationRequestView):
    """Sends the person to the provider (state, nonce and PKCE kept in the session)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):  # the endpoints are read per request (discovery may fail)
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Connexion unique non activée.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except requests.RequestException:
            log.exception("OpenID Connect discovery failed")
            return _sso_error(request, SSO_UNREACHABLE, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the person back here: the code is exchanged, the tokens checked, the account
    matched (accounts.oidc.OIDCBackend). Any failure: a French page, nobody signed in."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404("Connexion unique non activée.")
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException) as error:
            log.warning("OpenID Connect sign-in refused: %s", error)
            # Recorded like a failed password (django-axes counts it).
            user_login_failed.send(sender=__name__, credentials={}, request=request)
            return self.login_failure()

    def login_failure(self):
        message = getattr(self.request, "sso_refusal", None) or SSO_REFUSED.format(
            label=settings.OIDC_LOGIN_LABEL
        )
        return _sso_error(self.request, message)

    def login_success(self):
        response = super().login_success()
        if not rights.may_read_plan(self.user):
            messages.info(
                self.request,
                "Votre compte est ouvert, sans droit pour l'instant : le service commande publique doit "
                "le rattacher à un poste de pilote ou à un rôle.",
            )
            return redirect("account")
        return response


@require_POST
def sign_out(request):
    """Ends the session here, then at the provider when the person signed in by SSO."""
    at_provider = provider_logout_url(request, redirect_to=resolve_url(settings.LOGOUT_REDIRECT_URL))
    logout(request)
    return redirect(at_provider or settings.LOGOUT_REDIRECT_URL)


def account(request):
    """Mon compte: who I am, my roles and pilot posts, how I sign in."""
    user = request.user
    context = {
        "roles": sorted(group.name for group in user.groups.filter(name__in=rights.ROLE_GROUPS)),
        "posts": user.pilot_posts.select_related("plan", "direction").order_by("-plan__start_year"),
        "has_rights": rights.may_read_plan(user),
        "has_password": user.has_usable_password(),
        **sign_in_options(),
    }
    return render(request, "accounts/account.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_usable_password():
            return render(request, "registration/password_change_form.html", {"no_password": True})
        return super().dispatch(request, *args, **kwargs)


def invitation_accept(request, uidb64: str, token: str):
    """The invitation's one-time link: choose a password (or sign in by SSO)."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not user.is_active or not invitation_token.check_token(user, token):
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(user, data=request.POST or None) if settings.LOCAL_LOGIN_ENABLED else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(user=user, token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            login(request, user, backend="accounts.backends.PasswordBackend")
            messages.success(request, "Votre mot de passe est enregistré ; vous êtes connecté.")
            return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invited": user, **sign_in_options()}
    )
