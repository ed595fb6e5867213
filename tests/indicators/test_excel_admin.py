"""The values import in the admin: upload, preview (dry run), confirm or abandon."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators import excel, imports
from indicators.enums import ValueType
from indicators.models import IndicatorValue
from tests.utils import form_data

from .conftest import Sheet, validate_year

IMPORT_URL = "admin:indicators_indicatorvalue_import"
CONFIRM_URL = "admin:indicators_indicatorvalue_process_import"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def admin_client(client, scp_user):
    client.force_login(scp_user)
    return client


@pytest.fixture
def edited(spaser54, stored_values) -> bytes:
    sheet = Sheet(excel.values_workbook(spaser54))
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 13)
    sheet.set(stored_values[ValueType.AMOUNT].indicator.code, "2023", "2 500,50")
    return sheet.save()


def upload(client, data: bytes):
    return client.post(reverse(IMPORT_URL), {"import_file": SimpleUploadedFile("valeurs.xlsx", data)})


def confirm(client, preview, button="confirm"):
    html = preview.content.decode()
    start = html.index(f'<form action="{reverse(CONFIRM_URL)}"')
    return client.post(reverse(CONFIRM_URL), {**form_data(html[start:]), button: "1"})


def test_import_page_opens(admin_client):
    response = admin_client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert "SUPPRIMER" in text(response)


def test_changelist_offers_import_and_export(admin_client):
    page = text(admin_client.get(reverse("admin:indicators_indicatorvalue_changelist")))
    assert reverse(IMPORT_URL) in page and reverse("admin:indicators_indicatorvalue_export") in page


def test_admin_export_is_the_values_workbook(admin_client, spaser54, stored_values):
    response = admin_client.get(reverse("admin:indicators_indicatorvalue_export"))
    assert response.status_code == 200
    assert imports.values_import(file=response.content, user=None, dry_run=True).messages == []


def test_preview_then_confirm_writes_with_history(admin_client, scp_user, stored_values, edited):
    before = IndicatorValue.history.count()

    preview = upload(admin_client, edited)

    page = text(preview)
    assert preview.status_code == 200
    assert "<strong>1</strong> nouvelle(s) valeur(s)" in page
    assert "<strong>1</strong> valeur(s) modifiée(s)" in page
    assert f"<strong>{len(stored_values) - 1}</strong> valeur(s) inchangée(s)" in page
    assert "2\u00a0500,50 €" in page, re.findall(r"<td>[^<]*€</td>", page)
    assert "<td>2023</td>" in page  # a year, not "2 023"
    assert IndicatorValue.history.count() == before

    done = confirm(admin_client, preview)

    assert done.status_code == 302
    assert IndicatorValue.history.count() == before + 2
    assert {r.history_user for r in IndicatorValue.history.order_by("-history_id")[:2]} == {scp_user}
    assert IndicatorValue.objects.get(pk=stored_values[ValueType.COUNT].pk).value_number == 13
    follow = text(admin_client.get(done["Location"]))
    assert "Import terminé : 1 valeur(s) ajoutée(s), 1 modifiée(s)" in follow


def test_confirm_twice_does_not_import_twice(admin_client, stored_values, edited):
    preview = upload(admin_client, edited)
    confirm(admin_client, preview)
    count = IndicatorValue.history.count()

    again = confirm(admin_client, preview)

    assert again.status_code == 302
    assert IndicatorValue.history.count() == count
    assert "a expiré ou a déjà été confirmé" in text(admin_client.get(again["Location"]))


def test_abandon_writes_nothing(admin_client, stored_values, edited):
    before = IndicatorValue.history.count()
    preview = upload(admin_client, edited)

    confirm(admin_client, preview, button="cancel")

    assert IndicatorValue.history.count() == before


def test_confirm_after_the_year_was_validated_writes_nothing(admin_client, scp_user, stored_values, edited):
    preview = upload(admin_client, edited)
    fiche = stored_values[ValueType.AMOUNT].indicator.fiche
    validate_year(fiche, 2023, scp_user)
    before = (
        sorted(IndicatorValue.objects.values_list("pk", "value_number", "version")),
        IndicatorValue.history.count(),
    )

    response = confirm(admin_client, preview)

    assert response.status_code == 200
    page = text(response)
    assert "Import annulé" in page and f"l'année 2023 de la fiche n° {fiche.number} est validée" in page
    assert (
        sorted(IndicatorValue.objects.values_list("pk", "value_number", "version")),
        IndicatorValue.history.count(),
    ) == before


def test_row_errors_are_listed_with_row_and_column(admin_client, stored_values, spaser54):
    sheet = Sheet(excel.values_workbook(spaser54))
    row = sheet.set(stored_values[ValueType.PERCENTAGE].indicator.code, "2024", 140)

    page = text(upload(admin_client, sheet.save()))

    assert f"Ligne {row}, colonne « 2024 » : la valeur 140 est hors de l'intervalle 0-100" in page
    assert 'name="token"' not in page


@pytest.mark.parametrize("role", ["committee", "pilot"])
def test_only_scp_imports(client, role_users, role, edited):
    client.force_login(role_users[role])
    response = upload(client, edited)
    assert response.status_code in (302, 403)
    assert client.get(reverse(IMPORT_URL)).status_code in (302, 403)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:actions_fiche_changelist",
        "admin:actions_fiche_import",
        "admin:actions_fiche_export",
        "admin:indicators_indicator_import",
        "admin:indicators_indicator_export",
        "admin:indicators_indicatorvalue_changelist",
    ],
)
def test_admin_import_export_pages_open(admin_client, spaser54, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_fiche_changelist_links_to_both_workbooks(admin_client, spaser54):
    page = text(admin_client.get(reverse("admin:actions_fiche_changelist")))
    assert reverse("exports:plan_xlsx", args=[spaser54.slug]) in page
    assert reverse("exports:values_xlsx", args=[spaser54.slug]) in page


def test_without_a_plan_import_and_export_say_so(client, django_user_model):
    from actions.models import Plan

    Plan.objects.all().delete()  # a whole plan goes with its fiches (RESTRICT, not PROTECT)
    assert not Plan.objects.exists()
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    response = client.get(reverse("admin:indicators_indicatorvalue_export"))
    assert response.status_code == 302
    assert imports.values_import(file=b"x", user=None, dry_run=True).file_error.startswith("Aucun plan")
