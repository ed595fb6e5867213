"""In a real browser: a pilot attaches a PDF to a value from the entry page (a wrong file first),
removes it; axe-core finds no accessibility violation on the entry page with its evidence."""

import re

import pytest
from playwright.sync_api import expect

from evidence.models import Evidence
from tests.browser.test_closing_a_plan import axe_violations
from tests.browser.test_pilot_workspace import log_in
from tests.evidence.conftest import docx_bytes, pdf_bytes, stored_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pilot_attaches_a_pdf_to_a_value(
    page, live_server, fiche11, campaign2025, pilot11, media, tmp_path
):
    hours = fiche11.indicators.get(code="11-I1")
    wrong, right = tmp_path / "heures.xlsx", tmp_path / "PV comité.pdf"
    wrong.write_bytes(docx_bytes())
    right.write_bytes(pdf_bytes())
    log_in(page, live_server, pilot11.username)
    page.goto(f"{live_server.url}/plans/{fiche11.plan.slug}/fiches/11/saisie/2025/")
    section = page.locator("#preuves")
    expect(section).to_contain_text("Aucune preuve pour 2025")

    section.get_by_label("Titre").fill("Heures d'insertion 2025")
    section.get_by_label("Date du document").fill("2025-03-12")
    section.get_by_label("Fichier").set_input_files(str(wrong))
    section.get_by_label("Preuve de").select_option(value=f"i{hours.pk}")
    section.get_by_role("button", name="Ajouter la preuve").click()
    expect(page.locator("#id_preuve-upload_error")).to_contain_text("celui d'un fichier DOCX")
    expect(page.get_by_label("Titre")).to_have_value("Heures d'insertion 2025")
    assert not Evidence.objects.exists() and stored_files(media) == []

    page.get_by_label("Fichier").set_input_files(str(right))
    page.get_by_role("button", name="Ajouter la preuve").click()
    expect(page.get_by_role("status")).to_contain_text("Preuve « Heures d'insertion 2025 » ajoutée")
    expect(page.locator("#preuves")).to_contain_text("PV comité.pdf")
    expect(page.locator(f"#indicateur-{hours.code}")).to_contain_text("1 preuve")
    assert axe_violations(page) == ""

    with page.expect_download() as download:
        page.locator("#preuves").get_by_role("link", name="PV comité.pdf").click()
    assert download.value.suggested_filename == "PV comité.pdf"

    page.get_by_role("button", name=re.compile("Retirer la preuve")).click()
    expect(page.get_by_role("status")).to_contain_text("retirée")
    expect(page.locator("#preuves")).to_contain_text("Aucune preuve pour 2025")
    assert Evidence.objects.get().is_removed
