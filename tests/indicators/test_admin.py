"""SCP can also run the campaign from the admin: the actions call the same services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.enums import CampaignStatus, ReviewStatus
from indicators.models import AnnualReview, Campaign, IndicatorValue
from indicators.services import entry, workflow
from tests.indicators.conftest import client_for
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def test_admin_actions_validate_return_reopen_and_close(fiche11, campaign2025, pilot11, scp_user):
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    review = AnnualReview.objects.get()
    admin = client_for(scp_user)
    url = "/admin/indicators/annualreview/"
    response = admin.post(url, {"action": "validate_reviews", "_selected_action": [review.pk]}, follow=True)
    assert "1 bilan(s) validé(s)." in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.VALIDATED and review.validated_by == scp_user
    response = admin.post(url, {"action": "return_reviews", "_selected_action": [review.pk]}, follow=True)
    assert "Impossible de renvoyer" in response.content.decode()  # a validated year must be reopened first
    admin.post(url, {"action": "reopen_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED
    assert review.history.first().history_user == scp_user

    admin.post(
        "/admin/indicators/campaign/", {"action": "close_campaigns", "_selected_action": [campaign2025.pk]}
    )
    assert Campaign.objects.get().status == CampaignStatus.CLOSED


def test_an_admin_edit_of_a_value_makes_open_pilot_pages_stale(fiche11, campaign2025, pilot11, scp_user):
    meetings = fiche11.indicators.get(code="11-R1")
    entry.fiche_year_save(
        fiche=fiche11,
        year=2025,
        values={meetings.pk: entry.ValueInput(Decimal(1))},
        review=None,
        user=pilot11,
        seen_versions={},
    )
    value = IndicatorValue.objects.get()
    admin = client_for(scp_user)
    url = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    data = form_data(admin.get(url).content.decode(), "indicatorvalue_form")
    data |= {"value_number": ["2"], "comment": ["corrigé par SCP"]}
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    value.refresh_from_db()
    assert (value.value_number, value.version, value.updated_by) == (2, 2, scp_user)
    assert value.history.first().history_user == scp_user
    with pytest.raises(entry.FicheYearConflict, match=f"^value_{meetings.pk}$"):
        entry.fiche_year_save(
            fiche=fiche11,
            year=2025,
            values={meetings.pk: entry.ValueInput(Decimal(3))},
            review=None,
            user=pilot11,
            seen_versions={f"value_{meetings.pk}": 1},
        )
