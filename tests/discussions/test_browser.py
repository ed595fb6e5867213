"""In Chromium: a pilot asks about a figure, SCP answers and resolves; axe-core finds no accessibility
violation on the discussion page (with an error shown), the entry page's section and the confirmation
of a validation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from discussions.enums import ThreadStatus
from discussions.models import Thread
from indicators.services import workflow
from tests.browser.test_pilot_workspace import log_in
from tests.public.test_browser import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_snapshot() if results.violations_count else ""


def test_a_pilot_asks_scp_answers_and_resolves(page, live_server, fiche11, campaign2025, pilot11, scp_user):
    base = f"{live_server.url}/plans/{fiche11.plan.slug}/fiches/11"
    found = {}
    log_in(page, live_server, pilot11.username)
    page.goto(f"{base}/echanges/2025/")
    meetings = fiche11.indicators.get(code="11-R1")
    page.get_by_label("À propos de").select_option(f"indicator-{meetings.pk}")
    page.get_by_role("button", name="Ouvrir l'échange").click()
    expect(page.locator("#id_body_error")).to_have_text("Écrivez votre message : il est vide.")
    found["erreur"] = violations(page)
    page.get_by_label("Message", exact=True).fill("D'où vient le 17 ? Voir https://example.org/cr")
    page.get_by_role("button", name="Ouvrir l'échange").click()
    thread = Thread.objects.get()
    expect(page).to_have_url(f"{base}/echanges/2025/#fil-{thread.pk}")
    expect(page.locator(f"#fil-{thread.pk} a[rel='nofollow noopener']")).to_have_text(
        "https://example.org/cr"
    )
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, scp_user.username)
    page.goto(f"{base}/saisie/2025/")
    section = page.locator("#echanges")
    expect(section).to_contain_text("Indicateur 11-R1")
    found["saisie"] = violations(page)
    section.get_by_role("link", name="Indicateur 11-R1").click()
    page.get_by_label(re.compile("^Votre réponse")).fill("Du compte rendu de juin.")
    page.get_by_role("button", name=re.compile("^Répondre")).click()
    expect(page.locator(f"#fil-{thread.pk}")).to_contain_text("Du compte rendu de juin.")
    found["échanges"] = violations(page)
    page.get_by_role("button", name=re.compile("^Marquer comme résolu")).click()
    expect(page.locator(f"#fil-{thread.pk} .badge")).to_have_text("Résolu")
    assert Thread.objects.get().status == ThreadStatus.RESOLVED

    # A returned year's thread asks SCP to confirm the validation.
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment="Précisez la source.")
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    page.goto(f"{live_server.url}/plans/{fiche11.plan.slug}/campagnes/2025/")
    page.locator("#fiche-11").get_by_role("button", name=re.compile("^Valider")).click()
    expect(page.get_by_role("alert")).to_contain_text("1 fil(s) d'échange encore ouvert(s)")
    found["confirmation"] = violations(page)
    page.get_by_role("button", name=re.compile("^Confirmer la validation")).click()
    expect(page.locator("#fiche-11")).to_contain_text("Validé")
    assert {name: report for name, report in found.items() if report} == {}
