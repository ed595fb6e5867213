"""The plan workbook (actions.excel.plan_workbook): what it holds, its download, and its two importable
sheets read back through django-import-export in the admin ("Fiches" and "Indicateurs").

Export, edit, preview, confirm, as SCP staff do it in the browser; all or nothing, with history.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import Complexity, Duration
from actions.excel.plan_workbook import FicheResource, IndicatorResource, IndicatorsXLSX, plan_workbook
from actions.models import Fiche, Indicator, Pack
from core.excel import files
from tests.utils import form_data
from tests.workbooks import Sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, scp_user):
    client.force_login(scp_user)
    return client


@pytest.fixture
def plan_file(spaser54) -> bytes:
    return plan_workbook(spaser54)


# --- what the workbook holds ------------------------------------------------------------------------


def test_plan_workbook_has_one_sheet_per_kind_with_french_headers(spaser54, plan_file):
    book = load_workbook(io.BytesIO(plan_file))
    assert book.sheetnames == ["Fiches", "Pilotes", "Jalons", "Indicateurs"]
    assert book.active.title == "Fiches"
    fiches = list(book["Fiches"].iter_rows(values_only=True))
    assert fiches[0][:3] == ("Plan", "N° fiche", "Action")
    # A fiche's progress is stated in its annual reviews, not in the plan (values workbook, "Avancement").
    assert "État d'avancement" not in fiches[0]
    assert len(fiches) == 1 + 21
    fiche11 = dict(zip(fiches[0], fiches[11], strict=True))
    assert fiche11["N° fiche"] == 11 and fiche11["Objectif"] and fiche11["Complexité"]
    assert fiche11["Pilotes"] == " ; ".join(
        p.label for p in Fiche.objects.get(plan=spaser54, number=11).ordered_pilots()
    )
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


def test_download_query_budget(client, committee_user, spaser54, django_assert_max_num_queries):
    client.force_login(committee_user)
    # Session, user, rights, plan, then a fixed number of queries per sheet (no N+1 over fiches).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("actions:plan_xlsx", args=[spaser54.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == files.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="spaser54-2021-2026-plan-')
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Fiches"


def test_export_of_unknown_plan_is_404(client, scp_user):
    client.force_login(scp_user)
    assert client.get(reverse("actions:plan_xlsx", args=["inconnu"])).status_code == 404


def test_fiche_changelist_links_to_both_workbooks(admin_client, spaser54):
    page = admin_client.get(reverse("admin:actions_fiche_changelist")).content.decode()
    assert reverse("actions:plan_xlsx", args=[spaser54.slug]) in page
    assert reverse("indicators:values_xlsx", args=[spaser54.slug]) in page


# --- the "Fiches" sheet imported in the admin ------------------------------------------------------


def fiches_state():
    return (
        sorted(
            Fiche.objects.values_list(
                "number", "title", "complexity", "duration", "is_flagship", "version", "pack_id"
            )
        ),
        sorted(Fiche.principles.through.objects.values_list("fiche__number", "principle__code")),
        Fiche.history.count(),
    )


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


def test_export_then_import_unchanged_changes_nothing(admin_client, plan_file):
    before = fiches_state()

    response = preview(admin_client, plan_file)

    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == 21 and result.totals["update"] == 0 and result.totals["new"] == 0
    confirm(admin_client, response)
    assert fiches_state() == before


def test_edit_three_cells_updates_exactly_those_fiches_with_history(admin_client, scp_user, plan_file):
    sheet = Sheet(plan_file, "Fiches")
    sheet.set(3, "Durée", "Rapide")
    sheet.set(7, "Complexité", "Complexe")
    sheet.set(12, "Action", "=Nouvel intitulé commençant par un signe égal")
    before_history = Fiche.history.count()
    untouched_before = {
        f.number: (f.title, f.duration, f.complexity, f.version)
        for f in Fiche.objects.exclude(number__in=[3, 7, 12])
    }

    response = preview(admin_client, sheet.save())
    result = response.context["result"]
    assert (result.totals["update"], result.totals["skip"]) == (3, 18)
    assert Fiche.history.count() == before_history  # the preview wrote nothing
    done = confirm(admin_client, response)

    assert done.status_code == 302
    assert Fiche.objects.get(number=3).duration == Duration.RAPID
    assert Fiche.objects.get(number=7).complexity == Complexity.COMPLEX
    assert Fiche.objects.get(number=12).title == "=Nouvel intitulé commençant par un signe égal"
    assert {f.number: f.version for f in Fiche.objects.filter(number__in=[3, 7, 12])} == {3: 2, 7: 2, 12: 2}
    new_records = Fiche.history.order_by("-history_id")[:3]
    assert Fiche.history.count() == before_history + 3
    assert {r.number for r in new_records} == {3, 7, 12}
    assert all(r.history_user == scp_user for r in new_records)
    assert {
        f.number: (f.title, f.duration, f.complexity, f.version)
        for f in Fiche.objects.exclude(number__in=[3, 7, 12])
    } == untouched_before


def test_invalid_cell_is_reported_in_french_and_nothing_is_written(admin_client, plan_file):
    sheet = Sheet(plan_file, "Fiches")
    sheet.set(3, "Durée", "Rapide")  # valid, must not be written either
    sheet.set(8, "Complexité", "Très dur")
    before = fiches_state()

    response = preview(admin_client, sheet.save())

    html = response.content.decode().replace("&#x27;", "'")
    assert "« Très dur » n'est pas un choix possible" in html
    assert "process_import" not in html  # no confirm button
    assert fiches_state() == before


def test_french_labels_and_codes_both_accepted():
    widget = FicheResource().fields["complexity"].widget
    assert (
        widget.clean("moyennement simple")
        == widget.clean("moyennement_simple")
        == Complexity.MODERATELY_SIMPLE
    )


@pytest.mark.parametrize("word, flagship", [("Oui", True), ("vrai", True), ("o", True), ("non", False)])
def test_flagship_reads_the_same_yes_no_words_as_everywhere(admin_client, plan_file, word, flagship):
    sheet = Sheet(plan_file, "Fiches")
    sheet.set(4, "Action phare", word)

    confirm(admin_client, preview(admin_client, sheet.save()))

    assert Fiche.objects.get(number=4).is_flagship is flagship


def test_confirm_is_all_or_nothing_when_data_changed_since_preview(admin_client, spaser54, plan_file):
    """Between preview and confirm the pack is renamed: the confirm must not write the other rows."""
    sheet = Sheet(plan_file, "Fiches")
    sheet.set(3, "Durée", "Rapide")
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


# --- the "Indicateurs" sheet ------------------------------------------------------------------------


def _import_indicators(data: bytes, *, dry_run: bool):
    dataset = IndicatorsXLSX().create_dataset(data)
    return IndicatorResource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )


def test_indicators_export_then_import_unchanged_skips_every_row(spaser54, plan_file):
    before = Indicator.history.count()
    result = _import_indicators(plan_file, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == Indicator.objects.of_plan(spaser54).count()
    assert Indicator.history.count() == before


def test_french_target_is_read_right_and_a_bad_one_writes_nothing(spaser54, plan_file):
    sheet = Sheet(plan_file, "Indicateurs")
    first, second = Indicator.objects.of_plan(spaser54).in_plan_order()[:2]
    sheet.set(first.code, "Cible", "1 803,60")
    result = _import_indicators(sheet.save(), dry_run=False)
    assert not result.has_validation_errors()
    first.refresh_from_db()
    assert first.target_value == Decimal("1803.60")

    sheet.set(first.code, "Cible", "2.000,5")  # dots between thousands, decimal comma: read as 2000.5
    sheet.set(second.code, "Cible", "beaucoup")
    before = Indicator.history.count()
    result = _import_indicators(sheet.save(), dry_run=False)
    assert result.has_validation_errors()
    assert "n'est pas un nombre" in str(result.invalid_rows[0].error_dict)
    first.refresh_from_db()
    assert first.target_value == Decimal("1803.60") and Indicator.history.count() == before

    sheet.set(second.code, "Cible", None)
    assert not _import_indicators(sheet.save(), dry_run=False).has_validation_errors()
    first.refresh_from_db()
    assert first.target_value == Decimal("2000.5")
