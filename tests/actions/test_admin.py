"""The admin is SCP's editing tool for the plan: every change goes through the plan's services, is
recorded with its author and never silently overwrites someone else's.

Who may open which admin page (and that every page opens for SCP) is the admin table of
tests/security/test_url_permissions.py.
"""

import pytest
from django.test import Client
from django.urls import reverse

from actions.enums import Duration
from actions.models import Fiche
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def change_form(client, fiche) -> tuple[str, dict]:
    """The fiche's change page and what a browser would post from it (hidden versions included)."""
    url = reverse("admin:actions_fiche_change", args=[fiche.pk])
    return url, form_data(client.get(url).content.decode(), form_id="fiche_form")


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


def test_the_changelist_has_no_bulk_delete(client, scp_user, spaser54):
    """Rows are deleted one at a time, each through the plan's rules (a bulk delete would skip them)."""
    client.force_login(scp_user)
    page = client.get(reverse("admin:actions_fiche_changelist")).content.decode()
    assert "delete_selected" not in page


def test_an_admin_edit_is_recorded_with_its_author(client, scp_user, spaser54):
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=13)
    url, data = change_form(client, fiche)
    data["duration"] = [Duration.TIME_CONSUMING.value]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fiche.refresh_from_db()
    assert fiche.duration == Duration.TIME_CONSUMING
    assert fiche.version == 2
    last = fiche.history.first()
    assert last.history_user == scp_user and last.duration == Duration.TIME_CONSUMING
    history_page = client.get(reverse("admin:actions_fiche_history", args=[fiche.pk])).content.decode()
    author = reverse("admin:auth_user_change", args=[scp_user.pk])
    assert f'<a href="{author}">scp</a>' in history_page  # the history page names the author


def test_pilot_changes_are_recorded(client, scp_user, spaser54):
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    url, data = change_form(client, fiche)
    data["fiche_pilots-1-DELETE"] = ["on"]  # remove the second pilot (DIMMO)
    response = client.post(url, data)
    assert response.status_code == 302
    assert [p.label for p in fiche.ordered_pilots()] == ["Responsable de service – Service GTR – DIM"]
    deletion = fiche.fiche_pilots.model.history.filter(fiche_id=fiche.pk, history_type="-").get()
    assert deletion.history_user == scp_user


def test_a_stale_admin_form_does_not_overwrite_a_newer_edit(client, scp_user, spaser54):
    other = Client()
    other.force_login(scp_user)
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=7)
    url, first = change_form(client, fiche)
    _, second = change_form(other, fiche)
    first["duration"] = [Duration.TIME_CONSUMING.value]
    assert client.post(url, first).status_code == 302
    second["duration"] = [Duration.RAPID.value]
    second["title"] = ["Titre modifié en parallèle"]
    response = other.post(url, second)
    assert response.status_code == 200
    page = response.content.decode()
    assert "a été modifié par Scp Test depuis que vous l&#x27;avez ouvert" in page
    assert "Titre modifié en parallèle" in page  # the typing is kept on the page
    fiche.refresh_from_db()
    assert fiche.duration == Duration.TIME_CONSUMING and fiche.title != "Titre modifié en parallèle"
    assert fiche.version == 2


def test_a_form_posted_without_the_version_it_showed_is_refused(client, scp_user, spaser54):
    """A post that does not say which version it was opened on cannot prove it is not stale."""
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=8)
    url, data = change_form(client, fiche)
    del data["seen_version"]
    data["title"] = ["Titre sans version"]
    response = client.post(url, data)
    assert response.status_code == 200 and "a été modifié par" in response.content.decode()
    fiche.refresh_from_db()
    assert fiche.title != "Titre sans version" and fiche.version == 1


def test_a_stale_inline_row_is_refused_too(client, scp_user, spaser54):
    """A milestone edited on its own page meanwhile: the fiche's form, opened before, keeps its hands off."""
    other = Client()
    other.force_login(scp_user)
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    milestone = fiche.milestones.order_by("position").first()
    url, data = change_form(client, fiche)
    milestone_url = reverse("admin:actions_milestone_change", args=[milestone.pk])
    own = form_data(other.get(milestone_url).content.decode(), form_id="milestone_form")
    own["text"] = ["Jalon corrigé sur sa page"]
    assert other.post(milestone_url, own).status_code == 302
    index = next(k for k, v in data.items() if k.startswith("milestones-") and v == [str(milestone.pk)])
    prefix = index.rsplit("-", 1)[0]
    data[f"{prefix}-text"] = ["Jalon corrigé depuis la fiche"]

    response = client.post(url, data)

    assert response.status_code == 200 and "a été modifié par" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.text == "Jalon corrigé sur sa page" and milestone.version == 2


def test_an_imports_skipped_records_are_listed_escaped_in_the_admin():
    """SCP reads what an import skipped, one row per record in the import's columns; a file's text is
    shown as text, never as markup."""
    from actions.admin_base import records_table

    columns = [("file", "Fichier"), ("line", "Ligne"), ("reason", "Motif")]
    table = records_table([{"file": "a.csv", "line": 3, "reason": "<b>SIRET</b> invalide"}], columns)
    assert "<th>Fichier</th><th>Ligne</th><th>Motif</th>" in table
    assert "<td>a.csv</td><td>3</td><td>&lt;b&gt;SIRET&lt;/b&gt; invalide</td>" in table
    assert records_table([], columns, empty="Aucune.") == "Aucune."
