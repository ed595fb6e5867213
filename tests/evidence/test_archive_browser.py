"""In Chromium: SCP reads the bilan with its evidence (axe-core finds no violation), asks for the
year's audit archive, waits on the job's page and downloads the zip."""

import zipfile
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from actions.models import Fiche
from evidence.archive import MANIFEST
from tests.factories import PASSWORD, EvidenceFactory, IndicatorValueFactory
from tests.public.test_browser import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scp_page(chromium, live_server, scp_user):
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(scp_user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    yield page
    context.close()


def test_scp_reads_the_evidence_in_the_bilan_and_downloads_the_archive(live_server, scp_page, small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    first, second = fiche.indicators.order_by("position")[:2]
    for indicator in (first, second):
        IndicatorValueFactory(indicator=indicator, year=2025, value_number=Decimal(4))
    EvidenceFactory(
        indicator=first, year=2025, title="Convention d'insertion signée", file_name="convention.pdf"
    )
    EvidenceFactory(fiche=fiche, year=2025, title="Tableau de suivi", link=True)

    page = scp_page
    assert page.goto(live_server.url + reverse("reporting:bilan_detail", args=[small_plan.slug, 2025])).ok
    expect(page.locator("#chiffres-appuyes")).to_be_visible()
    expect(page.locator("#fiche-11").get_by_text("Convention d'insertion signée")).to_be_visible()
    expect(page.locator("#fiche-11 .no-evidence")).to_have_text("sans preuve")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_snapshot()

    page.get_by_role("link", name="Archive des preuves 2025 (zip)").click()
    # The queue is eager in tests: the job has run by the time its page shows.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Archive des preuves 2025 – {small_plan.short_title}"
    )
    expect(page.get_by_text("1 fichier, 1 lien et le manifeste")).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_snapshot()
    name = f"{small_plan.slug}-preuves-2025.zip"
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Télécharger {name}").click()
    assert download.value.suggested_filename == name
    with zipfile.ZipFile(download.value.path()) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["fiche-11/convention.pdf", MANIFEST, "manifeste.schema.json"]
