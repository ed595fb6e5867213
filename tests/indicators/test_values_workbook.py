"""The values workbook written (indicators.values_workbook.values_workbook): one row per indicator and
one column per year ("Valeurs", re-importable), each fiche's progress per year ("Avancement"), a
warning when demo values are in it; no cell can run as a formula."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import ProgressStatus, ValueType
from actions.models import Fiche
from core.excel import files
from indicators.models import IndicatorValue
from indicators.values_workbook import DEMO_SHEET, PROGRESS_SHEET, values_workbook
from tests.factories import AnnualReviewFactory, IndicatorValueFactory

from .conftest import first_indicator

pytestmark = pytest.mark.django_db

YEARS = ("2021", "2022", "2023", "2024", "2025", "2026")


def rows(data: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def test_values_sheet_layout(spaser54, stored_values):
    book = load_workbook(io.BytesIO(values_workbook(spaser54)))
    assert book.sheetnames == ["Valeurs", PROGRESS_SHEET]
    assert book.active.title == "Valeurs"
    values = list(book["Valeurs"].iter_rows(values_only=True))
    fixed = ("Code fiche", "N° fiche", "Code indicateur", "Type", "Libellé", "Unité", "Cible")
    # After the years, the read-only columns plugged in by higher apps (the evidence's counts).
    assert values[0] == (*fixed, *YEARS, *(f"Preuves {year}" for year in YEARS))
    by_code = {r[2]: r for r in values[1:]}
    amount = stored_values[ValueType.AMOUNT].indicator
    assert by_code[amount.code][:4] == (
        f"F{amount.fiche.number:02d}",
        amount.fiche.number,
        amount.code,
        "Montant (€)",
    )
    assert by_code[amount.code][8] == 1803.6  # a number cell, not text
    assert by_code[stored_values[ValueType.BOOLEAN].indicator.code][8] == "Oui"


def test_progress_sheet_gives_each_fiches_status_per_year(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=3)
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True, progress_status=ProgressStatus.IN_PROGRESS)
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True, progress_status=ProgressStatus.DONE)

    progress = rows(values_workbook(spaser54), PROGRESS_SHEET)

    assert progress[0] == ("N° fiche", "Action", "État d'avancement (dernier bilan validé)", *YEARS)
    assert [r[0] for r in progress[1:]] == list(range(1, 22))
    by_number = {r[0]: r for r in progress[1:]}
    # The current status is the latest validated review's; each year says what its review states.
    assert by_number[3][2:] == ("En cours", None, None, "En cours", "Réalisée (non validé)", None, None)
    assert by_number[4][2] == "Non renseigné"


def test_values_workbook_says_when_values_are_fictitious(spaser54, stored_values):
    IndicatorValue.objects.filter(pk=stored_values[ValueType.COUNT].pk).update(is_demo=True)
    book = load_workbook(io.BytesIO(values_workbook(spaser54)))
    assert book.sheetnames == ["Valeurs", PROGRESS_SHEET, DEMO_SHEET]
    assert "fictives" in book[DEMO_SHEET]["A1"].value
    assert book.active.title == "Valeurs"


@pytest.mark.parametrize("text", ["=1+1", "+33 3 83", "-5 sites", "@SUM(A1)", "\tcellule", "'=déjà"])
def test_no_cell_is_a_formula(spaser54, text):
    """Dangerous text typed as a value, an indicator's label or a fiche's title comes out inert."""
    indicator = first_indicator(spaser54, ValueType.TEXT)
    IndicatorValueFactory(indicator=indicator, year=2023, value_number=None, value_text=text)
    type(indicator).objects.filter(pk=indicator.pk).update(label=text)
    Fiche.objects.filter(pk=indicator.fiche_id).update(title=text)

    book = load_workbook(io.BytesIO(values_workbook(spaser54)))

    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t[:1] in files.FORMULA_TRIGGERS]
    assert texts.count(files.neutralise(text)) == 3  # the value, the label, the title


def test_download_query_budget(client, scp_user, spaser54, stored_values, django_assert_max_num_queries):
    client.force_login(scp_user)
    # Session, user, rights, plan, then a fixed number of queries per sheet (no N+1 over fiches).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("indicators:values_xlsx", args=[spaser54.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == files.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="spaser54-2021-2026-valeurs-')
    assert rows(response.content, "Valeurs")[0][:3] == ("Code fiche", "N° fiche", "Code indicateur")
