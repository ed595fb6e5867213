"""The plan page and the fiche page (www.plans.views): the plan as adopted, with its follow-up.

Who may open them is the table of tests/security/test_url_permissions.py.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Fiche
from tests.factories import UserFactory
from tests.indicators.conftest import client_for, entry_url, grow
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def fiche_url(plan, number):
    return reverse("indicators:fiche_detail", args=[plan.slug, number])


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_plan_current_sends_to_the_current_plan(client, committee_user, spaser54):
    client.force_login(committee_user)
    response = client.get(reverse("indicators:plan_current"))
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:plan_detail", args=[spaser54.slug])


def test_an_account_without_a_role_reads_nothing(client, spaser54):
    """An account removed from every role group (a pilot who left) keeps no access to the plan."""
    client.force_login(UserFactory())
    assert client.get(reverse("indicators:plan_detail", args=[spaser54.slug])).status_code == 403
    assert client.get(fiche_url(spaser54, 11)).status_code == 403


def test_unknown_fiche_is_404(client, scp_user, spaser54):
    client.force_login(scp_user)
    assert client.get(fiche_url(spaser54, 99)).status_code == 404


# --- the plan page ----------------------------------------------------------------------------------


def test_plan_overview_lists_axes_objectives_fiches_pilots(
    client, committee_user, spaser54, django_assert_max_num_queries
):
    client.force_login(committee_user)
    # Session, user, rights, demo flag, plan, then axes/objectives/fiches/pilots/principles/progress.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("indicators:plan_detail", args=[spaser54.slug]))
    page = response.content.decode()
    for fiche in Fiche.objects.filter(plan=spaser54):
        assert fiche_url(spaser54, fiche.number) in page
    for text in (
        "Axe Transversal",
        "Axe Économie responsable",
        "Gérer et réduire les déchets",
        "Chargé de mission Agriculture",
        "Action phare",
        "Pack à la carte",
        "Glossaire",
        "Direction des finances, affaires juridiques et évaluation",
        "Systématiser le suivi et la restitution aux services acheteurs",  # fiche 10, accent restored
    ):
        assert text in page, text


def test_plan_page_links_to_exports_for_scp_and_committee_only(client, role_users, spaser54):
    links = [
        reverse("indicators:values_xlsx", args=[spaser54.slug]),
        reverse("actions:plan_xlsx", args=[spaser54.slug]),
    ]
    for role, shown in (("scp", True), ("committee", True), ("pilot", False), ("other_pilot", False)):
        client.force_login(role_users[role])
        page = client.get(reverse("indicators:plan_detail", args=[spaser54.slug])).content.decode()
        assert [link in page for link in links] == [shown, shown], role


# --- the fiche page ---------------------------------------------------------------------------------


def test_fiche_page_shows_every_section(client, pilot5, spaser54):
    client.force_login(pilot5)
    page = client.get(fiche_url(spaser54, 5)).content.decode()
    expected = [
        "Fiche 5 – Sur les routes et dans les bâtiments : optimiser le réemploi et la gestion des déchets"
        " de chantier",
        "Gérer et réduire les déchets",  # objective
        "S&#x27;ORGANISER",  # principle
        "Moyennement simple / moyennement rapide",  # qualification
        "Contexte / état des lieux",
        "convention avec les fédérations du bâtiment",
        "Pilotes",
        # Every pilot post reads the same everywhere (Pilot.label): role – service – direction's code.
        "Responsable de service – Service GTR – DIM",
        "Directeur – DIMMO",
        "Quantitatif",
        "Valoriser 70% des déchets du BTP",
        "Cible : 70 %",
        "Qualitatif",
        "Sensibiliser l&#x27;ensemble de la chaîne d&#x27;acteurs",
        "Calendrier",
        "Évaluation en fin de SPASER 2026",
        "Internes",
        "DIM/RSTAM",
        "Externes",
        "MOE/AMO",
        "Humains",
        "10 et 15% de temps supplémentaire",
        "Indicateurs",
        "Par chantier : taux de réemploi de matériaux",
        "Impact",
        "Taux de déchets valorisés et évités",
        "Points de vigilance",
        "Suivi accru pendant les travaux",
    ]
    for text in expected:
        assert text in page, text


def test_fiche_page_query_count_does_not_depend_on_its_size(
    client, scp_user, spaser54, django_assert_max_num_queries
):
    client.force_login(scp_user)
    client.get(fiche_url(spaser54, 1))  # the site-wide demo flag is looked up once per data version
    counts = [count_queries(client, fiche_url(spaser54, number)) for number in (2, 16, 18)]  # small, large
    assert len(set(counts)) == 1, counts
    # Session, user, rights, fiche, one query per section (prefetches), reviews, values, 3 history queries.
    with django_assert_max_num_queries(20):
        client.get(fiche_url(spaser54, 17))


def test_fiche_page_query_budget(fiche11, campaign2025, pilot11, scp_user, django_assert_max_num_queries):
    client = client_for(pilot11)
    url = fiche_url(fiche11.plan, 11)
    # The first request after a write: the demo flag, then the fiche page's own 12 queries, piloting
    # check, reviews, values, 3 history queries (values, reviews, milestones); and the plans (the URL's
    # plan and the switcher: one query, once per state of the data); the evidence (one query, to its
    # pilots, the comité and SCP).
    with django_assert_max_num_queries(21):
        before = count_queries(client, url)
    grow(fiche11, scp_user)
    assert count_queries(client, url) == before  # more indicators, values and years: no more queries
    page = client.get(url).content.decode()
    assert "Indicateur ajouté 55" in page and "non renseigné" in page


def test_a_second_visit_of_an_unchanged_fiche_reads_no_table_of_the_plan(
    client, committee_user, spaser54, django_assert_max_num_queries
):
    client.force_login(committee_user)
    client.get(fiche_url(spaser54, 11))
    # Session, user, rights: the page's content is rendered once per state of the data.
    with django_assert_max_num_queries(3):
        page = client.get(fiche_url(spaser54, 11)).content.decode()
    assert "Fiche 11 –" in page


def test_user_text_is_escaped_on_the_fiche_page(client, scp_user, spaser54):
    Fiche.objects.filter(plan=spaser54, number=1).update(
        context="<script>alert('x')</script>\n\n- <b>gras</b>"
    )
    client.force_login(scp_user)
    page = client.get(fiche_url(spaser54, 1)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;gras&lt;/b&gt;" in page


def test_fiche_page_shows_values_of_every_year_and_the_history_with_authors(
    fiche11, campaign2025, pilot11, pilot11b, committee_user
):
    url = entry_url(fiche11)
    meetings = fiche11.indicators.get(code="11-R1")
    paul, ines = client_for(pilot11), client_for(pilot11b)
    for client, typed, narrative in ((paul, "8", "A"), (ines, "9", "B")):
        data = form_data(client.get(url).content.decode(), "saisie")
        data |= {f"value_{meetings.pk}": typed, "achievements": narrative}
        assert client.post(url, data).status_code == 302
    page = client_for(committee_user).get(fiche_url(fiche11.plan, 11)).content.decode()
    follow_up = page.split('<table class="follow-up">', 1)[1]  # the indicators table has a 11-R1 row too
    cells = re.search(r"<th scope=\"row\">11-R1.*?</tr>", follow_up, re.S).group(0)
    assert cells.count("non renseigné") == 5  # 2021-2024 and 2026
    assert re.search(
        r'data-year="2025"><span class="unvalidated">9</span><br><span class="badge">non validé', cells
    )
    history = page[page.index("Historique des modifications") :]
    assert re.search(
        r"Pilote11b Test</td>\s*<td>2025</td><td>Indicateur 11-R1</td><td>modification : 9", history
    )
    assert re.search(r"Pilote11b Test</td>.*?Bilan annuel.*?modifié : réalisations", history, re.S)
    assert re.search(r"Pilote11 Test</td>\s*<td>2025</td><td>Indicateur 11-R1</td><td>création : 8", history)


def test_drafts_of_a_fiche_are_hidden_from_other_pilots(role_users, fiche11, campaign2025):
    """Values not validated yet, and the history, are for the fiche's pilots, the comité and SCP."""
    pilot = client_for(role_users["pilot"])
    data = form_data(pilot.get(entry_url(fiche11)).content.decode(), "saisie")
    first = fiche11.indicators.order_by("position").first()
    data[f"value_{first.pk}"] = "777"
    assert pilot.post(entry_url(fiche11), data).status_code == 302
    fiche_page = fiche_url(fiche11.plan, 11)
    for role in ("pilot", "committee", "scp"):
        assert "777" in client_for(role_users[role]).get(fiche_page).content.decode(), role
    other = client_for(role_users["other_pilot"]).get(fiche_page).content.decode()
    assert "777" not in other and "Historique des modifications" not in other
