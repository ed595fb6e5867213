"""The live bilan pages: query budgets, content for the reader, end-of-plan view, what each role is
offered. Who may open or post what is the table of tests/security/test_url_permissions.py."""

import pytest
from django.urls import reverse

from actions.models import Fiche
from tests.conftest import SPASER54

pytestmark = pytest.mark.django_db


def test_bilan_page_query_budget_does_not_grow_with_fiches(
    client, committee_user, demo_plan, django_assert_max_num_queries
):
    client.force_login(committee_user)
    # Session, user, groups, demo flag, plan, published versions, then bilan_build's ten queries, and
    # ten for the legal indicators' section (the demo plan has a buyer: contracts.selectors.legal_overview),
    # eight for the holders' section (reporting.bilan_suppliers).
    with django_assert_max_num_queries(35):
        response = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025]))
    page = response.content.decode()
    for fiche in Fiche.objects.filter(plan=demo_plan):
        assert f'id="fiche-{fiche.number}"' in page
    assert "DONNÉES DE DÉMONSTRATION" in page and "<svg" in page


def test_end_of_plan_page_covers_every_year(client, scp_user, demo_plan, django_assert_max_num_queries):
    client.force_login(scp_user)
    with django_assert_max_num_queries(35):  # as the year's page above
        page = client.get(reverse("reporting:final_detail", args=[SPASER54])).content.decode()
    assert "Bilan de fin de plan 2021-2026" in page
    for year in range(2021, 2027):
        assert f'<th scope="col" class="num">{year}</th>' in page
    assert reverse("reporting:final_publish", args=[SPASER54]) in page


def test_bilan_list_links_every_year(client, pilot11, small_plan):
    client.force_login(pilot11)
    page = client.get(reverse("reporting:bilan_list", args=[SPASER54])).content.decode()
    for year in range(2021, 2027):
        assert reverse("reporting:bilan_detail", args=[SPASER54, year]) in page
        assert reverse("reporting:bilan_pdf", args=[SPASER54, year]) not in page
    assert reverse("reporting:final_detail", args=[SPASER54]) in page


def test_bilan_page_offers_the_excel_exports_to_committee_not_to_pilots(
    client, committee_user, pilot11, spaser54
):
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert reverse("indicators:values_xlsx", args=[spaser54.slug]) in page
    assert reverse("actions:plan_xlsx", args=[spaser54.slug]) in page
    client.force_login(pilot11)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert reverse("indicators:values_xlsx", args=[spaser54.slug]) not in page


def test_pilot_page_has_no_pdf_link_and_no_publish_button(client, pilot11, small_plan):
    client.force_login(pilot11)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert reverse("reporting:bilan_pdf", args=[SPASER54, 2025]) not in page
    assert reverse("reporting:bilan_publish", args=[SPASER54, 2025]) not in page
    assert "Fiche 11" in page


def test_committee_sees_pdf_link_but_no_publish_button(client, committee_user, small_plan):
    client.force_login(committee_user)
    page = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert reverse("reporting:bilan_pdf", args=[SPASER54, 2025]) in page
    assert reverse("reporting:bilan_publish", args=[SPASER54, 2025]) not in page


def test_year_outside_the_plan_is_404(client, committee_user, small_plan):
    client.force_login(committee_user)
    assert client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2019])).status_code == 404
    assert client.get(reverse("reporting:bilan_pdf", args=[SPASER54, 2031])).status_code == 404
