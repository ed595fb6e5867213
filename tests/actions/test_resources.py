"""Fiches through django-import-export in the admin: the "Fiches" sheet of the plan workbook.

Export, edit, preview, confirm, as SCP staff do it in the browser; all or nothing, with history.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import Complexity, ProgressStatus
from actions.models import Fiche, Pack
from actions.resources import FicheResource
from indicators import excel
from tests.utils import form_data


def fiches_state():
    return (
        sorted(
            Fiche.objects.values_list(
                "number", "title", "status", "complexity", "is_flagship", "version", "pack_id"
            )
        ),
        sorted(Fiche.principles.through.objects.values_list("fiche__number", "principle__code")),
        Fiche.history.count(),
    )


class FichesSheet:
    def __init__(self, data: bytes):
        self.book = load_workbook(io.BytesIO(data))
        self.sheet = self.book["Fiches"]
        self.headers = [c.value for c in self.sheet[1]]

    def set(self, number: int, header: str, value) -> None:
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, 2).value == number:
                cell = self.sheet.cell(row, self.headers.index(header) + 1)
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, as Excel stores what a user types after an apostrophe
                return
        raise KeyError(number)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def preview(client, data: bytes):
    return client.post(
        reverse("admin:actions_fiche_import"),
        {"import_file": SimpleUploadedFile("plan.xlsx", data), "format": "0", "resource": "0"},
    )


def confirm(client, preview_response):
    html = preview_response.content.decode()
    action = reverse("admin:actions_fiche_process_import")
    start = html.index(f'<form action="{action}"')
    return client.post(action, form_data(html[start:]))


@pytest.fixture
def admin_client(client, scp_user):
    client.force_login(scp_user)
    return client


@pytest.fixture
def plan_file(spaser54) -> bytes:
    return excel.plan_workbook(spaser54)


def test_export_then_import_unchanged_changes_nothing(admin_client, plan_file):
    before = fiches_state()

    response = preview(admin_client, plan_file)

    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 21 and result.totals["update"] == 0 and result.totals["new"] == 0
    confirm(admin_client, response)
    assert fiches_state() == before


def test_edit_three_cells_updates_exactly_those_fiches_with_history(
    admin_client, scp_user, spaser54, plan_file
):
    sheet = FichesSheet(plan_file)
    sheet.set(3, "État d'avancement", "En cours")
    sheet.set(7, "Complexité", "Complexe")
    sheet.set(12, "Action", "=Nouvel intitulé commençant par un signe égal")
    before_history = Fiche.history.count()
    untouched_before = {
        f.number: (f.title, f.status, f.complexity, f.version)
        for f in Fiche.objects.exclude(number__in=[3, 7, 12])
    }

    response = preview(admin_client, sheet.save())
    result = response.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (3, 18)
    assert Fiche.history.count() == before_history  # the preview wrote nothing
    done = confirm(admin_client, response)

    assert done.status_code == 302
    assert Fiche.objects.get(number=3).status == ProgressStatus.IN_PROGRESS
    assert Fiche.objects.get(number=7).complexity == Complexity.COMPLEX
    assert Fiche.objects.get(number=12).title == "=Nouvel intitulé commençant par un signe égal"
    assert {f.number: f.version for f in Fiche.objects.filter(number__in=[3, 7, 12])} == {3: 2, 7: 2, 12: 2}
    new_records = Fiche.history.filter(history_id__gt=0).order_by("-history_id")[:3]
    assert Fiche.history.count() == before_history + 3
    assert {r.number for r in new_records} == {3, 7, 12}
    assert all(r.history_user == scp_user for r in new_records)
    assert {
        f.number: (f.title, f.status, f.complexity, f.version)
        for f in Fiche.objects.exclude(number__in=[3, 7, 12])
    } == untouched_before


def test_invalid_cell_is_reported_in_french_and_nothing_is_written(admin_client, plan_file):
    sheet = FichesSheet(plan_file)
    sheet.set(3, "État d'avancement", "En cours")  # valid, must not be written either
    sheet.set(8, "Complexité", "Très dur")
    before = fiches_state()

    response = preview(admin_client, sheet.save())

    html = response.content.decode().replace("&#x27;", "'")
    assert "« Très dur » n'est pas un choix possible" in html
    assert "process_import" not in html  # no confirm button
    assert fiches_state() == before


def test_french_labels_and_codes_both_accepted():
    resource = FicheResource()
    widget = resource.fields["complexity"].widget
    assert (
        widget.clean("moyennement simple")
        == widget.clean("moyennement_simple")
        == Complexity.MODERATELY_SIMPLE
    )


def test_confirm_is_all_or_nothing_when_data_changed_since_preview(admin_client, spaser54, plan_file):
    """Between preview and confirm the pack is renamed: the confirm must not write the other rows."""
    sheet = FichesSheet(plan_file)
    sheet.set(3, "État d'avancement", "En cours")
    sheet.set(16, "Action", "Intitulé modifié")  # fiche 16 is in the "Pack à la carte"
    response = preview(admin_client, sheet.save())
    assert response.context["result"].totals["update"] == 2
    Pack.objects.filter(plan=spaser54).update(name="Pack renommé")
    before = fiches_state()

    done = confirm(admin_client, response)

    assert done.status_code == 302
    assert fiches_state() == before
    page = admin_client.get(done["Location"]).content.decode().replace("&#x27;", "'")
    assert "Import annulé, rien n'a été enregistré" in page
    assert re.search(r"ligne \d+, colonne « Pack »", page)


def test_only_scp_may_import(client, committee_user, pilot11, plan_file):
    for user in (committee_user, pilot11):
        client.force_login(user)
        response = preview(client, plan_file)
        assert response.status_code in (302, 403)
