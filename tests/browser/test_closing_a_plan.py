"""SCP closes SPASER 54 in the admin, in Chromium: the plan list says "Clos"; its fiche opens read-only
with the banner; the pilot's 2025 entry page says why nothing can be entered, its 2026 page still
takes the last campaign; axe-core finds no accessibility violation on the pages the closing changes."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from actions.enums import PlanState
from actions.models import Plan
from tests.browser.test_pilot_workspace import log_in
from tests.factories import CampaignFactory
from tests.public.test_browser import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_snapshot() if results.violations_count else ""


def test_scp_closes_the_plan_and_it_reads_only(chromium, live_server, spaser54, fiche11, scp_user, pilot11):
    CampaignFactory(plan=spaser54, year=2025, deadline=datetime.date(2026, 3, 31))
    CampaignFactory(plan=spaser54, year=2026, deadline=datetime.date(2027, 3, 31))
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()

    log_in(page, live_server, scp_user.username)
    page.goto(f"{live_server.url}/admin/actions/plan/")
    page.locator(f'input[name="_selected_action"][value="{spaser54.pk}"]').check()
    page.locator('select[name="action"]').select_option("close_plan")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".messagelist")).to_contain_text("SPASER 54 (2021-2026) : clos.")
    expect(page.locator("#result_list")).to_contain_text("Clos")
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.CLOSED

    page.goto(f"{live_server.url}/admin/actions/fiche/{fiche11.pk}/change/")
    expect(page.locator(".messagelist")).to_contain_text(
        "Ce plan est clos : cette page est en lecture seule."
    )
    expect(page.locator('input[name="_save"]')).to_have_count(0)
    expect(page.locator('input[name="title"]')).to_have_count(0)

    context.clear_cookies()
    log_in(page, live_server, pilot11.username)
    base = f"{live_server.url}/plans/{spaser54.slug}/fiches/11/saisie"
    found = {}
    page.goto(f"{base}/2025/")
    expect(page.locator("main")).to_contain_text("seule la campagne de sa dernière année (2026)")
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
    found["2025"] = axe_violations(page)
    page.goto(f"{base}/2026/")
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_be_visible()
    found["2026"] = axe_violations(page)
    context.close()
    assert {year: report for year, report in found.items() if report} == {}
