"""The contracts register in the admin: the read-only register and import log, the targets and
references SCP edits (version check, history author), the groups' permissions. The import pages are
tested in test_admin_views.py."""

import datetime
import tempfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.models import Indicator
from contracts.enums import Category, Measure
from contracts.models import (
    Contract,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
    Threshold,
)
from core import rights
from tests.contracts import files
from tests.contracts.admin_import import confirm, preview, text
from tests.contracts.files import BUYER, RESERVED, marche, write_2022
from tests.factories import UserFactory
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_temp(tmp_path, monkeypatch):
    """Previews left unconfirmed by a test wait in its own temporary folder, removed with it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture
def plan(spaser54):
    files.add_buyer(spaser54, BUYER)
    return spaser54


@pytest.fixture
def scp(client, scp_user, plan) -> Client:
    client.force_login(scp_user)
    return client


# --- the register and the log, read-only ---------------------------------------------------------------


def test_the_register_is_read_only_with_filters_search_and_history(
    scp, tmp_path, django_assert_max_num_queries
):
    path = write_2022(
        tmp_path / "decp.json",
        marches=[marche(f"A-{n}", social=[RESERVED] if n % 2 else None) for n in range(30)],
    )
    confirm(scp, preview(scp, [SimpleUploadedFile("decp.json", path.read_bytes())]))
    contract = Contract.objects.get(contract_id="A-1")
    url = reverse("admin:contracts_contract_changelist")

    with django_assert_max_num_queries(12):  # a page of rows and the filters' values, not a query per row
        response = scp.get(url)
    assert response.context["cl"].result_count == 30
    assert scp.get(url, {"reserved__exact": "1"}).context["cl"].result_count == 15
    assert scp.get(url, {"social__exact": "inconnue"}).context["cl"].result_count == 15
    assert scp.get(url, {"year": "2025", "nature__exact": "marche", "is_demo__exact": "0"}).status_code == 200
    assert scp.get(url, {"buyer_siret": BUYER}).context["cl"].result_count == 30
    assert scp.get(url, {"q": "A-1"}).context["cl"].result_count == 1
    assert scp.get(url, {"q": f"{BUYER}A-12"}).context["cl"].result_count == 1
    assert scp.get(url, {"q": "entretien des routes"}).context["cl"].result_count == 30
    assert "delete_selected" not in text(scp.get(url))
    change = scp.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert change.status_code == 200 and 'name="_save"' not in text(change)
    assert scp.get(reverse("admin:contracts_contract_add")).status_code == 403
    assert scp.get(reverse("admin:contracts_contract_delete", args=[contract.pk])).status_code == 403
    history = scp.get(reverse("admin:contracts_contract_history", args=[contract.pk]))
    assert history.status_code == 200 and "scp" in text(history)
    record = contract.history.get()
    past = reverse("admin:contracts_contract_simple_history", args=[contract.pk, record.history_id])
    assert scp.get(past).status_code == 200
    before = database_state()
    scp.post(reverse("admin:contracts_contract_change", args=[contract.pk]), {"object": "Changé"})
    assert database_state() == before and Contract.objects.get(pk=contract.pk).object != "Changé"


def test_the_import_log_lists_the_skipped_records(scp, tmp_path):
    path = write_2022(
        tmp_path / "decp.json", marches=[marche("A-1"), marche(""), marche("B-2", notified="2025-13-01")]
    )
    confirm(scp, preview(scp, [SimpleUploadedFile("decp.json", path.read_bytes())]))
    log = DecpImport.objects.get()

    page = text(scp.get(reverse("admin:contracts_decpimport_change", args=[log.pk])))

    assert "<td>(sans identifiant)</td>" in page and "identifiant (id) manquant" in page
    assert "<td>B-2</td>" in page and "date illisible (dateNotification : « 2025-13-01 »)" in page
    listing = scp.get(reverse("admin:contracts_decpimport_changelist"))
    assert listing.status_code == 200 and "decp.json" in text(listing)
    assert scp.get(reverse("admin:contracts_decpimport_add")).status_code == 403
    assert scp.get(reverse("admin:contracts_decpimport_delete", args=[log.pk])).status_code == 403


# --- what SCP sets -----------------------------------------------------------------------------------------


def test_scp_sets_a_target_with_version_check_and_author(scp, scp_user, plan):
    add = reverse("admin:contracts_legaltarget_add")
    data = form_data(scp.get(add).content.decode(), form_id="legaltarget_form")
    data.update(plan=[str(plan.pk)], category=[Category.SOCIAL], measure=[Measure.COUNT], share=["25"])

    assert scp.post(add, data).status_code == 302

    target = LegalTarget.objects.get()
    assert (target.share, target.version) == (Decimal("25.00"), 1)
    assert target.history.get().history_user == scp_user
    change = reverse("admin:contracts_legaltarget_change", args=[target.pk])
    first = form_data(scp.get(change).content.decode(), form_id="legaltarget_form")
    other = Client()
    other.force_login(scp_user)
    second = form_data(other.get(change).content.decode(), form_id="legaltarget_form")
    first["share"] = ["30"]
    assert scp.post(change, first).status_code == 302
    second["share"] = ["40"]
    refused = other.post(change, second)
    assert refused.status_code == 200 and "depuis que vous l'avez ouvert" in text(refused)
    target.refresh_from_db()
    assert (target.share, target.version) == (Decimal("30.00"), 2)
    assert [h.history_user for h in target.history.all()] == [scp_user, scp_user]


def test_scp_keeps_the_dated_thresholds_with_their_source(scp, scp_user, plan):
    """The European thresholds of 2028 added by SCP, with their source; one already set edited with the
    version check; a ceiling above what the register can store is refused in French."""
    add = reverse("admin:contracts_threshold_add")
    data = form_data(scp.get(add).content.decode(), form_id="threshold_form")
    data.update(
        kind=["fournitures_services"],
        amount=["219000"],
        valid_from=["01/01/2028"],
        source=["Règlement délégué de la Commission (seuils 2028-2029)"],
    )
    assert scp.post(add, data).status_code == 302
    threshold = Threshold.objects.get(valid_from=datetime.date(2028, 1, 1))
    assert threshold.history.get().history_user == scp_user
    ceiling = Threshold.objects.get(kind="plafond")
    change = reverse("admin:contracts_threshold_change", args=[ceiling.pk])
    first = form_data(scp.get(change).content.decode(), form_id="threshold_form")
    stale = dict(first)
    first["amount"] = ["500000000"]
    assert scp.post(change, first).status_code == 302
    stale["amount"] = ["2000000000"]
    refused = scp.post(change, stale)
    assert refused.status_code == 200 and "depuis que vous l'avez ouvert" in text(refused)
    again = form_data(scp.get(change).content.decode(), form_id="threshold_form")
    again["amount"] = ["1000000000000"]
    page = scp.post(change, again)
    assert page.status_code == 200 and "pas plus de 12 chiffres avant la virgule" in text(page)
    ceiling.refresh_from_db()
    assert ceiling.amount == Decimal("500000000.00")


def test_scp_adds_a_national_reference_and_links_an_indicator(scp, scp_user, plan):
    add = reverse("admin:contracts_nationalreference_add")
    data = form_data(scp.get(add).content.decode(), form_id="nationalreference_form")
    data.update(
        category=[Category.SOCIAL],
        measure=[Measure.COUNT],
        year=["2023"],
        share=["18.7"],
        source=["OECP, recensement économique de la commande publique 2023"],
    )
    assert scp.post(add, data).status_code == 302
    assert NationalReference.objects.get().history.get().history_user == scp_user

    indicator = Indicator.objects.of_plan(plan).get(code="11-R1")
    add = reverse("admin:contracts_registerindicator_add")
    data = form_data(scp.get(add).content.decode(), form_id="registerindicator_form")
    data.update(indicator=[str(indicator.pk)], category=[Category.SOCIAL], measure=[Measure.COUNT])
    assert scp.post(add, data).status_code == 302
    link = RegisterIndicator.objects.get()
    assert link.indicator == indicator and link.history.get().history_user == scp_user
    assert scp.get(reverse("admin:contracts_registerindicator_changelist")).status_code == 200


def test_the_comite_group_reads_the_register_only(plan):
    """Model permissions as the groups get them (core.rights.sync_role_permissions)."""
    committee = UserFactory(role=rights.COMMITTEE_GROUP)
    scp = UserFactory(role=rights.SCP_GROUP)
    for model in ("contract", "decpimport", "legaltarget", "nationalreference", "registerindicator"):
        assert committee.has_perm(f"contracts.view_{model}")
        assert not committee.has_perm(f"contracts.change_{model}")
        assert scp.has_perm(f"contracts.change_{model}")
