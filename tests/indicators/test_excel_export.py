"""Exports: who may download, what the workbooks hold, and that no cell can run as a formula."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Fiche
from indicators import excel
from indicators.enums import ValueType
from indicators.models import Indicator, IndicatorValue
from tests.utils import form_data

from .conftest import first_indicator

TRIGGERS = ["=1+1", "+33 3 83", "-5 sites", "@SUM(A1)", "\tcellule", "\rcellule", "'=déjà échappé"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_neutralise_round_trip(text):
    neutral = excel.neutralise(text)
    assert neutral[0] not in excel.FORMULA_TRIGGERS
    assert excel.unneutralise(neutral) == text


def test_plain_text_and_numbers_are_left_alone():
    assert excel.neutralise("Nombre de formations") == "Nombre de formations"
    assert excel.neutralise(-5) == -5
    assert excel.unneutralise("'ordinaire") == "'ordinaire"


def _all_cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [(sheet.title, cell) for sheet in book for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("text", TRIGGERS)
def test_no_exported_cell_is_a_formula(spaser54, scp_user, text):
    """Dangerous text typed into the plan and the values comes out inert in every sheet."""
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    fiche.title = text
    fiche.context = text
    fiche.save()
    milestone = fiche.milestones.first()
    milestone.text = text
    milestone.save()
    indicator = first_indicator(spaser54, ValueType.TEXT)
    indicator.label = text
    indicator.save()
    IndicatorValue.objects.create(indicator=indicator, year=2023, value_text=text)

    for data in (excel.plan_workbook(spaser54), excel.values_workbook(spaser54)):
        cells = _all_cells(data)
        assert not [c.coordinate for _, c in cells if c.data_type == "f"]
        texts = [c.value for _, c in cells if isinstance(c.value, str)]
        assert not [t for t in texts if t[:1] in excel.FORMULA_TRIGGERS]
        # XML reads a carriage return back as a line feed; either way the apostrophe leads.
        assert excel.neutralise(text).replace("\r", "\n") in texts


def test_library_admin_export_is_neutralised_too(client, scp_user, spaser54):
    """The admin's own export (django-import-export) goes through the same neutralising resource."""
    Fiche.objects.filter(plan=spaser54, number=5).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    client.force_login(scp_user)
    url = reverse("admin:actions_fiche_export")
    page = client.get(url).content.decode()
    response = client.post(url, form_data(page[page.index('<form action=""') :]))
    assert response.status_code == 200, response.content[:2000]
    cells = _all_cells(response.content)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in [c.value for _, c in cells]
    assert not [c for _, c in cells if c.data_type == "f"]


def test_plan_workbook_has_one_sheet_per_kind_with_french_headers(spaser54):
    book = load_workbook(io.BytesIO(excel.plan_workbook(spaser54)))
    assert book.sheetnames == ["Fiches", "Pilotes", "Jalons", "Indicateurs"]
    assert book.active.title == "Fiches"
    fiches = list(book["Fiches"].iter_rows(values_only=True))
    assert fiches[0][:3] == ("Plan", "N° fiche", "Action")
    assert len(fiches) == 1 + 21
    fiche11 = dict(zip(fiches[0], fiches[11], strict=True))
    assert fiche11["N° fiche"] == 11 and fiche11["Objectif"] and fiche11["Complexité"]
    pilots = list(book["Pilotes"].iter_rows(values_only=True))
    assert pilots[0] == (
        "N° fiche",
        "Action",
        "Ordre",
        "Fonction",
        "Service",
        "Direction",
        "Nom de la direction",
    )
    assert {row[0] for row in pilots[1:]} == set(range(1, 22))
    assert [r[3] for r in pilots[1:] if r[0] == 11][:2] == [
        p.role for p in Fiche.objects.get(plan=spaser54, number=11).ordered_pilots()
    ][:2]
    milestones = list(book["Jalons"].iter_rows(values_only=True))
    assert milestones[0][:4] == ("N° fiche", "Nature", "Phase", "Libellé")
    assert len(milestones) - 1 == sum(f.milestones.count() for f in Fiche.objects.filter(plan=spaser54))
    indicators = list(book["Indicateurs"].iter_rows(values_only=True))
    assert len(indicators) - 1 == Indicator.objects.of_plan(spaser54).count()
    assert indicators[0][1:3] == ("N° fiche", "Code indicateur")


def test_values_workbook_layout(spaser54, stored_values):
    book = load_workbook(io.BytesIO(excel.values_workbook(spaser54)))
    assert book.sheetnames == ["Valeurs"]
    rows = list(book["Valeurs"].iter_rows(values_only=True))
    assert rows[0] == (
        "Code fiche",
        "N° fiche",
        "Code indicateur",
        "Type",
        "Libellé",
        "Unité",
        "Cible",
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    )
    by_code = {r[2]: r for r in rows[1:]}
    amount = stored_values[ValueType.AMOUNT].indicator
    assert by_code[amount.code][:4] == (
        f"F{amount.fiche.number:02d}",
        amount.fiche.number,
        amount.code,
        "Montant (€)",
    )
    assert by_code[amount.code][8] == 1803.6  # a number cell, not text
    assert by_code[stored_values[ValueType.BOOLEAN].indicator.code][8] == "Oui"


def test_values_workbook_says_when_values_are_fictitious(spaser54, stored_values):
    IndicatorValue.objects.filter(pk=stored_values[ValueType.COUNT].pk).update(is_demo=True)
    book = load_workbook(io.BytesIO(excel.values_workbook(spaser54)))
    assert book.sheetnames == ["Valeurs", excel.DEMO_SHEET]
    assert "fictives" in book[excel.DEMO_SHEET]["A1"].value
    assert book.active.title == "Valeurs"


PERMISSIONS = {"anonymous": 302, "pilot": 403, "other_pilot": 403, "committee": 200, "scp": 200}


@pytest.mark.parametrize("url_name", ["exports:plan_xlsx", "exports:values_xlsx"])
@pytest.mark.parametrize("role", PERMISSIONS)
def test_export_permissions(client, role_users, spaser54, url_name, role, django_assert_max_num_queries):
    user = role_users[role]
    if user is not None:
        client.force_login(user)
    # Session, user, groups, plan, then a fixed number of queries per sheet (no N+1 over fiches).
    with django_assert_max_num_queries(20):
        response = client.get(reverse(url_name, args=[spaser54.slug]))
    assert response.status_code == PERMISSIONS[role]
    if response.status_code == 200:
        assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
        assert "attachment" in response["Content-Disposition"]
        load_workbook(io.BytesIO(response.content))


def test_export_of_unknown_plan_is_404(client, scp_user):
    client.force_login(scp_user)
    assert client.get(reverse("exports:plan_xlsx", args=["inconnu"])).status_code == 404


def test_plan_page_links_to_exports_for_scp_and_committee_only(client, role_users, spaser54):
    link = reverse("exports:values_xlsx", args=[spaser54.slug])
    for role, shown in (("scp", True), ("committee", True), ("pilot", False)):
        client.force_login(role_users[role])
        page = client.get(reverse("actions:plan_detail", args=[spaser54.slug])).content.decode()
        assert (link in page) is shown, role
