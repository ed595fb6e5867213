"""The page "Comparaison nationale": the plan's buyers beside their peers, accessible tables, the
source and its date, the demo notice; its queries do not grow with the number of buyers; on the
public site only once SCP published the dataset (through its service, with history)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actions.services import plan_publication_set
from core.caching import data_changed
from national import services
from national.models import NationalDataset, NationalFigure
from suppliers.models import LegalUnit
from tests.contracts.files import add_buyer
from tests.national.data import DEPARTEMENT, national_2022

pytestmark = pytest.mark.django_db
DATE = datetime.date(2026, 11, 1)


@pytest.fixture
def dataset(spaser54, tmp_path) -> NationalDataset:
    add_buyer(spaser54, DEPARTEMENT)
    for siret in ("22540001600015", "22880001700013", "22570001900018"):
        LegalUnit.objects.create(siren=siret[:9], legal_category="7220", source_date=DATE)
    return services.national_compute(
        paths=[str(national_2022(tmp_path))], label="DECP consolidées de test", source_date=DATE, is_demo=True
    )


def test_the_comite_reads_the_buyer_beside_the_departements(client, committee_user, dataset, spaser54):
    client.force_login(committee_user)

    response = client.get(reverse("national:comparison", args=[spaser54.slug, 2025]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "parmi les départements en 2025 : 5 contrats notifiés, 3 acheteurs de sa catégorie" in html
    assert '<th scope="row">Au moins une considération sociale</th><td>40,0\u00a0%</td>' in html
    assert "<td>2 sur 3</td>" in html  # its rank among the départements
    assert "<td>50,0\u00a0%</td>" in html  # the national social rate
    assert "<td>30,0\u00a0%</td>" in html and "Plan national pour des achats durables 2022-2025" in html
    assert "DECP consolidées de test, données du 1 novembre 2026" in html
    assert "Données de démonstration" in html
    assert html.count("<caption>") == 2


def test_the_latest_address_leads_to_the_latest_year_with_figures(client, scp_user, dataset, spaser54):
    client.force_login(scp_user)

    response = client.get(reverse("national:comparison_latest", args=[spaser54.slug]))

    assert response["Location"] == reverse("national:comparison", args=[spaser54.slug, 2025])


def _grow(dataset: NationalDataset, start: int, size: int) -> None:
    NationalFigure.objects.bulk_create(
        NationalFigure(
            dataset=dataset,
            buyer_siret=f"9{n:013}",
            buyer_siren=f"9{n:08}",
            year=2025,
            contracts=3,
            social=n % 4,
            environmental=n % 3,
        )
        for n in range(start, start + size)
    )


def test_the_page_costs_the_same_queries_whatever_the_number_of_buyers(
    client, committee_user, dataset, spaser54, django_assert_max_num_queries
):
    client.force_login(committee_user)
    url = reverse("national:comparison", args=[spaser54.slug, 2025])
    for start, size in ((0, 10), (10, 400)):
        _grow(dataset, start, size)
        data_changed()  # bulk rows send no signal
        # session and user, the plans, the dataset, the plan's buyers, the figures with their kinds
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_the_public_site_shows_it_only_once_scp_published_it(client, dataset, spaser54, scp_user):
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    url = reverse("public:national_comparison", args=[spaser54.slug, 2025])
    plan_page = reverse("public:plan", args=[spaser54.slug])
    link = reverse("public:national_comparison_latest", args=[spaser54.slug])
    assert client.get(url).status_code == 404
    assert link not in client.get(plan_page).content.decode()

    services.dataset_publish(dataset=dataset, published=True, user=scp_user)

    response = client.get(url)
    assert response.status_code == 200
    assert link in client.get(plan_page).content.decode()  # the public plan page leads to it
    assert "<td>2 sur 3</td>" in response.content.decode()
    assert dataset.history.first().history_user == scp_user
    services.dataset_publish(dataset=dataset, published=False, user=scp_user)
    assert client.get(url).status_code == 404
    assert list(dataset.history.values_list("published", flat=True)) == [False, True, False]


def test_only_scp_publishes(dataset, committee_user):
    with pytest.raises(PermissionDenied, match="Seul le service commande publique publie"):
        services.dataset_publish(dataset=dataset, published=True, user=committee_user)
