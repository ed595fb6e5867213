"""The admin shows published bilans and switches them public; it cannot create, edit or delete one."""

import pytest
from django.urls import reverse

from reporting.models import PublishedBilan
from reporting.services import bilan_publish
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def test_admin_switches_public_and_keeps_the_frozen_content(client, scp_user, small_plan):
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
    data_sent["is_public"] = ["on"]
    data_sent["version"] = ["7"]  # read-only: ignored
    response = client.post(url, data_sent)
    assert response.status_code == 302
    published = PublishedBilan.objects.get(pk=published.pk)
    assert published.is_public and published.version == 1
    assert bytes(published.pdf) == pdf and published.data == data
    assert published.history.first().history_user == scp_user
