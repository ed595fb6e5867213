"""Every page of the workspace against every role: anonymous, the fiche's pilot, another pilot, comité,
SCP."""

import pytest

from indicators.models import IndicatorValue
from tests.indicators.conftest import client_for, entry_url
from tests.utils import form_data

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "pilot", "other_pilot", "committee", "scp"]
LOGIN = 302  # anonymous visitors are sent to the login page

# page -> expected status per role, in ROLES order (the pilot pilots fiche 11, the other pilot does not).
TABLE = {
    ("get", "/mes-fiches/"): [LOGIN, 200, 200, 200, 200],
    ("get", "entry"): [LOGIN, 200, 403, 200, 200],
    ("post", "entry"): [LOGIN, 302, 403, 403, 302],
    ("get", "/plans/spaser54-2021-2026/fiches/11/"): [LOGIN, 200, 200, 200, 200],
    ("get", "/campagnes/"): [LOGIN, 403, 403, 403, 200],
    ("post", "/campagnes/"): [LOGIN, 403, 403, 403, 302],
    ("get", "/campagnes/2025/"): [LOGIN, 403, 403, 403, 200],
    ("post", "/campagnes/2025/fiches/11/renvoyer/"): [LOGIN, 403, 403, 403, 302],
    ("post", "/campagnes/2025/fiches/11/valider/"): [LOGIN, 403, 403, 403, 302],
    ("post", "/campagnes/2025/fiches/11/rouvrir/"): [LOGIN, 403, 403, 403, 302],
    ("post", "/campagnes/2025/fermer/"): [LOGIN, 403, 403, 403, 302],
}


@pytest.mark.parametrize("method, page", list(TABLE))
def test_permission_table(method, page, role_users, fiche11, campaign2025, scp_user):
    """One test per page, every role in turn (the plan is loaded once per test, not once per cell)."""
    url = entry_url(fiche11) if page == "entry" else page
    results = {}
    for index, role in enumerate(ROLES):
        data = {}
        if method == "post" and page == "entry":
            data = form_data(client_for(scp_user).get(url).content.decode(), "saisie")
            first = fiche11.indicators.order_by("position").first()
            data[f"value_{first.pk}"] = str(100 + index)
        elif page == "/campagnes/":
            data = {"year": "2026", "deadline": "2027-03-31"}
        elif page.endswith("renvoyer/"):
            data = {"comment": "À revoir"}
        before = IndicatorValue.objects.filter(value_number=100 + index).count()
        response = getattr(client_for(role_users[role]), method)(url, data)
        results[role] = response.status_code
        if method == "post" and page == "entry":
            written = IndicatorValue.objects.filter(value_number=100 + index).count() - before
            assert written == (1 if response.status_code == 302 and role != "anonymous" else 0), role
    assert results == dict(zip(ROLES, TABLE[(method, page)], strict=True))


def test_another_fiche_is_never_listed_for_a_pilot(role_users, fiche11, campaign2025):
    other_page = client_for(role_users["other_pilot"]).get("/mes-fiches/").content.decode()
    assert entry_url(fiche11) not in other_page and "Fiche 5" in other_page
    pilot_page = client_for(role_users["pilot"]).get("/mes-fiches/").content.decode()
    assert entry_url(fiche11) in pilot_page and "/fiches/5/saisie/" not in pilot_page


def test_other_fiches_and_years_outside_the_plan_are_refused_by_url(role_users, fiche11, campaign2025):
    pilot = client_for(role_users["pilot"])
    assert pilot.get(f"/plans/{fiche11.plan.slug}/fiches/5/saisie/2025/").status_code == 403
    assert pilot.get(entry_url(fiche11, 2031)).status_code == 404
    assert pilot.get(f"/plans/{fiche11.plan.slug}/fiches/99/saisie/2025/").status_code == 404


def test_committee_reads_the_entry_page_without_a_save_button(role_users, fiche11, campaign2025):
    page = client_for(role_users["committee"]).get(entry_url(fiche11)).content.decode()
    assert "Lecture seule" in page and "Enregistrer le brouillon" not in page and "disabled" in page


def test_drafts_of_a_fiche_are_hidden_from_other_pilots_on_the_fiche_page(role_users, fiche11, campaign2025):
    pilot = client_for(role_users["pilot"])
    data = form_data(pilot.get(entry_url(fiche11)).content.decode(), "saisie")
    first = fiche11.indicators.order_by("position").first()
    data[f"value_{first.pk}"] = "777"
    assert pilot.post(entry_url(fiche11), data).status_code == 302
    fiche_page = f"/plans/{fiche11.plan.slug}/fiches/11/"
    for role in ("pilot", "committee", "scp"):
        assert "777" in client_for(role_users[role]).get(fiche_page).content.decode(), role
    other = client_for(role_users["other_pilot"]).get(fiche_page).content.decode()
    assert "777" not in other and "Historique des modifications" not in other
