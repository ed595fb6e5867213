"""Several plans side by side, on the real SPASER 54: the plan in every address, the plan switcher,
Mes fiches across plans, and the next plan hidden from pilots while it is in preparation.

The next plan is prepared as SCP does it (planning.services.plan_prepare_next: every fiche carried
over, with its pilots); who may open what in each plan state is also the table of
tests/security/test_url_permissions.py.
"""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import PlanState
from actions.models import Fiche, Plan
from core.versioning import save_claimed
from indicators.models import Campaign
from planning.models import FicheDecision
from tests.conftest import NEXT_SLUG, next_plan_of
from tests.indicators.conftest import client_for

pytestmark = pytest.mark.django_db

NEXT = NEXT_SLUG


def prepare_next(spaser54, scp_user) -> Plan:
    return next_plan_of(spaser54, scp_user, short_title="SPASER 54 bis")  # told apart from the old one


def set_state(plan: Plan, state: str, user) -> Plan:
    plan.state = state
    save_claimed(plan, seen=None, user=user)
    return plan


def carried(fiche: Fiche, plan: Plan) -> Fiche:
    return FicheDecision.objects.get(plan=plan, previous=fiche).fiche


def open_campaign(scp, plan: Plan, year: int):
    """SCP opens the campaign from the plan's campaigns page, as in the browser."""
    url = reverse("indicators:campaigns", args=[plan.slug])
    return scp.post(url, {"year": str(year), "deadline": f"{year + 1}-03-31"})


def switcher(page: str) -> str:
    found = re.search(r'<nav class="plan-switcher" aria-label="Changer de plan">(.*?)</nav>', page, re.S)
    return found.group(1) if found else ""


def test_pilot11_enters_the_last_year_of_the_old_plan_and_the_first_of_the_new_at_the_same_time(
    spaser54, fiche11, scp_user, pilot11
):
    # January 2027: the new schema is in force, the old one closed but for its last year's campaign.
    new = set_state(prepare_next(spaser54, scp_user), PlanState.IN_FORCE, scp_user)
    set_state(spaser54, PlanState.CLOSED, scp_user)
    new11 = carried(fiche11, new)
    scp, pilot = client_for(scp_user), client_for(pilot11)
    refused = open_campaign(scp, spaser54, 2025)  # a closed plan: only its last year's campaign
    assert (
        refused.status_code == 200
        and "seule la campagne de sa dernière année (2026)" in refused.content.decode()
    )
    assert open_campaign(scp, spaser54, 2026).status_code == 302
    assert open_campaign(scp, new, 2027).status_code == 302
    assert set(Campaign.objects.open().values_list("plan__slug", "year")) == {
        (spaser54.slug, 2026),
        (NEXT, 2027),
    }

    page = pilot.get(reverse("indicators:my_fiches")).content.decode()
    # Grouped by plan (the most recent first), each with its campaign's year and its own entry links.
    assert page.index(f'<h2 id="plan-{NEXT}">{new.title}') < page.index(f'<h2 id="plan-{spaser54.slug}">')
    assert "Bilan 2027 – à remettre avant le 31 mars 2028" in page
    assert "Bilan 2026 – à remettre avant le 31 mars 2027" in page
    old_entry = reverse("indicators:entry", args=[spaser54.slug, 11, 2026])
    new_entry = reverse("indicators:entry", args=[NEXT, new11.number, 2027])
    assert f'href="{old_entry}"' in page and f'href="{new_entry}"' in page
    for url in (old_entry, new_entry):
        entry = pilot.get(url)
        assert entry.status_code == 200, url
        assert "Enregistrer le brouillon" in entry.content.decode(), url  # open for entry, not read-only

    # The old addresses go on working: a year's address leads to the plan that covers that year.
    assert scp.get("/campagnes/2026/")["Location"] == reverse(
        "indicators:campaign", args=[spaser54.slug, 2026]
    )
    assert scp.get("/campagnes/2027/")["Location"] == reverse("indicators:campaign", args=[NEXT, 2027])
    assert scp.get("/bilans/2025/")["Location"] == reverse(
        "reporting:bilan_detail", args=[spaser54.slug, 2025]
    )
    assert scp.get("/bilans/")["Location"] == reverse(
        "reporting:bilan_list", args=[NEXT]
    )  # the plan in force
    assert scp.get("/plan/")["Location"] == reverse("indicators:plan_detail", args=[NEXT])


def test_a_plan_in_preparation_is_hidden_from_pilots(spaser54, fiche11, scp_user, committee_user, pilot11):
    new = prepare_next(spaser54, scp_user)
    assert new.state == PlanState.PREPARATION
    new11 = carried(fiche11, new)
    assert new11.fiche_pilots.filter(pilot__users=pilot11).exists()  # carried with its pilots
    Campaign.objects.create(plan=spaser54, year=2026, deadline=datetime.date(2027, 3, 31))
    pilot = client_for(pilot11)

    page = pilot.get(reverse("indicators:my_fiches")).content.decode()
    assert spaser54.title in page and "Bilan 2026" in page
    assert NEXT not in page and new.title not in page and new.short_title not in page
    hidden = [
        reverse("indicators:plan_detail", args=[NEXT]),
        reverse("indicators:fiche_detail", args=[NEXT, new11.number]),
        reverse("indicators:entry", args=[NEXT, new11.number, 2027]),
        reverse("reporting:bilan_list", args=[NEXT]),
        reverse("reporting:bilan_detail", args=[NEXT, 2027]),
        reverse("reporting:final_detail", args=[NEXT]),
    ]
    for url in hidden:
        assert pilot.get(url).status_code == 404, url  # as for a plan that does not exist
    plan_page = pilot.get(reverse("indicators:plan_detail", args=[spaser54.slug])).content.decode()
    assert NEXT not in plan_page and new.short_title not in plan_page  # no switcher entry, no link
    assert pilot.get("/plan/")["Location"] == reverse("indicators:plan_detail", args=[spaser54.slug])

    # SCP and the comité read it; the switcher shows each plan's state.
    for user in (scp_user, committee_user):
        client = client_for(user)
        for url in hidden[:2] + hidden[3:]:
            assert client.get(url).status_code == 200, (user, url)
        page = client.get(reverse("indicators:plan_detail", args=[spaser54.slug])).content.decode()
        entries = switcher(page)
        assert 'SPASER 54 bis 2027-2032 <span class="plan-state">(en préparation)</span>' in entries
        assert (
            'aria-current="true">SPASER 54 2021-2026 <span class="plan-state">(en vigueur)</span>' in entries
        )


def test_a_campaign_of_a_plan_in_preparation_is_refused_with_a_french_message(spaser54, scp_user):
    new = prepare_next(spaser54, scp_user)
    response = open_campaign(client_for(scp_user), new, 2027)
    page = response.content.decode()
    assert response.status_code == 200
    assert "est en préparation : son suivi annuel commencera quand il sera en vigueur" in page
    assert 'id="id_year_error"' in page or "aria-invalid" in page  # next to the field
    assert not Campaign.objects.filter(plan=new).exists()


def test_the_navigation_and_the_switcher_follow_the_plan_of_the_page(spaser54, scp_user):
    new = set_state(prepare_next(spaser54, scp_user), PlanState.IN_FORCE, scp_user)
    set_state(spaser54, PlanState.CLOSED, scp_user)
    scp = client_for(scp_user)
    for plan, other in ((spaser54, new), (new, spaser54)):
        page = scp.get(reverse("reporting:bilan_list", args=[plan.slug])).content.decode()
        nav = re.search(r'<nav aria-label="Navigation principale">(.*?)</nav>', page, re.S).group(1)
        assert f'href="{reverse("indicators:plan_detail", args=[plan.slug])}">Le plan<' in nav
        assert f'href="{reverse("indicators:campaigns", args=[plan.slug])}">Campagnes<' in nav
        assert f'href="{reverse("reporting:bilan_list", args=[plan.slug])}">Bilans annuels<' in nav
        assert f'href="{reverse("contracts:legal_latest", args=[plan.slug])}">Indicateurs légaux<' in nav
        # The switcher leads to the same page (the bilans) of the other plan, and marks this one.
        entries = switcher(page)
        assert f'<a href="{reverse("reporting:bilan_list", args=[other.slug])}">' in entries
        assert (
            f'<a href="{reverse("reporting:bilan_list", args=[plan.slug])}" aria-current="true">' in entries
        )
    assert "(clos)" in entries and "(en vigueur)" in entries
    # A page of one fiche or one year: the switcher leads to the other plan's page.
    page = scp.get(reverse("reporting:bilan_detail", args=[spaser54.slug, 2025])).content.decode()
    assert f'<a href="{reverse("indicators:plan_detail", args=[NEXT])}">' in switcher(page)


def test_a_published_bilan_is_read_under_its_own_plan_only(spaser54, scp_user, committee_user):
    from reporting.services import bilan_publish

    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()  # a quick PDF
    published = bilan_publish(plan=spaser54, year=2024, user=scp_user)
    new = set_state(prepare_next(spaser54, scp_user), PlanState.IN_FORCE, scp_user)
    client = client_for(committee_user)
    own = reverse("reporting:published_detail", args=[spaser54.slug, published.pk])
    assert client.get(own).status_code == 200
    assert client.get(reverse("reporting:published_detail", args=[new.slug, published.pk])).status_code == 404
    assert client.get(f"/bilans/publies/{published.pk}/")["Location"] == own  # the old address


def count_queries(client, url) -> int:
    """Queries of a request right after a write (nothing cached), which is when a page costs most."""
    caches["default"].clear()
    caches["shared"].clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_a_second_plan_adds_no_query_to_any_page(
    spaser54, fiche11, scp_user, pilot11, django_assert_max_num_queries
):
    """The switcher and the URL's plan are one query (the plans, once per state of the data): with two
    plans loaded, each page costs what it cost with one."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()  # a quick bilan
    Campaign.objects.create(plan=spaser54, year=2025, deadline=datetime.date(2026, 3, 31))
    scp, pilot = client_for(scp_user), client_for(pilot11)
    # Budgets as measured with one plan, nothing cached; each includes session, user, rights, the demo
    # flag and the plans (one query); the rest is the page's own (see its own test for the detail).
    pages = [
        (pilot, reverse("indicators:plan_detail", args=[spaser54.slug]), 13),
        # + its posts' holders, + its evidence (shown to its pilots, the comité and SCP)
        (pilot, reverse("indicators:fiche_detail", args=[spaser54.slug, 11]), 22),
        # + its discussion section, + its evidence
        (pilot, reverse("indicators:entry", args=[spaser54.slug, 11, 2025]), 13),
        # + the evidence, + the national comparison (1 without a national computation)
        (pilot, reverse("reporting:bilan_detail", args=[spaser54.slug, 2025]), 19),
        (scp, reverse("reporting:bilan_list", args=[spaser54.slug]), 6),
        (scp, reverse("indicators:campaign", args=[spaser54.slug, 2025]), 9),
    ]
    with_one = {}
    for client, url, budget in pages:
        with django_assert_max_num_queries(budget):
            with_one[url] = count_queries(client, url)
    set_state(prepare_next(spaser54, scp_user), PlanState.IN_FORCE, scp_user)
    with_two = {url: count_queries(client, url) for client, url, _ in pages}
    assert with_two == with_one
    assert NEXT in pilot.get(pages[0][1]).content.decode()  # the switcher does list the second plan


def test_the_admin_offers_each_plans_workbooks(spaser54, scp_user):
    new = prepare_next(spaser54, scp_user)
    page = client_for(scp_user).get(reverse("admin:actions_fiche_changelist")).content.decode()
    for plan in (spaser54, new):
        assert f'href="{reverse("actions:plan_xlsx", args=[plan.slug])}"' in page
        assert f'href="{reverse("indicators:values_xlsx", args=[plan.slug])}"' in page
    assert f"Classeur du plan {new.short_title} 2027-2032 (Excel)" in page
