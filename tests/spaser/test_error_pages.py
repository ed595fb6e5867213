"""The error pages (400, 404, 500) are the project's, in French: never Django's English defaults, never
its list of URL patterns (shown with DEBUG only, which production and tests leave off)."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from tests.conftest import NEXT_SLUG

ENGLISH = ("Page not found", "Not Found", "Bad Request", "Server Error", "URLconf", "Resolver404", "Http404")


def assert_french_page(response, status: int, title: str) -> str:
    """The response is the project's French error page of that status; its text is returned."""
    page = unescape(response.content.decode())
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in page
    assert f"<h1>{title}</h1>" in page and f"<title>{title}" in page
    assert 'href="/">Retour à l\'accueil</a>' in page
    assert not [text for text in ENGLISH if text in page]
    return page


def main_of(page: str) -> str:
    return re.search(r"<main id=\"contenu\">(.*)</main>", page, re.S).group(1)


def test_tests_and_production_run_without_debug():
    """With DEBUG, Django would answer a 404 with the URL patterns of the site, and a 500 with its
    settings and stack: the pages below are only what visitors see without it."""
    assert settings.DEBUG is False
    assert "DEBUG = False" in (settings.BASE_DIR / "spaser" / "settings" / "prod.py").read_text()


# --- 404 ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_answers_the_french_404_page(client, scp_user):
    client.force_login(scp_user)
    page = assert_french_page(client.get("/adresse-inconnue/"), 404, "Page introuvable")
    assert "Cette page n'existe pas ou ne vous est pas accessible." in page
    assert "adresse-inconnue" not in page  # neither the address nor the patterns it was tried against
    assert reverse("logout") in page  # base.html's header: a user keeps the site's navigation


@pytest.mark.django_db
def test_an_unknown_public_address_answers_the_french_404_page_to_a_visitor(client, spaser54):
    page = assert_french_page(client.get("/public/a/b/c/"), 404, "Page introuvable")
    assert "Cette page n'existe pas ou ne vous est pas accessible." in page


@pytest.mark.django_db
def test_an_unknown_public_plan_answers_the_404_page_with_the_views_french_message(client, spaser54):
    page = assert_french_page(
        client.get(reverse("public:plan", args=["plan-inexistant"])), 404, "Page introuvable"
    )
    assert "Cette page n'existe pas ou ne vous est pas accessible. Ce plan n'est pas publié." in page


@pytest.mark.django_db
def test_the_english_message_of_get_object_or_404_is_not_shown(client, scp_user, spaser54):
    """Campaigns are read with get_object_or_404, whose message is "No Campaign matches the given query."."""
    client.force_login(scp_user)
    response = client.get(reverse("indicators:campaign", args=[spaser54.slug, 2099]))
    page = assert_french_page(response, 404, "Page introuvable")
    assert "matches the given query" not in page and "Campaign" not in page


@pytest.mark.django_db
def test_to_a_pilot_a_plan_in_preparation_reads_as_a_plan_that_does_not_exist(client, next_plan, pilot11):
    """The 404 page says the view's message: the same for a plan the pilot may not read as for none."""
    client.force_login(pilot11)
    preparing = client.get(reverse("indicators:plan_detail", args=[NEXT_SLUG]))
    unknown = client.get(reverse("indicators:plan_detail", args=["plan-inexistant"]))
    page = assert_french_page(preparing, 404, "Page introuvable")
    assert "Ce plan n'existe pas." in page
    assert main_of(page) == main_of(assert_french_page(unknown, 404, "Page introuvable"))
    assert next_plan.slug not in page and "2027" not in page


# --- 400 ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_host_the_site_does_not_serve_answers_the_french_400_page(client):
    response = client.get("/", HTTP_HOST="pirate.example")
    page = assert_french_page(response, 400, "Requête incorrecte")
    assert "pirate.example" not in page


@pytest.mark.django_db
def test_a_form_with_too_many_fields_answers_the_french_400_page(client):
    fields = {f"champ{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("login"), fields)
    assert_french_page(response, 400, "Requête incorrecte")


# --- 500 ------------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF="tests.spaser.urls_with_errors")
def test_a_failing_page_answers_the_french_500_page_without_the_database(client):
    """No django_db mark: the 500 page must render when the database is what failed (any query here
    would raise), as Django renders it, with an empty context."""
    client.raise_request_exception = False
    page = assert_french_page(client.get("/public/page-en-erreur/"), 500, "Erreur du serveur")
    assert "Une erreur inattendue a empêché d'afficher cette page." in page
    assert "RuntimeError" not in page and "page qui échoue" not in page
