"""The pages: prepare the next plan, decide the fiches, compare old and new (and its Excel)."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Fiche, Objective, Plan
from indicators.demo import demo_load
from planning import enums as planning_enums
from planning.models import FicheDecision
from tests.conftest import DEMO_PATH
from tests.planning.conftest import NEW_SLUG, decision_of, decisions_url, prepare
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db

D = planning_enums.FicheDecision


def prepare_url(plan: Plan) -> str:
    return reverse("planning:prepare_next", args=[plan.slug])


def form_id_of(page: str, number: int) -> dict:
    """The values the browser would post for fiche `number`'s decision form."""
    start = page.index(f'id="decision-{number}"')
    section = page[start : page.index("</section>", start)]
    return {k: v[0] for k, v in form_data(section).items()}


# --- preparing ----------------------------------------------------------------------------------


def test_scp_prepares_the_next_plan_through_the_form(client, spaser54, scp_user):
    client.force_login(scp_user)
    page = client.get(prepare_url(spaser54)).content.decode()
    data = {k: v[0] for k, v in form_data(page, "preparer").items()}
    assert data["start_year"] == "2027" and data["end_year"] == "2032"
    data |= {"slug": NEW_SLUG, "title": "SPASER 2027-2032", "short_title": "SPASER 54"}
    response = client.post(prepare_url(spaser54), data)
    new = Plan.objects.get(slug=NEW_SLUG)
    assert response.status_code == 302 and response["Location"] == decisions_url(new)
    assert new.is_in_preparation and new.predecessor == spaser54
    assert new.history.first().history_user == scp_user
    assert FicheDecision.objects.filter(plan=new).count() == 21
    # One draft at a time: the page links to it instead of the form.
    page = client.get(prepare_url(spaser54)).content.decode()
    assert 'id="preparer"' not in page and decisions_url(new) in page
    before = database_state()
    data["slug"] = "autre-plan"
    assert client.post(prepare_url(spaser54), data).status_code == 200
    assert database_state() == before


def test_a_full_title_without_a_short_title_keeps_the_old_one(client, spaser54, scp_user):
    """The title runs to 300 characters, the short title (menus) to 80: left empty, it is the old plan's."""
    client.force_login(scp_user)
    page = client.get(prepare_url(spaser54)).content.decode()
    data = {k: v[0] for k, v in form_data(page, "preparer").items()}
    title = ("Schéma de promotion des achats publics socialement et écologiquement responsables " * 3)[:299]
    title = title.strip()  # the form strips what is typed
    data |= {"slug": NEW_SLUG, "title": title, "short_title": ""}
    assert client.post(prepare_url(spaser54), data).status_code == 302
    new = Plan.objects.get(slug=NEW_SLUG)
    assert new.title == title and new.short_title == spaser54.short_title


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": ""}, "slug", "Indiquez l'identifiant du nouveau plan."),
        ({"slug": "spaser54-2021-2026"}, "slug", "Un plan a déjà l'identifiant"),
        ({"slug": "avec espace"}, "slug", "Utilisez seulement des lettres"),
        ({"title": ""}, "title", "Indiquez le titre du nouveau plan."),
        ({"start_year": "deux mille"}, "start_year", "Indiquez une année"),
        ({"start_year": "2020"}, "start_year", "commencer après le début du plan actuel (2021)"),
        ({"end_year": "2026"}, "end_year", "La dernière année précède la première année."),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, spaser54, scp_user, changes, field, message):
    client.force_login(scp_user)
    data = {"slug": NEW_SLUG, "title": "SPASER 2027-2032", "short_title": "", "start_year": "2027"}
    data |= {"end_year": "2032"} | changes
    before = database_state()
    response = client.post(prepare_url(spaser54), data)
    assert response.status_code == 200 and database_state() == before
    page = unescape(response.content.decode())
    error = page[page.index(f'id="id_{field}_error"') :].split("</span>")[0]
    assert message in error
    assert f'value="{data["title"]}"' in page or not data["title"]  # the typing is kept


@pytest.mark.parametrize(("role", "status"), [("pilot", 403), ("committee", 403), ("scp", 200)])
def test_only_scp_prepares(client, spaser54, role_users, role, status):
    client.force_login(role_users[role])
    assert client.get(prepare_url(spaser54)).status_code == status


# --- deciding -----------------------------------------------------------------------------------


def test_rights_on_the_decision_page(client, next_plan, role_users):
    url = decisions_url(next_plan)
    for role in ("pilot", "other_pilot"):
        client.force_login(role_users[role])
        assert client.get(url).status_code == 404, role
        assert client.get(reverse("planning:comparison", args=[next_plan.slug])).status_code == 404
    client.force_login(role_users["committee"])
    page = client.get(url).content.decode()
    assert 'id="lecture-seule"' in page and '<form method="post" action="/plans' not in page
    data = {"form": str(decision_of(next_plan, 5).pk)}
    before = database_state()
    assert (
        client.post(url, data | {"f5-decision": D.ABANDONED, "f5-reason": "x", "f5-version": "1"}).status_code
        == 403
    )
    assert database_state() == before
    client.force_login(role_users["scp"])
    page = client.get(url).content.decode()
    assert page.count('class="form decision-form"') == 21


def test_the_decision_page_shows_each_fiche_evaluation(client, spaser54, scp_user):
    demo_load(path=DEMO_PATH)
    new = prepare(spaser54, scp_user)
    client.force_login(scp_user)
    page = client.get(decisions_url(new)).content.decode()
    section = page[page.index('id="decision-11"') : page.index('id="decision-12"')]
    assert "Fiche 11 – " in section and "État d'avancement" in section
    assert "réalisé" in section and "en retard" in section
    assert "Dernier bilan annuel validé (2024)" in section
    assert "Difficultés :" in section and "Perspectives :" in section
    assert '<svg class="spark"' in section and 'role="img"' in section
    assert "2021 : " in section and "→ 2024 : " in section


def test_scp_decides_three_fiches_and_adds_a_new_one(client, next_plan, scp_user):
    client.force_login(scp_user)
    url = decisions_url(next_plan)
    target = decision_of(next_plan, 12).fiche

    data = form_id_of(client.get(url).content.decode(), 13)
    data |= {"f13-decision": D.MERGED, "f13-reason": "Regroupée avec la 12", "f13-into": str(target.pk)}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url + "#decision-13"
    data = form_id_of(client.get(url).content.decode(), 4)
    data |= {"f4-decision": D.ABANDONED, "f4-reason": "Sans objet"}
    assert client.post(url, data).status_code == 302
    data = form_id_of(client.get(url).content.decode(), 2)
    data |= {"f2-decision": D.MODIFIED, "f2-reason": "Élargie"}
    assert client.post(url, data).status_code == 302

    decisions = {
        d.previous.number: d for d in FicheDecision.objects.of_plan(next_plan).select_related("previous")
    }
    assert decisions[13].decision == D.MERGED and decisions[13].fiche == target
    assert decisions[4].decision == D.ABANDONED and decisions[4].fiche is None
    assert decisions[2].decision == D.MODIFIED and decisions[2].fiche.number == 2
    assert decisions[1].decision == D.RENEWED
    assert not Fiche.objects.filter(plan=next_plan, number__in=[4, 13]).exists()

    objective = Objective.objects.filter(axis__plan=next_plan).order_by("pk").first()
    new = {"form": "nouvelle", "nouvelle-number": "22", "nouvelle-title": "Denrées locales"}
    response = client.post(url, new | {"nouvelle-objective": str(objective.pk)})
    assert response.status_code == 302 and response["Location"] == url + "#fiche-nouvelle-22"
    page = client.get(url).content.decode()
    assert 'id="fiche-nouvelle-22"' in page


@pytest.mark.parametrize(
    ("number", "changes", "field", "message"),
    [
        (5, {"decision": D.ABANDONED, "reason": ""}, "reason", "Indiquez le motif"),
        (
            5,
            {"decision": D.MERGED, "reason": "Regroupée", "into": ""},
            "into",
            "Choisissez la fiche du nouveau plan",
        ),
        (5, {"decision": "n-importe-quoi"}, "decision", "Choisissez une décision"),
    ],
)
def test_bad_decisions_are_shown_beside_the_field(
    client, next_plan, scp_user, number, changes, field, message
):
    client.force_login(scp_user)
    url = decisions_url(next_plan)
    data = form_id_of(client.get(url).content.decode(), number)
    data |= {f"f{number}-{k}": v for k, v in changes.items()}
    before = database_state()
    response = client.post(url, data)
    assert response.status_code == 200 and database_state() == before
    page = unescape(response.content.decode())
    error = page[page.index(f'id="id_f{number}-{field}_error"') :].split("</span>")[0]
    assert message in error
    assert 'role="alert" id="decision-5-erreurs"' in page


def test_a_duplicate_new_fiche_number_is_refused_beside_the_field(client, next_plan, scp_user):
    client.force_login(scp_user)
    objective = Objective.objects.filter(axis__plan=next_plan).order_by("pk").first()
    data = {"form": "nouvelle", "nouvelle-number": "11", "nouvelle-title": "Doublon"}
    before = database_state()
    response = client.post(decisions_url(next_plan), data | {"nouvelle-objective": str(objective.pk)})
    assert response.status_code == 200 and database_state() == before
    page = response.content.decode()
    assert (
        "déjà une fiche numéro 11" in page[page.index('id="id_nouvelle-number_error"') :].split("</span>")[0]
    )
    assert 'value="Doublon"' in page


def test_a_stale_decision_form_keeps_the_typing(client, next_plan, scp_user):
    client.force_login(scp_user)
    url = decisions_url(next_plan)
    stale = form_id_of(client.get(url).content.decode(), 7)
    fresh = stale | {"f7-decision": D.MODIFIED, "f7-reason": "Par un collègue"}
    assert client.post(url, fresh).status_code == 302
    before = database_state()
    response = client.post(url, stale | {"f7-decision": D.ABANDONED, "f7-reason": "Ma saisie"})
    assert response.status_code == 200 and database_state() == before
    page = unescape(response.content.decode())
    section = page[page.index('id="decision-7"') :]
    assert "rien n'a été enregistré" in section.split("</section>")[0]
    assert "Ma saisie</textarea>" in section
    assert decision_of(next_plan, 7).decision == D.MODIFIED


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The decision page: session, user and rights (3), the plan, the decisions, the new plan's fiches,
# the old plan's end-of-plan bilan (about ten, plus the legal section's, the holders' section's and the
# national comparison's, the demo's sample loaded) and the current progress.
DECISION_PAGE_BUDGET = 37
# The comparison: session, user and rights, the plan, the decisions, the fiches, the indicators.
COMPARISON_BUDGET = 8


def test_query_counts_do_not_grow_with_the_fiches(client, spaser54, scp_user, django_assert_max_num_queries):
    """Same count for 21 fiches as for 5: the evaluation is one bilan build, the forms share one list."""
    demo_load(path=DEMO_PATH)
    client.force_login(scp_user)
    counts = {}
    for size in (21, 5):
        Fiche.objects.filter(plan=spaser54, number__gt=size).delete()
        plan = prepare(spaser54, scp_user)
        assert FicheDecision.objects.filter(plan=plan).count() == size
        urls = (decisions_url(plan), reverse("planning:comparison", args=[plan.slug]))
        for url in urls:  # caches per process (rights, data version) warmed: steady counts compared
            client.get(url)
        counts[size] = [_queries(client, url) for url in urls]
        with django_assert_max_num_queries(DECISION_PAGE_BUDGET):
            client.get(urls[0])
        with django_assert_max_num_queries(COMPARISON_BUDGET):
            client.get(urls[1])
        plan.delete()  # the draft goes, so that the next one may be prepared
    assert counts[21] == counts[5], counts
