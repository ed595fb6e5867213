"""In Chromium, with two plans (the 2021-2026 one closed, the next in force): SCP changes plan from the
header's switcher, without JavaScript, and lands on the same page of the other plan; axe-core finds no
accessibility violation on the pages that show the switcher, on a desktop screen or a phone's."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from actions.enums import PlanState
from actions.models import Fiche
from core.versioning import save_claimed
from indicators.models import Campaign
from planning.services import plan_prepare_next
from tests.browser.test_pilot_workspace import log_in
from tests.public.test_browser import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_plans(spaser54, scp_user, pilot11):
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()  # quick pages
    new = plan_prepare_next(
        old=spaser54,
        slug="spaser54-2027-2032",
        title="SPASER 54 2027-2032",
        short_title="SPASER 54 bis",
        start_year=2027,
        end_year=2032,
        user=scp_user,
    )
    for plan, state in ((new, PlanState.IN_FORCE), (spaser54, PlanState.CLOSED)):
        plan.state = state
        save_claimed(plan, seen=None, user=scp_user)
    Campaign.objects.create(plan=spaser54, year=2026, deadline="2027-03-31")
    Campaign.objects.create(plan=new, year=2027, deadline="2028-03-31")
    return spaser54, new


def test_scp_changes_plan_from_the_switcher(page, live_server, two_plans, scp_user):
    old, new = two_plans
    page.context.route("**/*.js", lambda route: route.abort())  # works without JavaScript
    log_in(page, live_server, scp_user.username)
    page.goto(live_server.url + reverse("reporting:bilan_list", args=[old.slug]))
    switcher = page.get_by_role("navigation", name="Changer de plan")
    expect(switcher.get_by_role("link", name=re.compile(r"SPASER 54 2021-2026 \(clos\)"))).to_have_attribute(
        "aria-current", "true"
    )
    switcher.get_by_role("link", name=re.compile(r"SPASER 54 bis 2027-2032 \(en vigueur\)")).click()
    expect(page).to_have_url(live_server.url + reverse("reporting:bilan_list", args=[new.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilans annuels – SPASER 54 bis")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Campagnes").click()
    expect(page).to_have_url(live_server.url + reverse("indicators:campaigns", args=[new.slug]))


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_axe_finds_no_violation_on_the_pages_with_the_switcher(
    live_server, chromium, two_plans, scp_user, pilot11, width
):
    old, new = two_plans
    found = {}
    for user, paths in (
        (pilot11, [reverse("indicators:my_fiches")]),
        (
            scp_user,
            [
                reverse("indicators:plan_detail", args=[new.slug]),
                reverse("reporting:bilan_list", args=[old.slug]),
                reverse("indicators:campaigns", args=[new.slug]),
            ],
        ),
    ):
        context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
        page = context.new_page()
        log_in(page, live_server, user.username)
        for path in paths:
            assert page.goto(live_server.url + path).status == 200, path
            results = Axe().run(page, options=AXE_OPTIONS)
            found[path] = results.generate_snapshot() if results.violations_count else ""
        context.close()
    assert {path: report for path, report in found.items() if report} == {}
