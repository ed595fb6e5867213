"""Done when: a browser signs in through the local OpenID Connect provider, lands on "Mes fiches" with
the rights SCP gave (fiche 11's pilot post), and signs out of both; axe-core finds nothing to report on
the pages it opens."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.public.test_browser import AXE_OPTIONS

from .provider import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_snapshot() if results.violations_count else ""


def sign_in_at_provider(page, username: str) -> None:
    page.get_by_label("Identifiant du fournisseur").fill(username)
    page.get_by_label("Mot de passe du fournisseur").fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()


def test_a_pilot_signs_in_by_sso_lands_on_mes_fiches_and_signs_out_of_both(
    page, live_server, sso, pilot11, campaign2025
):
    pilot11.email = "pilote.sso@example.org"  # the address the provider vouches for
    pilot11.save()
    found = {}
    page.goto(f"{live_server.url}/connexion/")
    found["connexion"] = axe_violations(page)
    page.get_by_role("button", name="Se connecter avec le compte de l'organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fournisseur d'identité de test")
    found["fournisseur"] = axe_violations(page)
    sign_in_at_provider(page, "pilote-sso")

    expect(page).to_have_url(f"{live_server.url}/mes-fiches/")
    expect(page.locator("#spaser54-2021-2026-2025-fiche-11")).to_be_visible()  # the post SCP gave
    found["mes-fiches"] = axe_violations(page)
    page.get_by_role("link", name="Pilote11 Test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    found["mon-compte"] = axe_violations(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(f"{live_server.url}/connexion/")
    page.goto(f"{live_server.url}/mes-fiches/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/mes-fiches/")
    # Signed out of the provider too: it asks for the password again.
    page.get_by_role("button", name="Se connecter avec le compte de l'organisation").click()
    expect(page.get_by_label("Mot de passe du fournisseur")).to_be_visible()
    assert found == {name: "" for name in found}
