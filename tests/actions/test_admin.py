"""The admin is SCP's editing tool: every page opens for SCP staff, no one else gets in, and every
change is recorded with its author and never silently overwrites someone else's."""

import pytest
from django.contrib import admin
from django.urls import reverse

from actions.models import Fiche
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def admin_models():
    return list(admin.site._registry)


def test_every_changelist_add_and_change_page_opens_for_scp(client, scp_user, spaser54):
    from django.conf import settings

    from indicators.demo import demo_load

    demo_load(path=settings.BASE_DIR / "fixtures" / "demo" / "demo.yaml")
    client.force_login(scp_user)
    opened = 0
    for model in admin_models():
        opts = model._meta
        info = (opts.app_label, opts.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, opts.label
        model_admin = admin.site._registry[model]
        if model_admin.has_add_permission(type("R", (), {"user": scp_user})()):
            assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200, opts.label
        obj = model._default_manager.first()
        if obj is not None:
            assert (
                client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200
            ), opts.label
            assert (
                client.get(reverse("admin:{}_{}_history".format(*info), args=[obj.pk])).status_code == 200
            ), opts.label
        opened += 1
    assert opened == len(admin.site._registry) >= 16


@pytest.mark.parametrize("role", ["pilot", "committee"])
def test_admin_refuses_pilots_and_committee(client, role_users, role, spaser54):
    client.force_login(role_users[role])
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    for url in (
        reverse("admin:index"),
        reverse("admin:actions_fiche_changelist"),
        reverse("admin:actions_fiche_change", args=[fiche.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_anonymous_is_sent_to_admin_login(client, spaser54):
    response = client.get(reverse("admin:actions_fiche_changelist"))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_changelist_filters_search_and_query_budget(
    client, scp_user, spaser54, django_assert_max_num_queries
):
    client.force_login(scp_user)
    url = reverse("admin:actions_fiche_changelist")
    social = spaser54.axes.get(code="social")
    response = client.get(url, {"objective__axis__id__exact": social.pk})
    assert [f.number for f in response.context["cl"].result_list] == [10, 11, 12, 13, 14, 15]
    response = client.get(url, {"q": "secteur adapté"})
    assert {f.number for f in response.context["cl"].result_list} >= {13, 15}
    # Pilots, principles and axis of 21 fiches come from prefetches, not one query per row.
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 21


def test_an_admin_edit_is_recorded_with_its_author(client, scp_user, spaser54):
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=13)
    url = reverse("admin:actions_fiche_change", args=[fiche.pk])
    data = form_data(client.get(url).content.decode(), form_id="fiche_form")
    data["status"] = ["en_cours"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fiche.refresh_from_db()
    assert fiche.status == "en_cours"
    assert fiche.version == 2
    last = fiche.history.first()
    assert last.history_user == scp_user and last.status == "en_cours"
    history_page = client.get(reverse("admin:actions_fiche_history", args=[fiche.pk])).content.decode()
    assert "Scp" in history_page or "scp" in history_page


def test_pilot_changes_are_recorded(client, scp_user, spaser54):
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    url = reverse("admin:actions_fiche_change", args=[fiche.pk])
    data = form_data(client.get(url).content.decode(), form_id="fiche_form")
    data["fiche_pilots-1-DELETE"] = ["on"]  # remove the second pilot (DIMMO)
    response = client.post(url, data)
    assert response.status_code == 302
    assert len(fiche.ordered_pilots()) == 1
    deletion = fiche.fiche_pilots.model.history.filter(fiche_id=fiche.pk, history_type="-").get()
    assert deletion.history_user == scp_user


def test_a_stale_admin_form_does_not_overwrite_a_newer_edit(client, scp_user, spaser54):
    from django.test import Client

    other = Client()
    other.force_login(scp_user)
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=7)
    url = reverse("admin:actions_fiche_change", args=[fiche.pk])
    first = form_data(client.get(url).content.decode(), form_id="fiche_form")
    second = form_data(other.get(url).content.decode(), form_id="fiche_form")
    first["status"] = ["realisee"]
    assert client.post(url, first).status_code == 302
    second["status"] = ["abandonnee"]
    second["title"] = ["Titre modifié en parallèle"]
    response = other.post(url, second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "a été modifiée par" in page and "Titre modifié en parallèle" in page
    fiche.refresh_from_db()
    assert fiche.status == "realisee" and fiche.title != "Titre modifié en parallèle"
