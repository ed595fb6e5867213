"""The contracts register in Chromium: SCP corrects a contract whose published data omit a social clause
(radio button, reason), the legal page then counts it and lists it among the corrected figures; the
comité reads the same pages without the form. axe-core finds no accessibility violation on the legal
page (with its lists of anomalies, corrections and duties), the register's list and the contract page
(with the correction form, and its refusal when the reason is missing)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from contracts.models import Contract
from tests.browser.test_closing_a_plan import axe_violations
from tests.browser.test_pilot_workspace import log_in
from tests.contracts import files
from tests.contracts.files import BUYER, NO_ENV, NO_SOCIAL, marche, write_2022

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scp_corrects_a_contract_and_the_legal_page_follows(
    chromium, live_server, spaser54, scp_user, committee_user, tmp_path
):
    files.add_buyer(spaser54, BUYER)
    path = write_2022(
        tmp_path / "decp-2026.json",
        marches=[
            marche("C-1", notified="2026-09-10", amount=300000, social=[NO_SOCIAL], environmental=[NO_ENV]),
            marche("C-2", notified="2026-03-02", amount="1e17", social=["NC"], environmental=[NO_ENV]),
        ],
    )
    call_command("decp_import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    contract = Contract.objects.get(contract_id="C-1")
    legal = f"{live_server.url}/plans/{spaser54.slug}/indicateurs-legaux/2026/"
    detail = f"{live_server.url}/plans/{spaser54.slug}/contrats/{contract.pk}/"
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = {}

    log_in(page, live_server, scp_user.username)
    page.goto(legal)
    expect(page.locator("#categorie-social")).to_contain_text("0")
    expect(page.locator("#anomalies")).to_contain_text("Montants anormaux : 1 contrat")
    found["legal before"] = axe_violations(page)
    page.goto(detail)
    form = page.locator("#correction")
    form.get_by_role("group", name="Clause sociale").get_by_label("Oui").check()
    form.get_by_role("button", name="Enregistrer la correction").click()  # no reason yet
    expect(form).to_contain_text("Ce champ est obligatoire.")
    expect(form.get_by_role("group", name="Clause sociale").get_by_label("Oui")).to_be_checked()  # kept
    found["refused"] = axe_violations(page)
    form.get_by_label("Motif de la correction").fill("Clause d'insertion prévue au CCAP, article 9.")
    form.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator(".messages")).to_contain_text("Contrat C-1 corrigé")
    row = page.locator("#considerations-contrat tr", has_text="Clause sociale")
    expect(row.locator("td")).to_have_text(["non", "oui corrigé"])
    found["corrected"] = axe_violations(page)
    page.goto(legal)
    expect(page.locator("#corrections")).to_contain_text("Chiffres reposant sur des corrections : 1 contrat")
    expect(page.locator("#contrats-corriges")).to_contain_text("C-1")
    found["legal after"] = axe_violations(page)
    page.locator("#contrats-corriges").get_by_role("link", name="C-1").click()
    expect(page).to_have_url(detail)
    page.goto(f"{live_server.url}/plans/{spaser54.slug}/contrats/?annee=2026&corrige=on")
    expect(page.locator("#resultats")).to_contain_text("1 contrat")
    found["list"] = axe_violations(page)

    context.clear_cookies()
    log_in(page, live_server, committee_user.username)
    page.goto(detail)
    expect(page.locator("#considerations-contrat")).to_contain_text("corrigé")
    expect(page.locator("#correction")).to_have_count(0)
    found["comité"] = axe_violations(page)
    context.close()
    assert {name: report for name, report in found.items() if report} == {}
    assert Contract.objects.get(pk=contract.pk).social_clause
