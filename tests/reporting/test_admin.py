"""The admin shows published bilans and makes them public through the service; it cannot create,
edit or delete one."""

from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Fiche
from reporting.models import PublishedBilan
from reporting.services import bilan_publish
from tests.factories import IndicatorValueFactory
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def test_admin_form_changes_nothing_of_a_frozen_version(client, scp_user, small_plan):
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    pdf, data = bytes(published.pdf), published.data
    client.force_login(scp_user)
    url = reverse("admin:reporting_publishedbilan_change", args=[published.pk])
    page = client.get(url).content.decode()
    assert published.sha256 in page
    assert client.get(reverse("admin:reporting_publishedbilan_add")).status_code == 403
    assert (
        client.get(reverse("admin:reporting_publishedbilan_delete", args=[published.pk])).status_code == 403
    )

    data_sent = form_data(page, "publishedbilan_form")
    data_sent["is_public"] = ["on"]  # read-only: made public by the action only (the service's checks)
    data_sent["version"] = ["7"]
    client.post(url, data_sent)
    published = PublishedBilan.objects.get(pk=published.pk)
    assert not published.is_public and published.version == 1
    assert bytes(published.pdf) == pdf and published.data == data


def _action(client, action: str, bilan: PublishedBilan):
    changelist = reverse("admin:reporting_publishedbilan_changelist")
    return client.post(changelist, {"action": action, "_selected_action": [bilan.pk]}, follow=True)


def test_admin_action_makes_public_through_the_service(client, scp_user, small_plan):
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    client.force_login(scp_user)
    _action(client, "make_public", published)
    published.refresh_from_db()
    assert published.is_public
    assert published.history.first().history_user == scp_user
    _action(client, "make_private", published)
    published.refresh_from_db()
    assert not published.is_public


def test_admin_action_refuses_a_version_with_values_not_validated(client, scp_user, small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=5)
    IndicatorValueFactory(indicator=fiche.indicators.first(), year=2024, value_number=Decimal(3))
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    client.force_login(scp_user)
    page = _action(client, "make_public", published).content.decode()
    assert "ne peut pas être rendu public" in page and "n&#x27;est pas validée" in page
    published.refresh_from_db()
    assert not published.is_public
