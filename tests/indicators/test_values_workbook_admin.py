"""The values workbook in the admin: upload, preview (dry run), confirm or abandon; a bad file is refused
with its French message. Only SCP gets in (tests/security/test_url_permissions.py)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.enums import ValueType
from actions.models import Fiche, Plan
from indicators import values_workbook as imports
from indicators.models import IndicatorValue
from indicators.rules import locked_message
from tests.factories import UserFactory
from tests.indicators.conftest import validated_year
from tests.utils import form_data
from tests.workbooks import BAD_FILES, Sheet

pytestmark = pytest.mark.django_db

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
    sheet = Sheet(imports.values_workbook(spaser54))
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
    validated_year(fiche, 2023, scp_user)
    before = (
        sorted(IndicatorValue.objects.values_list("pk", "value_number", "version")),
        IndicatorValue.history.count(),
    )

    response = confirm(admin_client, preview)

    assert response.status_code == 200
    page = text(response)
    assert "Import annulé" in page and locked_message(fiche, 2023) in page
    assert (
        sorted(IndicatorValue.objects.values_list("pk", "value_number", "version")),
        IndicatorValue.history.count(),
    ) == before


def test_row_errors_are_listed_with_row_and_column(admin_client, stored_values, spaser54):
    sheet = Sheet(imports.values_workbook(spaser54))
    row = sheet.set(stored_values[ValueType.PERCENTAGE].indicator.code, "2024", 140)

    page = text(upload(admin_client, sheet.save()))

    assert f"Ligne {row}, colonne « 2024 » : Un pourcentage est compris entre 0 et 100." in page
    assert 'name="token"' not in page


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_shows_its_message(kind, admin_client, spaser54, stored_values):
    make, expected = BAD_FILES[kind]
    sheet = Sheet(imports.values_workbook(spaser54))
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)
    before = IndicatorValue.objects.count(), IndicatorValue.history.count(), Fiche.history.count()

    response = upload(admin_client, make(sheet.save()))

    assert response.status_code == 200
    content = text(response)
    if kind == "empty":  # Django's own FileField refuses an empty upload, in French
        assert "Le fichier soumis est vide." in content
    else:
        assert expected in content and "Rien n'a été enregistré" in content
    assert 'name="token"' not in content  # no confirm button
    assert (IndicatorValue.objects.count(), IndicatorValue.history.count(), Fiche.history.count()) == before


def test_without_a_plan_import_and_export_say_so(client, db):
    Plan.objects.all().delete()  # a whole plan goes with its fiches (RESTRICT, not PROTECT)
    assert not Plan.objects.exists()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:indicators_indicatorvalue_export"), follow=True)
    assert response.redirect_chain[0][0] == reverse("admin:indicators_indicatorvalue_changelist")
    assert "Aucun plan n&#x27;est chargé : il n&#x27;y a rien à exporter." in response.content.decode()
    assert imports.values_import(file=b"x", user=None, dry_run=True).file_error.startswith("Aucun plan")
