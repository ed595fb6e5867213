"""Excel files in and out (core.excel.files), the rules every workbook shares: no exported cell can
run as a formula, and a bad file gets a clear French message, never an error page, and writes nothing.

The values workbook's own checks are in tests/indicators/test_values_workbook_*.py.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import ValueType
from actions.excel.plan_workbook import plan_workbook
from actions.models import Fiche, Indicator
from core.excel import files
from tests.utils import form_data
from tests.workbooks import BAD_FILES, with_formula

pytestmark = pytest.mark.django_db

TRIGGERS = ["=1+1", "+33 3 83", "-5 sites", "@SUM(A1)", "\tcellule", "\rcellule", "'=déjà échappé"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_neutralise_round_trip(text):
    neutral = files.neutralise(text)
    assert neutral[0] not in files.FORMULA_TRIGGERS
    assert files.unneutralise(neutral) == text


def test_plain_text_and_numbers_are_left_alone():
    assert files.neutralise("Nombre de formations") == "Nombre de formations"
    assert files.neutralise(-5) == -5
    assert files.unneutralise("'ordinaire") == "'ordinaire"


def all_cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("text", TRIGGERS)
def test_no_cell_of_the_plan_workbook_is_a_formula(spaser54, text):
    """Dangerous text typed into the plan comes out inert in every sheet."""
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    Fiche.objects.filter(pk=fiche.pk).update(title=text, context=text)
    fiche.milestones.filter(pk=fiche.milestones.first().pk).update(text=text)
    Indicator.objects.filter(fiche__plan=spaser54, value_type=ValueType.TEXT).update(label=text)

    cells = all_cells(plan_workbook(spaser54))

    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t[:1] in files.FORMULA_TRIGGERS]
    # XML reads a carriage return back as a line feed; either way the apostrophe leads.
    assert files.neutralise(text).replace("\r", "\n") in texts


def test_the_admin_export_is_neutralised_too(client, scp_user, spaser54):
    """The admin's own export (django-import-export) goes through the same writer."""
    Fiche.objects.filter(plan=spaser54, number=5).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    client.force_login(scp_user)
    url = reverse("admin:actions_fiche_export")
    page = client.get(url).content.decode()
    response = client.post(url, form_data(page[page.index('<form action=""') :]))
    assert response.status_code == 200, response.content[:2000]
    cells = all_cells(response.content)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in [c.value for c in cells]
    assert not [c for c in cells if c.data_type == "f"]


def test_a_formula_is_read_as_the_result_the_spreadsheet_saved(spaser54):
    data = with_formula(plan_workbook(spaser54), "Fiches", "B2", "=6*2", cached=12)
    assert files.read_sheet(data, "Fiches")[1][1].value == 12


def nothing_written():
    return sorted(Fiche.objects.values_list("pk", "title", "version")), Fiche.history.count()


@pytest.mark.parametrize("kind", BAD_FILES)
def test_the_admin_fiche_import_refuses_a_bad_file_with_a_french_message(kind, client, scp_user, spaser54):
    make, expected = BAD_FILES[kind]
    client.force_login(scp_user)
    before = nothing_written()

    response = client.post(
        reverse("admin:actions_fiche_import"),
        {"import_file": SimpleUploadedFile("plan.xlsx", make(plan_workbook(spaser54))), "format": "0"},
    )

    assert response.status_code == 200
    content = response.content.decode().replace("&#x27;", "'")
    if kind == "empty":  # Django's own FileField refuses an empty upload, in French
        assert "Le fichier soumis est vide." in content
    else:
        assert expected in content
    assert "process_import" not in content  # no confirm button
    assert nothing_written() == before
