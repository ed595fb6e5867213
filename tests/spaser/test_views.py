"""Logging in, and where each role lands afterwards (www.plans.views.home)."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_in_french_and_login_works(client, scp_user):
    page = client.get(reverse("login")).content.decode()
    assert "Identifiant" in page and "Mot de passe" in page and 'lang="fr"' in page
    response = client.post(reverse("login"), {"username": "scp", "password": "mauvais"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    response = client.post(reverse("login"), {"username": "scp", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "role, landing",
    [
        ("pilot", "indicators:my_fiches"),  # the pilot's own workspace
        ("other_pilot", "indicators:my_fiches"),
        ("committee", "indicators:plan_detail"),  # the plan in force
        ("scp", "indicators:plan_detail"),
    ],
)
def test_each_role_lands_on_its_page(client, role_users, spaser54, role, landing):
    client.force_login(role_users[role])
    response = client.get(reverse("home"))
    args = [spaser54.slug] if landing == "indicators:plan_detail" else []
    assert response.status_code == 302 and response["Location"] == reverse(landing, args=args)


def test_a_visitor_without_an_account_lands_on_the_public_site(client, spaser54):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucun schéma n'est encore publié." in page and reverse("login") in page
