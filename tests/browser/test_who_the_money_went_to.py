"""Who the money went to, in Chromium, on the demo data (`make run`'s): the comité reads the legal page's
holders section, follows a figure to the contracts behind it, opens a contract's holder and its
categories with their sources, then the national comparison. axe-core finds no accessibility violation
on any of these pages."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from contracts.models import Contract
from suppliers.models import Establishment
from tests.browser.test_closing_a_plan import axe_violations
from tests.browser.test_pilot_workspace import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO = str(settings.BASE_DIR / "fixtures" / "demo" / "demo.yaml")


def test_the_comite_follows_a_share_to_its_contracts_holders_and_the_national_comparison(
    page, live_server, spaser54, committee_user
):
    call_command("load_demo", DEMO)
    esat = Establishment.objects.get(siret="99100000400017")  # "ESAT du Lunévillois (démo)"
    contracts_with_esat = Contract.objects.filter(year=2025, holders__icontains=esat.siret).count()
    found = {}

    log_in(page, live_server, committee_user.username)
    page.goto(f"{live_server.url}/plans/{spaser54.slug}/indicateurs-legaux/2025/")
    expect(page.get_by_text("données de démonstration").first).to_be_visible()
    row = page.locator("#titulaires-ea_esat")
    expect(row).to_contain_text("Entreprises adaptées et ESAT")
    found["legal"] = axe_violations(page)
    count = int(row.locator("td").first.inner_text())
    assert count >= contracts_with_esat > 0

    row.locator("td a").first.click()
    expect(page).to_have_url(
        f"{live_server.url}/plans/{spaser54.slug}/contrats/?annee=2025&titulaires=ea_esat"
    )
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(count)
    found["list"] = axe_violations(page)

    contract = Contract.objects.filter(year=2025, holders__icontains=esat.siret).first()
    page.goto(f"{live_server.url}/plans/{spaser54.slug}/contrats/{contract.pk}/")
    page.get_by_role("link", name=f"SIRET {esat.siret}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ESAT du Lunévillois (démo)")
    categories = page.locator("#categories").locator("xpath=..")
    expect(categories).to_contain_text("Entreprises adaptées et ESAT")
    expect(categories).to_contain_text("Liste fictive d'EA et d'ESAT (démonstration)")
    expect(categories).to_contain_text("Entreprises locales")
    found["holder"] = axe_violations(page)

    page.get_by_role("link", name="Comparaison nationale").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Comparaison nationale")
    expect(page.locator("main")).to_contain_text("parmi les départements")
    found["national"] = axe_violations(page)

    assert found == {name: "" for name in found}
