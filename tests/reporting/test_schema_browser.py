"""The schema document in Debian's Chromium: the comité opens a draft schema, axe-core finds no
accessibility violation, and the PDF link downloads the tagged PDF with every fiche title in it."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from actions import enums
from actions.models import Fiche
from tests.factories import PASSWORD
from tests.public.test_browser import AXE_OPTIONS
from tests.reporting.conftest import pdf_text, squash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def committee_page(chromium, live_server, committee_user):
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(committee_user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    yield page
    context.close()


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_axe_finds_no_violation_on_the_schema_page(live_server, committee_page, spaser54, width):
    page = committee_page
    page.set_viewport_size({"width": width, "height": 800})
    assert page.goto(live_server.url + reverse("reporting:schema", kwargs={"slug": spaser54.slug})).ok
    expect(page.get_by_role("heading", level=1)).to_have_text("SPASER 54 2021-2026")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_snapshot()


def test_the_comite_downloads_a_draft_schema_pdf_from_its_page(live_server, committee_page, small_plan):
    small_plan.state = enums.PlanState.PREPARATION
    small_plan.save()
    page = committee_page
    page.goto(live_server.url + reverse("reporting:schema", kwargs={"slug": small_plan.slug}))
    expect(page.get_by_text("Projet – document de travail")).to_be_visible()
    page.get_by_role("link", name="Télécharger le schéma en PDF").click()
    # Not rendered yet: its background job's page (the queue is eager in tests: the job is done).
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Schéma (PDF) – {small_plan.short_title}")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_snapshot()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Télécharger {small_plan.slug}-schema.pdf").click()
    assert download.value.suggested_filename == f"{small_plan.slug}-schema.pdf"
    with open(download.value.path(), "rb") as handle:
        text = squash(pdf_text(handle.read()))
    assert "Projet – document de travail" in text
    for fiche in Fiche.objects.filter(plan=small_plan):
        assert f"Fiche {fiche.number} – {squash(fiche.title)}" in text
