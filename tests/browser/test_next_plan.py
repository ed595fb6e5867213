"""SCP prepares the next plan in a real browser, decides three fiches (reconduite, fusionnée,
abandonnée) and downloads the draft schema's PDF, where pdftotext finds every fiche of the draft; axe
finds no accessibility violation on the pages that prepare it.

The schema PDF (`reporting:schema_pdf`) is built by another part of issue 12: this test expects it
at that URL name, with the new plan's slug."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from actions.models import Fiche, Plan
from planning import enums as planning_enums
from planning.models import FicheDecision
from tests.factories import PASSWORD
from tests.planning.conftest import prepare
from tests.reporting.conftest import pdf_text, squash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_SLUG = "spaser54-2027-2032"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def prepare_through_the_form(page, live_server, old):
    page.goto(f"{live_server.url}/plans/{old.slug}/")
    page.get_by_role("link", name="Préparer le plan suivant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Préparer le plan suivant")
    # A mistake first: the message sits beside the field and the typing stays.
    page.get_by_label("Identifiant du nouveau plan").fill(NEW_SLUG)
    page.get_by_label("Titre", exact=True).fill("Schéma 2027-2032")
    page.get_by_label("Dernière année").fill("2026")
    page.get_by_role("button", name="Préparer le plan suivant").click()
    expect(page.locator("#id_end_year_error")).to_contain_text("précède la première année")
    expect(page.get_by_label("Titre", exact=True)).to_have_value("Schéma 2027-2032")
    assert not Plan.objects.filter(slug=NEW_SLUG).exists()
    page.get_by_label("Dernière année").fill("2032")
    page.get_by_role("button", name="Préparer le plan suivant").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{NEW_SLUG}/preparation/")


def decide(page, number, decision, reason, into=None):
    card = page.locator(f"#decision-{number}")
    card.get_by_label("Décision").select_option(label=decision)
    card.get_by_label("Motif").fill(reason)
    if into:
        card.get_by_label("Fusionnée dans la fiche").select_option(label=into)
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(page.get_by_role("status")).to_contain_text(f"Fiche {number} : « {decision} » enregistré")
    expect(page).to_have_url(re.compile(f"#decision-{number}$"))


def test_scp_prepares_decides_and_downloads_the_draft_schema(live_server, chromium, spaser54, scp_user):
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, live_server, scp_user.username)
    prepare_through_the_form(page, live_server, spaser54)

    target = Fiche.objects.get(plan__slug=NEW_SLUG, number=12)
    decide(page, 1, "Reconduite", "Résultats encourageants")
    # A merge without its target first: refused beside the field, nothing written.
    card = page.locator("#decision-13")
    card.get_by_label("Décision").select_option(label="Fusionnée dans une autre fiche")
    card.get_by_label("Motif").fill("Regroupée avec la 12")
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(page.locator("#id_f13-into_error")).to_contain_text("Choisissez la fiche du nouveau plan")
    expect(page.locator("#decision-13").get_by_label("Motif")).to_have_value("Regroupée avec la 12")
    decide(
        page, 13, "Fusionnée dans une autre fiche", "Regroupée avec la 12", into=f"Fiche 12 – {target.title}"
    )
    decide(page, 4, "Abandonnée", "Sans objet depuis la réforme")

    new = Plan.objects.get(slug=NEW_SLUG)
    decisions = {d.previous.number: d for d in FicheDecision.objects.of_plan(new).select_related("previous")}
    assert decisions[1].decision == planning_enums.FicheDecision.RENEWED and decisions[1].reason
    assert (
        decisions[13].decision == planning_enums.FicheDecision.MERGED and decisions[13].fiche_id == target.pk
    )
    assert decisions[4].decision == planning_enums.FicheDecision.ABANDONED
    titles = list(Fiche.objects.filter(plan=new).order_by("number").values_list("title", flat=True))
    assert len(titles) == 19

    # The draft schema, as the assemblée will read it.
    page.get_by_role("link", name="Télécharger le projet de schéma (PDF)").click()  # its job's page
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Télécharger {NEW_SLUG}-schema.pdf").click()
    assert download.value.suggested_filename == f"{NEW_SLUG}-schema.pdf"
    pdf = Path(download.value.path()).read_bytes()
    text = squash(pdf_text(pdf))
    assert [title for title in titles if squash(title) not in text] == []
    context.close()


def test_axe_finds_no_violation_on_the_planning_pages(live_server, chromium, spaser54, scp_user):
    new = prepare(spaser54, scp_user)
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, live_server, scp_user.username)
    found = {}
    for path in (
        f"/plans/{spaser54.slug}/preparer-la-suite/",
        f"/plans/{new.slug}/preparation/",
        f"/plans/{new.slug}/comparaison/",
    ):
        assert page.goto(live_server.url + path).status == 200, path
        results = Axe().run(page, options=AXE_OPTIONS)
        found[path] = results.generate_snapshot() if results.violations_count else ""
    # With an error shown beside a field (the error summary, aria-invalid).
    page.goto(live_server.url + f"/plans/{new.slug}/preparation/")
    card = page.locator("#decision-5")
    card.get_by_label("Décision").select_option(label="Abandonnée")
    card.get_by_role("button", name=re.compile("Enregistrer la décision")).click()
    expect(page.locator("#id_f5-reason_error")).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    found["erreur"] = results.generate_snapshot() if results.violations_count else ""
    context.close()
    assert {path: report for path, report in found.items() if report} == {}
