"""Every POST needs its CSRF token: without it, every URL of the site and of the admin refuses
(403) and nothing is written; with the token the page's own form gives, the same POST goes through."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Fiche
from tests.security.test_url_permissions import admin_urls, site_urls
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


def all_views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from all_views(pattern)
        elif isinstance(pattern, URLPattern):
            yield str(pattern.pattern), pattern.callback


# Views exempt from the middleware's check because they protect themselves inside, after setting what
# must come before the body is read (the DECP upload's size limit: Django's documented pattern for upload
# handlers). The next test posts to each of them without a token: still refused.
SELF_PROTECTED = {"import/": "contracts.admin_views.decp_import (csrf_protect inside)"}
# Views whose credential is a signed token in their address, never the session: a forged cross-site
# POST gains nothing a token-less one would not. The notification e-mails' one-click link must take the
# mail clients' POST (RFC 8058), which carries no CSRF token.
SIGNED_LINKS = {"notifications/preference/<str:token>/": "www.notifications.views.preference_change"}
SIGNED_LINK_NAMES = {"notification_preference_change"}


def test_no_view_is_exempt_from_csrf():
    exempt = [route for route, view in all_views() if getattr(view, "csrf_exempt", False)]
    assert sorted(exempt) == sorted(SELF_PROTECTED | SIGNED_LINKS)


@pytest.mark.parametrize("role", ["scp", "pilot"])
def test_a_post_without_token_is_refused_everywhere(role_users, admin_site, role):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users[role])
    urls = [url for name, url, _ in site_urls(admin_site) if name not in SIGNED_LINK_NAMES]
    if role == "scp":
        urls += [url for _, url in admin_urls()]
    before = database_state()
    for url in urls:
        # The check comes before any view runs: an empty POST shows it as well as a filled one
        # (a filled form is posted without its token in the next test).
        response = client.post(url, {"title": "x", "comment": "x", "is_public": "1"})
        assert response.status_code == 403, url
        assert "CSRF" in response.content.decode(), url
    assert database_state() == before


def test_the_same_post_with_the_token_goes_through(role_users, spaser54):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["scp"])
    fiche = Fiche.objects.get(plan=spaser54, number=13)
    url = reverse("admin:actions_fiche_change", args=[fiche.pk])
    data = form_data(client.get(url).content.decode(), form_id="fiche_form")
    data["title"] = ["Nouveau titre"]
    token = data.pop("csrfmiddlewaretoken")
    assert client.post(url, data).status_code == 403
    fiche.refresh_from_db()
    assert fiche.title != "Nouveau titre"
    data["csrfmiddlewaretoken"] = token
    assert client.post(url, data).status_code == 302
    fiche.refresh_from_db()
    assert fiche.title == "Nouveau titre"


def test_login_and_logout_need_the_token(role_users):
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "comite", "password": "mot-de-passe-de-test-54"}
    assert client.post(reverse("login"), credentials).status_code == 403
    page = client.get(reverse("login")).content.decode()
    response = client.post(reverse("login"), {**form_data(page), **credentials})
    assert response.status_code == 302
    assert client.get(reverse("indicators:plan_current")).status_code == 302  # logged in: sent to the plan

    assert client.post(reverse("logout")).status_code == 403
    page = client.get(reverse("indicators:plan_detail", args=["spaser54-2021-2026"])).content.decode()
    assert client.post(reverse("logout"), form_data(page)).status_code == 302
    assert client.get(reverse("indicators:plan_current"))["Location"].startswith(reverse("login"))
