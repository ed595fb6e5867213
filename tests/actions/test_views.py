"""Read-only pages of the plan for every logged-in user."""

import pytest
from django.urls import reverse

from actions.models import Fiche

pytestmark = pytest.mark.django_db


def fiche_url(plan, number):
    return reverse("actions:fiche_detail", args=[plan.slug, number])


@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", 302), ("pilot", 200), ("other_pilot", 200), ("committee", 200), ("scp", 200)],
)
def test_plan_pages_by_role(client, role_users, spaser54, role, expected):
    if role_users[role]:
        client.force_login(role_users[role])
    for url in (
        reverse("actions:plan_detail", args=[spaser54.slug]),
        fiche_url(spaser54, 11),
        reverse("actions:plan_current"),
    ):
        response = client.get(url)
        if url == reverse("actions:plan_current") and expected == 200:
            assert response.status_code == 302 and response["Location"].endswith(f"/plans/{spaser54.slug}/")
        else:
            assert response.status_code == expected, (role, url)
        if expected == 302:
            assert response["Location"].startswith("/connexion/?next=")


def test_unknown_fiche_is_404(client, scp_user, spaser54):
    client.force_login(scp_user)
    assert client.get(fiche_url(spaser54, 99)).status_code == 404


def test_login_page_in_french_and_login_works(client, scp_user):
    page = client.get(reverse("login")).content.decode()
    assert "Identifiant" in page and "Mot de passe" in page and 'lang="fr"' in page
    response = client.post(reverse("login"), {"username": "scp", "password": "mauvais"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()
    response = client.post(reverse("login"), {"username": "scp", "password": "mot-de-passe-de-test-54"})
    assert response.status_code == 302


def test_plan_overview_lists_axes_objectives_fiches_pilots(
    client, committee_user, spaser54, django_assert_max_num_queries
):
    client.force_login(committee_user)
    # Session, user, groups, demo flag, plan, then axes/objectives/fiches/pilots/principles prefetches.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("actions:plan_detail", args=[spaser54.slug]))
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
    ):
        assert text in page, text


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
        "Service GTR",
        "Direction de l&#x27;immobilier",
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
    counts = []
    for number in (2, 16, 18):  # small and large fiches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(fiche_url(spaser54, number)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts
    # One query per section of the fiche (prefetches) plus session, user and groups.
    with django_assert_max_num_queries(20):
        client.get(fiche_url(spaser54, 18))


def test_user_text_is_escaped_on_the_fiche_page(client, scp_user, spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=1)
    fiche.context = "<script>alert('x')</script>\n\n- <b>gras</b>"
    fiche.save()
    client.force_login(scp_user)
    page = client.get(fiche_url(spaser54, 1)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "&lt;b&gt;gras&lt;/b&gt;" in page
