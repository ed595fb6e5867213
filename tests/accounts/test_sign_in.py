"""The login page and its two ways in (password, single sign-on); local passwords switched off, with
the superuser's way in kept; the lockout (django-axes) on every login path."""

import html
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse

from accounts.enums import SignInMethod
from accounts.models import Account
from core import rights
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SSO_ON = {
    "OIDC_ENABLED": True,
    "OIDC_LOGIN_LABEL": "Se connecter avec ProConnect",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://fournisseur.example.org/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://fournisseur.example.org/token",
    "OIDC_OP_USER_ENDPOINT": "https://fournisseur.example.org/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://fournisseur.example.org/jwks",
    "OIDC_RP_CLIENT_ID": "spaser",
    "OIDC_RP_CLIENT_SECRET": "secret",
}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_login_page_offers_the_password_and_the_forgotten_password_link(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):  # the session at most: nothing else is read
        page = page_text(client.get(reverse("login")))
    assert 'name="password"' in page and "Mot de passe oublié ?" in page
    assert reverse("oidc_start") not in page  # single sign-on off by default


@override_settings(
    **SSO_ON, OIDC_ACR_VALUES="eidas1", OIDC_AUTH_REQUEST_EXTRA_PARAMS={"acr_values": "eidas1"}
)
def test_with_sso_the_login_page_offers_the_provider_and_the_button_starts_the_flow(client):
    page = page_text(client.get(reverse("login") + "?next=/mes-fiches/"))
    assert "Se connecter avec ProConnect" in page and 'name="password"' in page
    response = client.get(reverse("oidc_start"), {"next": "/mes-fiches/"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://fournisseur.example.org/authorize?")
    for part in ("acr_values=eidas1", "client_id=spaser", "nonce=", "state=", "code_challenge="):
        assert part in location, part
    assert "scope=openid+email+profile" in location
    assert client.session["oidc_login_next"] == "/mes-fiches/"


@override_settings(**SSO_ON, LOCAL_LOGIN_ENABLED=False)
def test_without_local_passwords_only_sso_is_offered_and_a_password_is_refused(client):
    pilot = UserFactory(role=rights.PILOTS_GROUP, username="pilote-sans-mdp")
    page = page_text(client.get(reverse("login")))
    assert "Se connecter avec ProConnect" in page
    assert 'name="password"' not in page and "Mot de passe oublié" not in page
    response = client.post(reverse("login"), {"username": pilot.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in page_text(response)


@override_settings(**SSO_ON, LOCAL_LOGIN_ENABLED=False)
def test_without_local_passwords_a_superuser_still_gets_into_the_admin(client):
    User.objects.create_superuser("secours", "secours@example.org", PASSWORD)
    response = client.post(reverse("admin:login"), {"username": "secours", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert Account.objects.get(user__username="secours").last_sign_in_method == SignInMethod.PASSWORD


def test_sso_is_not_offered_when_off(client):
    assert client.get(reverse("oidc_start")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "x", "state": "y"}).status_code == 404


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_the_admin_login_locks_after_repeated_failures(client, pilot5):
    for _ in range(2):
        response = client.post(reverse("admin:login"), {"username": "pilote5", "password": "mauvais"})
        assert response.status_code == 200
    assert (
        client.post(reverse("admin:login"), {"username": "pilote5", "password": "mauvais"}).status_code == 429
    )
    assert client.post(reverse("login"), {"username": "pilote5", "password": PASSWORD}).status_code == 429


@override_settings(**SSO_ON, AXES_ENABLED=True)
def test_a_refused_sso_callback_is_recorded_as_a_failed_login(client):
    client.get(reverse("oidc_start"))  # a state of this session...
    response = client.get(
        reverse("oidc_callback"), {"code": "x", "state": "un-autre-etat"}
    )  # ...not this one
    assert response.status_code == 400
    assert "n'a pas pu être vérifiée" in page_text(response)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(path_info=reverse("oidc_callback")).failures_since_start == 1


def test_the_provider_address_joins_the_form_action_of_the_pages_when_sso_is_on():
    """The SSO button and the logout end at the provider: the browser checks the redirect against CSP."""
    code = (
        "from django.conf import settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    env = {**os.environ, "OIDC_ENABLED": "true", "OIDC_OP_ISSUER": "https://auth.example.org/api/v2"}
    env["DJANGO_SETTINGS_MODULE"] = "spaser.settings.test"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[\"'self'\", 'https://auth.example.org']"
