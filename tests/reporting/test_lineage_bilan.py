"""The bilans with indicator lineage, on the real SPASER 54 and its demo values: the next plan's 2027
bilan shows a continued indicator's series from 2021 with the boundary between plans (table, chart,
PDF), each plan with its own target; the old plan's bilans are identical before and after the next
plan is prepared and its 2027 values entered."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.models import Fiche
from reporting import charts
from reporting.pdf import bilan_pdf
from reporting.selectors import bilan_build, bilan_public_refusal
from tests.indicators.test_lineage import NEW_SLUG, enter_2027, give_old_target, prepare_next_plan
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2027, 3, 15, 10, 0))


def find_fiche(bilan, number):
    return next(f for axis in bilan["axes"] for f in axis["fiches"] if f["number"] == number)


def find_indicator(fiche, code):
    return next(i for i in fiche["indicators"] if i["code"] == code)


@pytest.fixture
def next_plan(demo_plan, scp_user, pilot11):
    give_old_target(demo_plan, scp_user)
    new = prepare_next_plan(demo_plan, scp_user)
    enter_2027(pilot11, new)
    return new


def test_the_old_plan_bilans_are_identical_before_and_after_the_next_plan(demo_plan, scp_user, pilot11):
    give_old_target(demo_plan, scp_user)
    before = {str(year): bilan_build(plan=demo_plan, year=year, now=NOW) for year in (2024, 2025, 2026, None)}
    with CaptureQueriesContext(connection) as captured:
        bilan_build(plan=demo_plan, year=2025, now=NOW)
    queries_before = len(captured)

    new = prepare_next_plan(demo_plan, scp_user)
    enter_2027(pilot11, new)

    after = {str(year): bilan_build(plan=demo_plan, year=year, now=NOW) for year in (2024, 2025, 2026, None)}
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    text = json.dumps(after)
    assert "2027-2032" not in text and NEW_SLUG not in text and '"earlier"' not in text
    with CaptureQueriesContext(connection) as captured:
        bilan_build(plan=demo_plan, year=2025, now=NOW)
    assert len(captured) == queries_before  # an earlier plan reads no lineage


def test_the_2027_bilan_shows_a_continued_indicator_from_2021_with_its_plan_targets(next_plan, demo_plan):
    bilan = bilan_build(plan=next_plan, year=2027, now=NOW)
    assert json.loads(json.dumps(bilan)) == bilan  # still plain data, frozen as is when published
    assert bilan["years"] == [2027]
    fiche = find_fiche(bilan, 11)
    r1 = find_indicator(fiche, "11-R1")
    assert [c["text"] for c in r1["cells"]] == ["23"] and r1["target"] == "45 en 2032"
    [earlier] = r1["earlier"]
    assert earlier["plan_label"] == "Plan 2021-2026" and earlier["code"] == "11-R1"
    assert earlier["target"] == "30 en 2026"  # the old target stays in the old plan's part
    assert [c["year"] for c in earlier["cells"]] == list(range(2021, 2027))
    assert [c["text"] for c in earlier["cells"]][:4] == ["8", "7", "15", "19"]
    assert all(c["validated"] for c in earlier["cells"][:4]) and earlier["cells"][5]["missing"]
    # A new indicator of the plan: its own years only.
    n1 = find_indicator(fiche, "11-N1")
    assert "earlier" not in n1 and [c["text"] for c in n1["cells"]] == ["5"]

    # The fiche's table of series across the plans, the boundary between them.
    series = fiche["series"]
    assert series["first_year"] == 2021
    assert [(c["label"], c["years"], c["is_current"]) for c in series["columns"]] == [
        ("Plan 2021-2026", list(range(2021, 2027)), False),
        ("Plan 2027-2032", [2027], True),
    ]
    rows = {row["code"]: row for row in series["rows"]}
    assert "11-N1" not in rows
    old_part, new_part = rows["11-R1"]["parts"]
    assert old_part["target"] == "30 en 2026" and new_part["target"] == "45 en 2032"
    assert [c["text"] for c in new_part["cells"]] == ["23"]

    # The chart: the whole series, one part per plan, each with its own target.
    chart = r1["chart"]
    assert [p[0] for p in chart["points"]] == list(range(2021, 2028))
    assert chart["parts"] == [
        {"label": "Plan 2021-2026", "first": 0, "last": 5, "target": 30.0},
        {"label": "Plan 2027-2032", "first": 6, "last": 6, "target": 45.0},
    ]
    # The key figures count this plan's values only.
    assert bilan["key_figures"]["indicators_label"] == "Indicateurs renseignés pour 2027"


def test_the_end_of_plan_bilan_of_the_new_plan_keeps_the_series_from_2021(next_plan):
    bilan = bilan_build(plan=next_plan, year=None, now=NOW)
    r1 = find_indicator(find_fiche(bilan, 11), "11-R1")
    assert [c["year"] for c in r1["earlier"][0]["cells"]] == list(range(2021, 2027))
    assert [c["year"] for c in r1["cells"]] == list(range(2027, 2033))


def test_the_chart_marks_the_boundary_and_says_it_in_its_text_alternative(next_plan):
    bilan = bilan_build(plan=next_plan, year=2027, now=NOW)
    svg = charts.trend_chart(find_indicator(find_fiche(bilan, 11), "11-R1")["chart"])
    label = re.search(r'aria-label="([^"]+)"', svg)[1]
    assert label == (
        "Évolution de l&#x27;indicateur de 2021 à 2027 ; Plan 2021-2026 : 2021-2026, cible 30 ; "
        "Plan 2027-2032 : 2027-2027, cible 45 ; la limite entre les plans est marquée d&#x27;un trait "
        "vertical."
    )
    assert svg.count('class="plan-boundary"') == 1 and "<title>Limite : Plan 2027-2032</title>" in svg
    assert "<title>Cible du plan 2021-2026</title>" in svg and "<title>Cible du plan 2027-2032</title>" in svg
    # A chart frozen before lineage existed (no "parts") is drawn as it always was.
    old = charts.trend_chart({"points": [[2021, 1.0], [2022, 2.0]], "target": 3.0})
    assert "plan-boundary" not in old and 'Évolution de l&#x27;indicateur"' in old


def test_the_bilan_page_and_pdf_show_the_series_with_the_boundary(next_plan):
    bilan = bilan_build(plan=next_plan, year=2027, now=NOW)
    html = render_to_string("reporting/includes/bilan_content.html", {"bilan": bilan})
    fiche = html[html.index('id="fiche-11"') : html.index('id="fiche-12"')]
    assert "<h4>Séries depuis 2021 des indicateurs prolongés</h4>" in fiche
    assert '<th scope="colgroup" colspan="7" class="">Plan 2021-2026</th>' in fiche
    assert '<th scope="colgroup" colspan="2" class="plan-boundary">Plan 2027-2032</th>' in fiche
    assert '<td class="num plan-boundary unvalidated" data-year="2027">23<br>' in fiche
    assert "11-R1 (2021-2027, limite entre les plans marquée)" in fiche

    pdf = squash(pdf_text(bilan_pdf(bilan)))
    assert "Séries depuis 2021 des indicateurs prolongés" in pdf
    assert "Plan 2021-2026" in pdf and "Plan 2027-2032" in pdf


def test_a_version_with_an_earlier_value_not_validated_stays_internal(next_plan, scp_user):
    """Fiche 12's 2025 review (old plan) is submitted, not validated: a public version of the new plan
    may not show its 2025 values through the lineage."""
    bilan = bilan_build(plan=next_plan, year=2027, now=NOW)
    fiche12 = find_fiche(bilan, 12)
    unvalidated = [
        (part["code"], cell["year"])
        for indicator in fiche12["indicators"]
        for part in indicator.get("earlier", [])
        for cell in part["cells"]
        if not cell["missing"] and not cell["validated"]
    ]
    assert unvalidated and {year for _, year in unvalidated} == {2025}
    # Only fiche 12 in the version, its own 2027 year set aside: the lineage alone refuses it.
    bilan["axes"] = [
        {**bilan["axes"][0], "fiches": [{**fiche12, "reviews": [], "status_unvalidated": False}]}
    ]
    code, year = unvalidated[0]
    assert bilan_public_refusal(data=bilan) == f"la valeur {year} de l'indicateur {code} n'est pas validée."


def test_bilan_query_count_does_not_grow_with_the_lineage(
    next_plan, demo_plan, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as captured:
        bilan_build(plan=demo_plan, year=2025, now=NOW)
    old = len(captured)
    with CaptureQueriesContext(connection) as captured:
        bilan_build(plan=next_plan, year=2027, now=NOW)
    # The lineage's 2 queries (earlier plans' continued indicators, their values), for all 100-odd
    # continued indicators of the 21 fiches at once; less the 3 of the holders' facts, the new plan
    # having no contract in 2027 whose holders to look up (suppliers.selectors.holder_facts).
    assert len(captured) == old + 2 - 3
    # The old plan's 28 (the legal and holders' sections of a year: test_selectors), plus the
    # lineage's 2.
    with django_assert_max_num_queries(30):
        bilan_build(plan=next_plan, year=2027, now=NOW)
    assert Fiche.objects.filter(plan__slug=NEW_SLUG).count() == 21
