"""A pilot enters a year in a real browser, submits it; SCP validates; the values show on the fiche page."""

import re

import pytest
from playwright.sync_api import expect

from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_pilot_enters_submits_and_scp_validates(page, live_server, fiche11, campaign2025, pilot11, scp_user):
    meetings, ratio, hours = (fiche11.indicators.get(code=c) for c in ("11-R1", "11-R3", "11-I1"))

    log_in(page, live_server, pilot11.username)
    expect(page).to_have_url(f"{live_server.url}/mes-fiches/")
    row = page.locator("#spaser54-2021-2026-2025-fiche-11")  # plan, campaign year, fiche
    expect(row).to_contain_text("À saisir")
    row.get_by_role("link", name=re.compile("Saisir")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan 2025 – fiche 11")

    # A mistake first: the message sits beside the field, the typing stays, nothing is saved.
    page.locator(f"#id_value_{meetings.pk}").fill("douze")
    page.locator(f"#id_value_{hours.pk}").fill("1 234,5")
    page.get_by_label("Réalisations de l'année").fill("Quatre marchés analysés avec la DASI.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(f"#id_value_{meetings.pk}_error")).to_contain_text("n'est pas un nombre")
    expect(page.locator(f"#id_value_{meetings.pk}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_value_{hours.pk}")).to_have_value("1 234,5")
    assert not IndicatorValue.objects.exists()

    # The summary's link takes the keyboard to the faulty field.
    page.locator("#erreurs a").first.click()
    expect(page.locator(f"#id_value_{meetings.pk}")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("12")
    page.locator(f"#id_value_{ratio.pk}").fill("0,45")
    page.get_by_label("État d'avancement de l'action").select_option(label="En cours")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("saisie 2025 enregistrée")
    expect(page.locator(f"#id_value_{hours.pk}")).to_have_value("1234,5")

    page.get_by_role("button", name=re.compile("soumettre")).click()
    expect(page).to_have_url(f"{live_server.url}/mes-fiches/")
    expect(page.locator("#spaser54-2021-2026-2025-fiche-11")).to_contain_text("Soumis")
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, scp_user.username)
    page.goto(f"{live_server.url}/campagnes/2025/")  # the old address: the current plan's campaign
    page.locator("#fiche-11").get_by_role("button", name=re.compile("^Valider")).click()
    expect(page.get_by_role("status")).to_contain_text("Fiche 11 – 2025 : validé")
    review = AnnualReview.objects.get(fiche=fiche11, year=2025)
    assert review.status == ReviewStatus.VALIDATED and review.submitted_by == pilot11

    page.goto(f"{live_server.url}/plans/{fiche11.plan.slug}/fiches/11/")
    cell = page.locator("table.follow-up tr", has_text="11-I1").locator('td[data-year="2025"]')
    expect(cell).to_have_text("1\u00a0234,5 h")
    expect(page.locator("table.follow-up tr", has_text="11-R3").locator('td[data-year="2025"]')).to_have_text(
        "0,45"
    )
    expect(page.locator("table.history")).to_contain_text("Pilote11 Test")
