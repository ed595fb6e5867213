"""Indicator lineage on the real SPASER 54 with the demo values: the next plan (2027-2032) prepared by
plan_prepare_next, put in force, a 2027 value entered by the pilot; a continued indicator's series
spans both plans on the new plan's fiche page and entry page, each plan keeping its own target; an
indicator new in the plan shows only its own years; the old plan's pages do not change."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.enums import IndicatorKind, PlanState, ValueType
from actions.models import Fiche, Indicator, Plan
from actions.services import plan_content_save
from core.versioning import save_claimed
from indicators.models import IndicatorValue
from indicators.selectors import fiche_follow_up, indicator_lineages
from indicators.services.campaigns import campaign_open
from planning.services import plan_prepare_next
from tests.indicators.conftest import client_for, entry_url
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db

NEW_SLUG = "spaser54-2027-2032"
OLD_TARGET, NEW_TARGET = Decimal(30), Decimal(45)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def fiche_url(plan, number):
    return reverse("indicators:fiche_detail", args=[plan.slug, number])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def set_target(indicator: Indicator, value: Decimal, year: int, user) -> None:
    indicator.target_value, indicator.target_year = value, year
    plan_content_save(obj=indicator, user=user)


def give_old_target(old: Plan, scp) -> None:
    """The real plan states no indicator target: SCP gives 11-R1 one, in the old plan."""
    set_target(Indicator.objects.get(fiche__plan=old, code="11-R1"), OLD_TARGET, 2026, scp)


def prepare_next_plan(old: Plan, scp) -> Plan:
    """SCP prepares 2027-2032 (every fiche carried over, each indicator continuing the old one), gives
    the new 11-R1 its own target, adds an indicator new in the plan to fiche 11, puts the plan in force
    and opens its 2027 campaign."""
    new = plan_prepare_next(
        old=old, slug=NEW_SLUG, title="SPASER 54 2027-2032", start_year=2027, end_year=2032, user=scp
    )
    new.state = PlanState.IN_FORCE
    save_claimed(new, seen=None, user=scp)
    fiche = Fiche.objects.get(plan=new, number=11)
    set_target(fiche.indicators.get(code="11-R1"), NEW_TARGET, 2032, scp)
    plan_content_save(
        obj=Indicator(
            fiche=fiche,
            code="11-N1",
            kind=IndicatorKind.REALISATION,
            label="Nouvel indicateur du plan 2027-2032",
            value_type=ValueType.COUNT,
            position=99,
        ),
        user=scp,
    )
    campaign_open(plan=new, year=2027, deadline=datetime.date(2028, 1, 31), user=scp)
    return new


def enter_2027(pilot, new: Plan) -> None:
    """The pilot types the 2027 values of fiche 11 on its entry page (the real form)."""
    fiche = Fiche.objects.select_related("plan").get(plan=new, number=11)
    client = client_for(pilot)
    page = client.get(entry_url(fiche, 2027))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "saisie")
    r1, n1 = fiche.indicators.get(code="11-R1"), fiche.indicators.get(code="11-N1")
    data |= {f"value_{r1.pk}": "23", f"value_{n1.pk}": "5", "action": "save"}
    assert client.post(entry_url(fiche, 2027), data).status_code == 302
    assert IndicatorValue.objects.get(indicator=r1, year=2027).value_number == 23


@pytest.fixture
def next_plan(demo_plan, scp_user, pilot11) -> Plan:
    """The demo plan followed by 2027-2032 in force, pilote11's 2027 values of fiche 11 entered."""
    give_old_target(demo_plan, scp_user)
    new = prepare_next_plan(demo_plan, scp_user)
    enter_2027(pilot11, new)
    return new


def cells(html: str, plan_slug: str) -> dict[int, str]:
    """The follow-up cells of the first indicator row of the lineage table, for one plan: year -> text."""
    found = re.findall(
        rf'<td class="num[^"]*" data-year="(\d+)" data-plan="{plan_slug}">(.*?)</td>', html, re.S
    )
    return {int(year): re.sub(r"<[^>]+>", " ", text).split()[0] if text else "" for year, text in found}


def row_of(html: str, code: str) -> str:
    match = re.search(rf'<tr><th scope="row">{re.escape(code)}<br>.*?</tr>', html, re.S)
    assert match, code
    return match[0]


# --- the selector -------------------------------------------------------------------------------------


def test_the_series_of_a_continued_indicator_spans_both_plans(next_plan, demo_plan):
    fiche = Fiche.objects.select_related("plan").get(plan=next_plan, number=11)
    indicators = list(fiche.indicators.all())
    with CaptureQueriesContext(connection) as captured:
        lineages = indicator_lineages(indicators, plan=next_plan)
    assert len(captured) == 2  # the continued indicators of the earlier plans, their values
    r1 = next(i for i in indicators if i.code == "11-R1")
    new = next(i for i in indicators if i.code == "11-N1")
    assert new.pk not in lineages  # a new indicator has only its own years
    [part] = lineages[r1.pk]
    assert part.plan == demo_plan and part.label == "Plan 2021-2026"
    assert part.indicator.continued_by.get() == r1
    assert part.indicator.target_value == OLD_TARGET  # the old plan's target stays with it
    assert [c.year for c in part.cells] == demo_plan.years
    shown = {c.year: (c.value.display() if c.value else None, c.validated) for c in part.cells}
    assert shown[2021] == ("8", True) and shown[2024] == ("19", True) and shown[2026] == (None, False)


def test_the_whole_plan_reads_its_lineage_in_two_queries(next_plan):
    indicators = list(Indicator.objects.of_plan(next_plan))
    with CaptureQueriesContext(connection) as captured:
        lineages = indicator_lineages(indicators, plan=next_plan)
    assert len(captured) == 2
    assert len(lineages) == len(indicators) - 1  # every carried indicator; not the new 11-N1


def test_an_earlier_plan_reads_no_lineage_and_no_later_value(next_plan, demo_plan):
    indicators = list(Indicator.objects.of_plan(demo_plan))
    with CaptureQueriesContext(connection) as captured:
        assert indicator_lineages(indicators, plan=demo_plan) == {}
    assert len(captured) == 0


def test_readers_see_the_earlier_plan_validated_years_only(next_plan, pilot5, committee_user):
    """Fiche 12's 2025 review is submitted, not validated: its 2025 values stay with the insiders."""
    fiche = Fiche.objects.with_details().select_related("plan").get(plan=next_plan, number=12)
    reader = fiche_follow_up(fiche=fiche, user=pilot5)
    insider = fiche_follow_up(fiche=fiche, user=committee_user)
    assert not reader.shows_drafts and insider.shows_drafts
    reader_2025 = [part.cells[4] for row in reader.rows for part in row.parts[:1]]
    insider_2025 = [part.cells[4] for row in insider.rows for part in row.parts[:1]]
    assert all(c.value is None for c in reader_2025)
    assert any(c.value is not None and not c.validated for c in insider_2025)


def test_a_lineage_over_three_plans_reads_in_the_same_two_queries(
    next_plan, demo_plan, scp_user, committee_user
):
    third = plan_prepare_next(
        old=next_plan,
        slug="spaser54-2033-2038",
        title="SPASER 54 2033-2038",
        start_year=2033,
        end_year=2038,
        user=scp_user,
    )
    fiche = Fiche.objects.select_related("plan").get(plan=third, number=11)
    indicators = list(fiche.indicators.all())
    with CaptureQueriesContext(connection) as captured:
        lineages = indicator_lineages(indicators, plan=third)
    assert len(captured) == 2
    r1 = next(i for i in indicators if i.code == "11-R1")
    assert [(part.plan, part.cells[0].year) for part in lineages[r1.pk]] == [
        (demo_plan, 2021),
        (next_plan, 2027),
    ]
    assert [c.value.display() for c in lineages[r1.pk][1].cells if c.value] == ["23"]
    n1 = next(i for i in indicators if i.code == "11-N1")  # new in 2027-2032, continued in 2033-2038
    assert [part.plan for part in lineages[n1.pk]] == [next_plan]
    # Its page (SCP and the comité read a plan in preparation): three plans, 11-N1 absent from the first.
    page = client_for(committee_user).get(fiche_url(third, 11)).content.decode()
    assert re.findall(r'<th scope="colgroup"[^>]*>(Plan [^<]+)</th>', page) == [
        "Plan 2021-2026",
        "Plan 2027-2032",
        "Plan 2033-2038 (ce plan)",
    ]
    assert "Nouvel indicateur : pas de série au plan 2021-2026" in row_of(page, "11-N1")


# --- the fiche page ------------------------------------------------------------------------------------


def test_the_new_plan_fiche_page_shows_the_series_from_2021_with_the_boundary(
    next_plan, demo_plan, committee_user
):
    page = client_for(committee_user).get(fiche_url(next_plan, 11)).content.decode()
    follow_up = page[page.index('id="suivi"') :]
    assert '<caption id="legende-suivi-plans">Valeurs annuelles depuis 2021' in follow_up
    assert re.search(
        r'<th scope="colgroup" colspan="7" class="" data-plan="spaser54-2021-2026">'
        r"Plan 2021-2026</th>",
        follow_up,
    )
    assert re.search(
        r'<th scope="colgroup" colspan="7" class="plan-boundary" data-plan="spaser54-2027-2032">'
        r"Plan 2027-2032 \(ce plan\)</th>",
        follow_up,
    )
    r1 = row_of(follow_up, "11-R1")
    assert cells(r1, demo_plan.slug) == {
        2021: "8",
        2022: "7",
        2023: "15",
        2024: "19",
        2025: "non",
        2026: "non",
    }
    assert cells(r1, NEW_SLUG)[2027] == "23"
    assert re.search(r'class="num plan-boundary" data-year="2027"', r1)  # the boundary is marked
    # Each plan keeps its target: 30 in the old plan's part, 45 in the new plan's only.
    targets = dict(re.findall(r'<td class="target" data-plan="([^"]+)">(.*?)</td>', r1, re.S))
    assert "30" in targets[demo_plan.slug] and "45" not in targets[demo_plan.slug]
    assert "45" in targets[NEW_SLUG] and "30" not in targets[NEW_SLUG]
    # The indicators' definitions say which ones continue a series.
    definitions = page[page.index('id="indicateurs"') : page.index('id="suivi"')]
    assert definitions.count("Prolonge un indicateur du plan précédent") == 6  # not the new 11-N1
    # The indicator new in the plan: its own years only.
    n1 = row_of(follow_up, "11-N1")
    assert "Nouvel indicateur : pas de série au plan 2021-2026" in n1
    assert cells(n1, demo_plan.slug) == {} and cells(n1, NEW_SLUG)[2027] == "5"


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_old_plan_fiche_page_is_unchanged(demo_plan, scp_user, pilot11, committee_user):
    give_old_target(demo_plan, scp_user)
    client = client_for(committee_user)
    before = client.get(fiche_url(demo_plan, 11)).content.decode()
    queries_before = count_queries(client, fiche_url(demo_plan, 12))
    new = prepare_next_plan(demo_plan, scp_user)
    enter_2027(pilot11, new)
    after = client.get(fiche_url(demo_plan, 11)).content.decode()  # a write happened: built again
    # The page's content (the header's plan switcher now lists the next plan, for the comité).
    assert main_of(after) == main_of(before)
    assert "plan-boundary" not in main_of(after) and "2027" not in main_of(after)
    assert count_queries(client, fiche_url(demo_plan, 12)) == queries_before


def test_fiche_page_query_count_does_not_grow_with_the_lineage(
    next_plan, demo_plan, committee_user, django_assert_max_num_queries
):
    client = client_for(committee_user)
    client.get(fiche_url(demo_plan, 1))  # the first request after a write also reads the demo flag
    old_counts = {count_queries(client, fiche_url(demo_plan, n)) for n in (2, 11, 16, 18)}
    new_counts = {count_queries(client, fiche_url(next_plan, n)) for n in (2, 11, 16, 18)}
    assert len(old_counts) == 1 and len(new_counts) == 1, (old_counts, new_counts)
    # The lineage costs its 2 queries (earlier plans' continued indicators, their values), whatever
    # the number of indicators continued or of plans; the old plan's page reads nothing more.
    assert new_counts.pop() == old_counts.pop() + 2
    with django_assert_max_num_queries(22):  # test_pages' budget of 20, plus the lineage's 2
        client.get(fiche_url(next_plan, 17))


# --- the entry page ------------------------------------------------------------------------------------


def test_the_entry_page_shows_the_earlier_plan_as_previous_years(
    next_plan, demo_plan, pilot11, django_assert_max_num_queries
):
    fiche = Fiche.objects.select_related("plan").get(plan=next_plan, number=11)
    client = client_for(pilot11)
    page = client.get(entry_url(fiche, 2027)).content.decode()
    r1 = page[
        page.index('id="indicateur-11-R1"') : page.index("</fieldset>", page.index('id="indicateur-11-R1"'))
    ]
    earlier = re.search(
        r'<p class="previous previous-plan" data-plan="spaser54-2021-2026">(.*?)</p>', r1, re.S
    )
    assert earlier, r1
    text = " ".join(re.sub(r"<[^>]+>", " ", earlier[1]).split())
    assert text.startswith("Plan 2021-2026 (indicateur 11-R1 ; cible du plan 2021-2026 : 30")
    assert "2021 : 8" in text and "2024 : 19" in text and "2026 : non renseigné" in text
    assert "cible : 45" in r1  # the new plan's target, on its own line
    assert "Première année de ce plan (2027-2032)" in r1
    n1 = page[page.index('id="indicateur-11-N1"') :].split("</fieldset>")[0]
    assert "previous" not in n1  # new in the plan: no earlier years
    # In a later year of the new plan, its own previous years follow the earlier plan's.
    later = client.get(entry_url(fiche, 2028)).content.decode()
    assert re.search(r"Années précédentes \(2027-2032\) :\s*<span>2027 : <span[^>]*>23</span>", later)
    with django_assert_max_num_queries(12):  # test_entry's budget of 10, plus the lineage's 2
        client.get(entry_url(fiche, 2027))


# --- the admin --------------------------------------------------------------------------------------


def positions(fiche, indicator) -> int:
    return list(fiche.indicators.order_by("position", "pk")).index(indicator)


def test_the_admin_offers_the_previous_plan_indicators_only(next_plan, demo_plan, scp_user, client):
    new_r1 = Indicator.objects.get(fiche__plan=next_plan, code="11-R1")
    client.force_login(scp_user)
    url = reverse("admin:actions_indicator_change", args=[new_r1.pk])
    page = client.get(url).content.decode()
    assert '<label for="id_continues">Prolonge l&#x27;indicateur du plan précédent' in page
    request = RequestFactory().get(url)
    request.user = scp_user
    form = admin.site._registry[Indicator].get_form(request, new_r1, change=True)
    choices = form.base_fields["continues"].queryset
    assert set(choices.values_list("fiche__plan", flat=True)) == {demo_plan.pk}
    assert choices.count() == Indicator.objects.of_plan(demo_plan).count()
    # The inline of the fiche: the same choices.
    fiche = new_r1.fiche
    page = client.get(reverse("admin:actions_fiche_change", args=[fiche.pk])).content.decode()
    assert (
        "Prolonge l&#x27;indicateur du plan précédent" in page
        or "Prolonge l'indicateur du plan précédent" in page
    )

    # Choosing an indicator of the new plan itself: a French message beside the field, nothing written.
    data = form_data(client.get(url).content.decode(), "indicator_form")
    other = Indicator.objects.get(fiche__plan=next_plan, code="11-R2")
    before = database_state()
    response = client.post(url, data | {"continues": [str(other.pk)]})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert database_state() == before
    # Choosing another indicator of the previous plan is saved, with its author.
    old_r2 = Indicator.objects.get(fiche__plan=demo_plan, code="11-R2")
    response = client.post(url, data | {"continues": [str(old_r2.pk)]})
    assert response.status_code == 302
    new_r1.refresh_from_db()
    assert new_r1.continues == old_r2 and new_r1.history.first().history_user == scp_user


def test_an_old_plan_indicator_is_offered_nothing_to_continue(next_plan, demo_plan, scp_user):
    old_r1 = Indicator.objects.get(fiche__plan=demo_plan, code="11-R1")
    request = RequestFactory().get("/")
    request.user = scp_user
    form = admin.site._registry[Indicator].get_form(request, old_r1, change=True)
    assert not form.base_fields["continues"].queryset.exists()  # SPASER 54 2021-2026 has no previous plan


# --- accessibility: axe-core in Chromium finds nothing on the pages that show a lineage ----------------


def axe_reports(pages: dict[str, str]) -> dict[str, str]:
    """axe-core's violations on each page's HTML, in Chromium driven from a thread of its own: the
    Playwright loop never runs in the thread whose database transaction the test rolls back (the
    session's `chromium` fixture would, and the rollback would then miss its connection)."""
    import shutil
    import threading

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS
    from tests.public.test_browser import AXE_OPTIONS

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium est introuvable : installez le paquet Debian « chromium » (make system-deps).")
    found, errors = {}, []

    def run():
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_context(locale="fr-FR").new_page()
                for name, html in pages.items():
                    page.set_content(html)
                    results = Axe().run(page, options=AXE_OPTIONS)
                    found[name] = results.generate_snapshot() if results.violations_count else ""
                browser.close()
        except Exception as error:  # re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return found


@pytest.mark.browser
def test_axe_finds_no_violation_on_the_pages_with_a_lineage(next_plan, committee_user, pilot11):
    """The pages as served (the test client's HTML, loaded in Chromium with the site's stylesheets
    inlined): the fiche page's table spanning two plans, the entry page, the 2027 bilan."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from reporting.selectors import bilan_build

    css = "".join(
        (settings.BASE_DIR / "static" / "css" / name).read_text() for name in ("site.css", "bilan.css")
    )
    fiche = Fiche.objects.select_related("plan").get(plan=next_plan, number=11)
    bilan = render_to_string(
        "reporting/includes/bilan_content.html", {"bilan": bilan_build(plan=next_plan, year=2027)}
    )
    fiche_page = client_for(committee_user).get(fiche_url(next_plan, 11)).content.decode()
    main = re.search(r"<main[^>]*>(.*)</main>", fiche_page, re.S)[1]
    pages = {
        "fiche": fiche_page,
        "saisie": client_for(pilot11).get(entry_url(fiche, 2027)).content.decode(),
        "bilan": fiche_page.replace(main, bilan),  # the bilan's content in the site's page
    }
    pages = {
        name: re.sub(r'<link rel="stylesheet"[^>]*>', "", html).replace(
            "</head>", f"<style>{css}</style></head>"
        )
        for name, html in pages.items()
    }
    reports = axe_reports(pages)
    assert set(reports) == set(pages)
    assert {name: report for name, report in reports.items() if report} == {}
