"""Bad files: each gets a clear French message, never a 500, and nothing is written."""

import io
import random
import re
import secrets
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook

from actions.models import Fiche
from indicators import excel, imports
from indicators.enums import ValueType
from indicators.models import IndicatorValue

from .conftest import Sheet


def nothing_written():
    return IndicatorValue.objects.count(), IndicatorValue.history.count(), Fiche.history.count()


def _encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("mot-de-passe", out)
    return out.getvalue()


def _huge(_: bytes) -> bytes:
    """A real xlsx over 5 MB: cells of random text, which zip cannot shrink much."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Valeurs")
    for _ in range(250):
        sheet.append([secrets.token_urlsafe(24_000)])
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) > excel.MAX_FILE_BYTES
    return out.getvalue()


def _too_many_rows(_: bytes) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Valeurs")
    sheet.append(list(imports.FIXED_HEADERS) + ["2021"])
    for n in range(excel.MAX_ROWS + 1):
        sheet.append(["F01", 1, f"1-R{n}", "", "", "", "", 1])
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < excel.MAX_FILE_BYTES
    return out.getvalue()


def _formula_without_cache(data: bytes) -> bytes:
    sheet = Sheet(data)
    sheet.sheet.cell(2, sheet.headers.index("2024") + 1).value = "=6*2"
    return sheet.save()


def _without_values_sheet(data: bytes) -> bytes:
    sheet = Sheet(data)
    sheet.sheet.title = "Feuil1"
    return sheet.save()


def _not_a_workbook_zip(_: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("document.txt", "pas un classeur")
    return out.getvalue()


BAD_FILES = {
    "empty": (lambda data: b"", "Le fichier est vide."),
    "truncated": (lambda data: data[: len(data) // 2], "tronqué ou endommagé"),
    "random bytes": (lambda data: random.Random(54).randbytes(4096), "n'est pas un classeur Excel"),
    "csv text": (lambda data: "Code fiche;N° fiche\nF01;1\n".encode(), "n'est pas un classeur Excel"),
    "zip but not xlsx": (_not_a_workbook_zip, "n'est pas un classeur Excel"),
    "password-protected": (_encrypted, "protégé par mot de passe"),
    "huge": (_huge, "trop volumineux"),
    "too many rows": (_too_many_rows, "trop de lignes"),
    "formula without cached value": (_formula_without_cache, "formule sans valeur calculée"),
    "no Valeurs sheet": (_without_values_sheet, "La feuille « Valeurs » est absente"),
}


@pytest.fixture
def good_file(spaser54, stored_values) -> bytes:
    """A valid export with one change, so a bad variant that slipped through would write something."""
    sheet = Sheet(excel.values_workbook(spaser54))
    sheet.set(stored_values[ValueType.COUNT].indicator.code, "2022", 99)
    return sheet.save()


@pytest.mark.parametrize("kind", BAD_FILES)
def test_service_refuses_bad_file(kind, scp_user, good_file):
    make, expected = BAD_FILES[kind]
    bad = make(good_file)
    before = nothing_written()

    for dry_run in (True, False):
        result = imports.values_import(file=bad, user=scp_user, dry_run=dry_run)
        assert result.has_errors and not result.written
        assert expected in result.file_error

    assert nothing_written() == before


@pytest.mark.parametrize("kind", BAD_FILES)
def test_admin_values_import_shows_the_message(kind, client, scp_user, good_file):
    make, expected = BAD_FILES[kind]
    client.force_login(scp_user)
    before = nothing_written()

    response = client.post(
        reverse("admin:indicators_indicatorvalue_import"),
        {"import_file": SimpleUploadedFile("valeurs.xlsx", make(good_file))},
    )

    assert response.status_code == 200
    content = response.content.decode()
    if kind == "empty":  # Django's own FileField refuses an empty upload, in French
        assert "Le fichier soumis est vide." in content
    else:
        assert expected in content.replace("&#x27;", "'")
        assert "Rien n'a été enregistré" in content.replace("&#x27;", "'")
    assert 'name="token"' not in content  # no confirm button
    assert nothing_written() == before


@pytest.mark.parametrize(
    "kind", ["truncated", "random bytes", "password-protected", "formula without cached value"]
)
def test_admin_fiche_import_refuses_bad_file_without_error_page(kind, client, scp_user, spaser54):
    make, expected = BAD_FILES[kind]
    plan_file = excel.plan_workbook(spaser54)
    if kind == "formula without cached value":
        sheet = Sheet(plan_file, "Fiches")
        sheet.sheet["C2"] = "=1+1"
        plan_file = sheet.save()
        bad = plan_file
    else:
        bad = make(plan_file)
    client.force_login(scp_user)
    before = nothing_written()

    response = client.post(
        reverse("admin:actions_fiche_import"),
        {"import_file": SimpleUploadedFile("plan.xlsx", bad), "format": "0"},
    )

    assert response.status_code == 200
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert nothing_written() == before


def test_formula_with_a_cached_value_is_imported(spaser54, scp_user, stored_values):
    """A workbook saved by Excel carries each formula's result: that result is what is imported."""
    sheet = Sheet(excel.values_workbook(spaser54))
    code = stored_values[ValueType.COUNT].indicator.code
    sheet.set(code, "2024", "=6*2")
    data = sheet.save()
    # Add the cached result Excel would have written next to the formula.
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<f>6\*2</f><v\s*/?>(</v>)?", b"<f>6*2</f><v>12</v>", content)
            target.writestr(item, content)

    result = imports.values_import(file=out.getvalue(), user=scp_user, dry_run=False)

    assert result.messages == []
    assert (
        IndicatorValue.objects.get(
            indicator__code=code, indicator__fiche__plan=spaser54, year=2024
        ).value_number
        == 12
    )
