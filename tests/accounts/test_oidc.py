"""Single sign-on end to end, through the real OpenID Connect provider the tests start on the loopback
(tests/accounts/oidc_provider, django-oauth-toolkit): a real HTTP client with its cookie jar against
the application's live server; nothing of the client library is mocked."""

import html
import time

import pytest
import requests
from django.contrib.auth.models import User
from django.contrib.sessions.backends.cached_db import SessionStore

from accounts import oidc
from accounts.enums import SignInMethod
from accounts.models import Account
from core import rights
from tests.factories import UserFactory

from .flow import at_provider, sign_in, to_provider, with_query

pytestmark = pytest.mark.django_db(transaction=True)


def text(page: requests.Response) -> str:
    return html.unescape(page.text)


def signed_in_user(session: requests.Session) -> User | None:
    """Who the application's session (the cookie on the live server's host) belongs to."""
    key = session.cookies.get("sessionid", domain="localhost.local") or session.cookies.get("sessionid")
    user_id = SessionStore(session_key=key).get("_auth_user_id") if key else None
    return User.objects.filter(pk=user_id).first() if user_id else None


def test_a_first_sign_in_creates_an_account_with_no_right(live_server, sso):
    session = requests.Session()
    page = sign_in(session, live_server.url, sso, "nouvel-agent")
    assert page.url == f"{live_server.url}/mon-compte/"
    assert "le service commande publique doit le rattacher à un poste de pilote ou à un rôle" in text(page)
    user = User.objects.get(email="nouvel.agent@example.org")
    assert signed_in_user(session) == user
    assert not user.groups.exists() and not user.pilot_posts.exists()
    assert not (user.is_staff or user.is_superuser or user.has_usable_password())
    assert not rights.may_read_plan(user)
    account = Account.objects.get(user=user)
    assert (account.sso_issuer, account.last_sign_in_method) == (sso.issuer, SignInMethod.SSO)
    assert account.sso_subject
    # A second sign-in finds the same account by the provider's subject.
    session = requests.Session()
    sign_in(session, live_server.url, sso, "nouvel-agent")
    assert User.objects.filter(email="nouvel.agent@example.org").count() == 1


def test_an_existing_account_is_matched_by_the_verified_email(live_server, sso, settings):
    settings.AXES_ENABLED = True  # the lockout's check runs on this path too, and lets it through
    pilot = UserFactory(role=rights.PILOTS_GROUP, username="pilote-existant", email="Pilote.SSO@example.org")
    session = requests.Session()
    page = sign_in(session, live_server.url, sso, "pilote-sso", next_url="/mon-compte/")
    assert page.status_code == 200 and page.url == f"{live_server.url}/mon-compte/"
    assert signed_in_user(session) == pilot
    assert User.objects.filter(email__iexact="pilote.sso@example.org").count() == 1
    assert list(pilot.groups.values_list("name", flat=True)) == [rights.PILOTS_GROUP]  # nothing more


def test_a_signed_userinfo_answer_is_read_like_proconnect_s(live_server, sso, settings):
    settings.OIDC_OP_USER_ENDPOINT = f"{sso.url}/signed/userinfo/"  # application/jwt, checked by the keys
    session = requests.Session()
    page = sign_in(session, live_server.url, sso, "nouvel-agent")
    assert page.url == f"{live_server.url}/mon-compte/"
    assert signed_in_user(session).email == "nouvel.agent@example.org"


def test_an_unverified_email_is_refused_with_a_french_message(live_server, sso):
    UserFactory(role=rights.SCP_GROUP, email="pilote.non.verifie@example.org")
    session = requests.Session()
    page = sign_in(session, live_server.url, sso, "non-verifie")
    assert page.status_code == 400
    assert "Votre adresse e-mail n'est pas vérifiée par le fournisseur d'identité" in text(page)
    assert signed_in_user(session) is None
    assert not Account.objects.filter(sso_subject__gt="").exists()


def test_a_deactivated_account_cannot_sign_in_by_sso(live_server, sso):
    UserFactory(role=rights.PILOTS_GROUP, email="agent.sso@example.org", is_active=False)
    session = requests.Session()
    page = sign_in(session, live_server.url, sso, "agent")
    assert page.status_code == 400 and "Ce compte a été désactivé" in text(page)
    assert signed_in_user(session) is None


@pytest.mark.parametrize("state", ["falsifie", None], ids=["tampered", "missing"])
def test_a_tampered_or_missing_state_is_refused(live_server, sso, state):
    session = requests.Session()
    callback = at_provider(session, sso, to_provider(session, live_server.url), "agent")
    page = session.get(with_query(callback, state=state))
    assert page.status_code == 400
    assert "la réponse du fournisseur d'identité n'a pas pu être vérifiée" in text(page)
    assert signed_in_user(session) is None
    assert not User.objects.filter(email="agent.sso@example.org").exists()


def test_an_id_token_with_another_nonce_is_refused(live_server, sso):
    session = requests.Session()
    authorize = with_query(to_provider(session, live_server.url), nonce="nonce-d-une-autre-session")
    page = session.get(at_provider(session, sso, authorize, "agent"))
    assert page.status_code == 400 and "n'a pas pu être vérifiée" in text(page)
    assert signed_in_user(session) is None


def test_an_expired_id_token_is_refused(live_server, sso, monkeypatch):
    """The provider's ID token lives 10 hours: the application's clock is 11 hours on when it arrives."""
    session = requests.Session()
    callback = at_provider(session, sso, to_provider(session, live_server.url), "agent")
    monkeypatch.setattr(oidc, "clock", lambda: time.time() + 11 * 3600)
    page = session.get(callback)
    assert page.status_code == 400 and "n'a pas pu être vérifiée" in text(page)
    assert signed_in_user(session) is None


def test_signing_out_ends_the_session_here_and_at_the_provider(live_server, sso):
    UserFactory(role=rights.PILOTS_GROUP, email="agent.sso@example.org")
    session = requests.Session()
    sign_in(session, live_server.url, sso, "agent")
    assert signed_in_user(session) is not None
    response = session.post(
        f"{live_server.url}/deconnexion/",
        data={"csrfmiddlewaretoken": session.cookies.get("csrftoken")},
        headers={"Referer": f"{live_server.url}/mon-compte/"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    end_session = response.headers["Location"]
    assert end_session.startswith(f"{sso.issuer}/logout/") and "id_token_hint=" in end_session
    assert signed_in_user(session) is None
    back = session.get(end_session)
    assert back.url == f"{live_server.url}/connexion/"  # the provider sent the person back
    # The provider's session is over too: it asks for the password again.
    again = session.get(to_provider(session, live_server.url), allow_redirects=False)
    assert again.status_code == 302 and "/login/" in again.headers["Location"]
