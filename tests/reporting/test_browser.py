"""In a real browser: SCP publishes a bilan and makes it public; an anonymous visitor reads it on the
public site and downloads its (tagged) PDF."""

import subprocess

import pytest

from actions.services import plan_publication_set
from reporting.models import PublishedBilan
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_scp_publishes_and_anonymous_reads_the_public_bilan(
    transactional_db, live_server, chromium, small_plan, scp_user
):
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    scp = chromium.new_context(locale="fr-FR")
    page = scp.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.fill("input[name=username]", "scp")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/bilans/")
    page.click("text=Bilan 2024 >> xpath=.. >> text=Page")
    assert page.locator("h1.cover-title").inner_text() == "Bilan annuel 2024"
    page.click("text=Publier ce bilan")
    assert "Bilan 2024 publié (version 1)" in page.locator(".messages").inner_text()
    page.click("text=Rendre public")
    assert "est public" in page.locator(".messages").inner_text()
    scp.close()

    PublishedBilan.objects.get()
    visitor = chromium.new_context(locale="fr-FR")
    page = visitor.new_page()
    page.goto(f"{live_server.url}/")
    page.click("text=SPASER 54 2021-2026")
    page.get_by_role("link", name="Bilans publiés").first.click()
    page.click("text=Bilan 2024 (version 1)")
    assert page.locator("h1.cover-title").inner_text() == "Bilan annuel 2024"
    assert page.locator("#fiche-11 h3").inner_text().startswith("Fiche 11 –")
    with page.expect_download() as download:
        page.click("text=Télécharger le PDF accessible")
    info = subprocess.run(["pdfinfo", download.value.path()], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout
    # Anything else still needs a login.
    page.goto(f"{live_server.url}/bilans/2024/")
    assert "/connexion/" in page.url
    visitor.close()
