"""The live bilan page is rendered once per state of the data: any change shows at once."""

import pytest
from django.urls import reverse

from actions.enums import MilestoneStatus
from actions.models import GlossaryEntry, Milestone
from core.caching import data_version
from indicators.models import IndicatorValue
from tests.conftest import SPASER54
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db


def bilan_page(client, year=2024) -> str:
    response = client.get(reverse("reporting:bilan_detail", args=[SPASER54, year]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_request_reuses_the_rendering(
    client, committee_user, demo_plan, django_assert_max_num_queries
):
    client.force_login(committee_user)
    bilan_page(client)
    # Session, user, rights, plan, published versions (and the demo flag, once per data version): no bilan
    # queries. 6, not 9 as when the data stamp was a query: the data version is in the shared cache.
    with django_assert_max_num_queries(6):
        bilan_page(client)


def test_every_kind_of_edit_shows_on_the_next_request(client, committee_user, demo_plan):
    client.force_login(committee_user)
    bilan_page(client)

    value = (
        IndicatorValue.objects.filter(year=2024, value_number__isnull=False)
        .select_related("indicator")
        .first()
    )
    value.value_number = 987654
    value.save()
    assert "987" in bilan_page(client).replace("\u202f", "").replace("\xa0", "").replace(" ", "")

    entry = GlossaryEntry.objects.get(plan=demo_plan, acronym="SCP")
    entry.definition = "Service commande publique (définition modifiée)"
    entry.save()
    assert "définition modifiée" in bilan_page(client)

    before = data_version()
    milestone = Milestone.objects.filter(fiche__plan=demo_plan, status=MilestoneStatus.PLANNED).first()
    milestone.status = MilestoneStatus.DONE
    milestone.save()
    assert data_version() != before

    before = data_version()
    value.delete()
    assert data_version() != before


def test_html_and_pdf_share_the_cached_data(client, committee_user, small_plan):
    from tests.reporting.conftest import pdf_text, squash

    client.force_login(committee_user)
    page = bilan_page(client, 2025)
    pdf = get_through_job(client, reverse("reporting:bilan_pdf", args=[SPASER54, 2025])).content
    generated = page.split("Document généré le</dt><dd>")[1].split("</dd>")[0]
    assert generated in squash(pdf_text(pdf))
