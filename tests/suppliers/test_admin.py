"""The suppliers' data in the admin: the imports' rows read-only and searchable, the local area SCP
sets with its version check, its author and its codes checked."""

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse

from suppliers.models import Establishment, LegalUnit, LocalArea, SupplierImport
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def scp(client, scp_user) -> Client:
    client.force_login(scp_user)
    return client


def test_the_imported_rows_are_read_only_and_searchable(scp, django_assert_max_num_queries):
    run = SupplierImport.objects.create(
        source="sirene_ul", files=["s.csv"], source_date=datetime.date(2025, 1, 1)
    )
    for number, name in ((123456789, "Atelier du Lien"), (234567891, "Bois et Compagnie")):
        LegalUnit.objects.create(siren=str(number), name=name, source_date=run.source_date, import_run=run)
    Establishment.objects.create(siret="12345678900011", siren="123456789", source_date=run.source_date)
    changelist = reverse("admin:suppliers_legalunit_changelist")
    with django_assert_max_num_queries(12):  # session, user, rights, count, rows: not per row
        page = scp.get(changelist, {"q": "234567891"}).content.decode()
    assert "Bois et Compagnie" in page and "Atelier du Lien" not in page
    assert "Atelier du Lien" in scp.get(changelist, {"q": "lien"}).content.decode()
    unit = LegalUnit.objects.get(siren="123456789")
    before = database_state()
    change = reverse("admin:suppliers_legalunit_change", args=[unit.pk])
    assert scp.post(change, {"name": "Autre"}).status_code == 403
    found = scp.get(reverse("admin:suppliers_establishment_changelist"), {"q": "123456789"})
    assert "12345678900011" in found.content.decode()
    assert database_state() == before


def test_scp_sets_the_local_area_with_version_check_and_author(scp, scp_user, spaser54):
    add = reverse("admin:suppliers_localarea_add")
    data = form_data(scp.get(add).content.decode(), form_id="localarea_form")
    data.update(plan=[str(spaser54.pk)], departements=["54, 55, 2b, 99"])
    refused = scp.post(add, data)
    assert refused.status_code == 200 and "Codes de département inconnus : 99" in refused.content.decode()
    data.update(departements=["54 , 55,57, 88, 2a, 974"])
    assert scp.post(add, data).status_code == 302
    area = LocalArea.objects.get()
    assert (area.departements, area.codes) == (
        "54, 55, 57, 88, 2A, 974",
        ["54", "55", "57", "88", "2A", "974"],
    )
    assert area.history.get().history_user == scp_user
    change = reverse("admin:suppliers_localarea_change", args=[area.pk])
    first = form_data(scp.get(change).content.decode(), form_id="localarea_form")
    other = Client()
    other.force_login(scp_user)
    second = form_data(other.get(change).content.decode(), form_id="localarea_form")
    first["departements"] = ["54"]
    assert scp.post(change, first).status_code == 302
    second["departements"] = ["57"]
    stale = html.unescape(other.post(change, second).content.decode())
    assert "depuis que vous l'avez ouvert" in stale
    area.refresh_from_db()
    assert (area.departements, area.version) == ("54", 2)


def test_the_comite_does_not_set_the_local_area(client, committee_user, spaser54):
    LocalArea.objects.create(plan=spaser54, departements="54")
    client.force_login(committee_user)
    response = client.get(reverse("admin:suppliers_localarea_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    before = database_state()
    area = LocalArea.objects.get()
    client.post(reverse("admin:suppliers_localarea_change", args=[area.pk]), {"departements": "57"})
    assert database_state() == before and LocalArea.objects.get().departements == "54"
