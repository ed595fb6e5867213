"""The contracts register in the admin: the import of DECP files (upload, preview, confirm or abandon;
a non-DECP file refused next to its field, nothing written), the read-only register and import log,
the targets and references SCP edits (version check, history author), and who gets in."""

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.models import Indicator
from contracts import admin_views as contracts_admin_views
from contracts.enums import Category, Measure
from contracts.models import (
    Contract,
    DecpImport,
    LegalTarget,
    NationalReference,
    RegisterIndicator,
    Threshold,
)
from core import rights
from tests.contracts import files
from tests.contracts.files import (
    BUYER,
    ENV_CLAUSE,
    OTHER_BUYER,
    RESERVED,
    SECOND_BUYER,
    SOCIAL_CLAUSE,
    concession,
    marche,
    marche_2019,
    modification,
    write_2019,
    write_2022,
)
from tests.factories import UserFactory
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:contracts_contract_import"
CONFIRM_URL = "admin:contracts_contract_process_import"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture(autouse=True)
def _private_temp(tmp_path, monkeypatch):
    """Previews left unconfirmed by a test wait in its own temporary folder, removed with it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture
def plan(spaser54):
    files.add_buyer(spaser54, BUYER)
    return spaser54


@pytest.fixture
def scp(client, scp_user, plan) -> Client:
    client.force_login(scp_user)
    return client


def upload(tmp_path: Path, name: str, data: bytes | None = None, **write) -> SimpleUploadedFile:
    """An uploaded file: `data` as is, or a 2022 file written with `write` (marches=, concessions=)."""
    if data is None:
        data = write_2022(tmp_path / name, **write).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/json")


def preview(client, uploads, **fields):
    return client.post(reverse(IMPORT_URL), {"files": uploads, **fields})


def confirm(client, page, button="confirm"):
    html = page.content.decode()
    data = form_data(html, form_id="decp-confirm")
    return client.post(reverse(CONFIRM_URL), {**data, button: "1"})


def pending_folders() -> set[str]:
    return {p.name for p in contracts_admin_views._pending_root().iterdir()}


# --- preview then confirm --------------------------------------------------------------------------------


def test_the_changelist_offers_the_import(scp):
    page = text(scp.get(reverse("admin:contracts_contract_changelist")))
    assert reverse(IMPORT_URL) in page and "Importer des fichiers DECP" in page


def test_the_import_page_opens_with_the_current_plan_chosen(scp, plan):
    page = scp.get(reverse(IMPORT_URL))
    assert page.status_code == 200
    assert page.context["form"]["plan"].value() == plan.pk
    assert 'type="file" name="files"' in text(page) and "multiple" in text(page)


def test_preview_then_confirm_imports_with_history_and_log(scp, scp_user, tmp_path):
    first = upload(
        tmp_path,
        "decp-2025.json",
        marches=[
            marche("A-1", social=[SOCIAL_CLAUSE, RESERVED], environmental=[ENV_CLAUSE]),
            marche("A-2", notified="le 12 mars"),
            marche("A-5", amount="nombre", social=["NC"]),
            marche("X-1", buyer=OTHER_BUYER),
        ],
        concessions=[concession("A-3", value=1234567.8)],
    )
    second = SimpleUploadedFile(
        "decp-2019.json", write_2019(tmp_path / "old.json", [marche_2019("A-4")]).read_bytes()
    )
    before = database_state()

    page = preview(scp, [first, second])

    assert page.status_code == 200
    content = text(page)
    assert "Rien n'a encore été enregistré. 6 contrats lus, dont 5 des acheteurs retenus" in content
    assert "<strong>4</strong> nouveau(x) contrat(s)" in content
    assert "<strong>1</strong> contrat(s) ignoré(s) (non conformes)" in content
    assert "<td>A-2</td>" in content and "date illisible (dateNotification : « le 12 mars »)" in content
    # Kept, but listed with what was not understood, and counted by kind.
    assert "<strong>1</strong> contrat(s) gardé(s) mais à vérifier" in content
    assert "<td>A-5</td>" in content and "montant anormal (« nombre »)" in content
    assert "Valeur non reconnue « NC » (considérations sociales) : 1 contrat" in content
    assert "1\u00a0234\u00a0567,80 €" in content  # French grouping
    assert "« decp-2025.json », « decp-2019.json »" in content
    assert database_state() == before
    assert len(pending_folders()) >= 1

    done = confirm(scp, page)

    assert done.status_code == 302
    log = DecpImport.objects.get()
    assert done["Location"] == reverse("admin:contracts_decpimport_change", args=[log.pk])
    assert set(Contract.objects.values_list("contract_id", flat=True)) == {"A-1", "A-3", "A-4", "A-5"}
    assert {h.history_user for h in Contract.history.all()} == {scp_user}
    assert (log.user, log.new, log.files) == (scp_user, 4, ["decp-2025.json", "decp-2019.json"])
    assert Contract.objects.get(contract_id="A-4").source_file == "decp-2019.json"
    follow = text(scp.get(done["Location"]))
    assert "Import terminé : 6 contrats lus, 5 des acheteurs retenus : 4 nouveaux" in follow
    assert "<td>A-2</td>" in follow and "date illisible" in follow
    assert "<td>A-5</td>" in follow and "valeur non reconnue « NC » (considérations sociales)" in follow


def test_preview_lists_what_changes_on_each_contract(scp, tmp_path):
    call = {"published": "2025-03-20", "amount": 100000}
    confirm(scp, preview(scp, [upload(tmp_path, "v1.json", marches=[marche("A-1", **call)])]))
    later = marche(
        "A-1",
        published="2025-09-15",
        amount=100000,
        social=[SOCIAL_CLAUSE],
        modifications=[modification(1, amount=130000, published="2025-09-15")],
    )

    page = preview(scp, [upload(tmp_path, "v2.json", marches=[later, marche("A-2")])])

    content = text(page)
    assert "<strong>1</strong> contrat(s) modifié(s)" in content
    assert "<strong>1</strong> nouveau(x) contrat(s)" in content
    assert "Montant après modifications (€ HT) : 100\u00a0000,00 € → 130\u00a0000,00 €" in content
    assert "Date de publication des données : 20/03/2025 → 15/09/2025" in content
    assert "Clause sociale : Non → Oui" in content
    assert "Montant initial" not in content.split('class="decp-changed"')[1]


def test_importing_the_same_file_again_shows_it_unchanged(scp, tmp_path):
    data = write_2022(tmp_path / "decp.json", marches=[marche("A-1"), marche("A-2")]).read_bytes()
    confirm(scp, preview(scp, [upload(tmp_path, "decp.json", data)]))
    history = Contract.history.count()

    page = preview(scp, [upload(tmp_path, "decp.json", data)])

    content = text(page)
    assert "<strong>0</strong> nouveau(x) contrat(s)" in content
    assert "<strong>2</strong> contrat(s) inchangé(s)" in content
    assert "Aucun changement" in content
    confirm(scp, page)
    assert Contract.history.count() == history


def test_sirets_typed_replace_the_plans_buyers(scp, tmp_path):
    file = upload(tmp_path, "decp.json", marches=[marche("A-1"), marche("S-1", buyer=SECOND_BUYER)])

    page = preview(scp, [file], sirets=f" {SECOND_BUYER},\n{OTHER_BUYER} ")
    confirm(scp, page)

    assert list(Contract.objects.values_list("buyer_siret", flat=True)) == [SECOND_BUYER]
    assert DecpImport.objects.get().buyers == sorted([SECOND_BUYER, OTHER_BUYER])


def test_the_plan_chosen_gives_its_buyers(scp, tmp_path):
    other = files.other_plan_with_buyer(OTHER_BUYER)
    file = upload(tmp_path, "decp.json", marches=[marche("A-1"), marche("X-1", buyer=OTHER_BUYER)])

    confirm(scp, preview(scp, [file], plan=other.pk))

    assert list(Contract.objects.values_list("buyer_siret", flat=True)) == [OTHER_BUYER]


def test_abandon_writes_nothing_and_removes_the_files(scp, tmp_path):
    before_folders = pending_folders()
    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])
    before = database_state()

    response = confirm(scp, page, button="cancel")

    assert response.status_code == 302
    assert database_state() == before
    assert pending_folders() == before_folders
    assert "Import abandonné" in text(scp.get(response["Location"]))


def test_confirm_twice_imports_once(scp, tmp_path):
    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])
    confirm(scp, page)
    before = database_state()

    again = confirm(scp, page)

    assert again.status_code == 302 and again["Location"] == reverse(IMPORT_URL)
    assert database_state() == before
    assert "a expiré ou a déjà été confirmé" in text(scp.get(again["Location"]))


def test_the_uploaded_files_are_kept_privately_then_removed(scp, tmp_path, settings):
    before_folders = pending_folders()
    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])
    (token,) = pending_folders() - before_folders
    folder = contracts_admin_views._pending_root() / token
    assert folder.stat().st_mode & 0o777 == 0o700
    assert contracts_admin_views._pending_root().stat().st_mode & 0o077 == 0
    for served in (settings.MEDIA_ROOT, settings.STATIC_ROOT, settings.BASE_DIR):  # nothing served
        assert not served or not str(folder).startswith(str(served))

    confirm(scp, page)

    assert not folder.exists()


# --- refusals: shown next to the form, nothing written, never a 500 ----------------------------------


@pytest.mark.parametrize("name", list(files.NOT_DECP))
def test_a_non_decp_file_is_refused_next_to_the_field(scp, tmp_path, name):
    before = database_state()
    before_folders = pending_folders()

    page = preview(scp, [upload(tmp_path, name, files.NOT_DECP[name])])

    assert page.status_code == 200
    (message,) = page.context["form"].errors["files"]
    if files.NOT_DECP[name]:
        assert f"« {name} »" in message and message.endswith("Rien n'a été enregistré.")
    else:  # Django's own refusal of an empty upload
        assert message == "Le fichier soumis est vide."
    assert message in text(page)
    assert 'name="token"' not in text(page)  # no confirm button
    assert 'enctype="multipart/form-data"' in text(page)  # the form is shown again
    assert database_state() == before
    assert pending_folders() == before_folders


@pytest.mark.parametrize("name", ["json-sans-marches.json", "image.png", "json-invalide.json"])
def test_a_non_decp_second_file_refuses_both(scp, tmp_path, name):
    good = upload(tmp_path, "bon.json", marches=[marche("A-1")])
    bad = upload(tmp_path, name, files.NOT_DECP[name])
    before = database_state()

    page = preview(scp, [good, bad])

    (message,) = page.context["form"].errors["files"]
    assert f"« {name} »" in message and "bon.json" not in message
    assert database_state() == before


def test_no_file_and_no_buyer_are_refused(scp, spaser54, tmp_path):
    spaser54.buyers.all().delete()

    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])], plan=spaser54.pk)
    assert "Aucun acheteur" in page.context["form"].errors["plan"][0]

    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])], sirets="123 abc")
    assert page.context["form"].errors["sirets"] == ["SIRET invalide : 123, abc (14 chiffres attendus)."]

    page = scp.post(reverse(IMPORT_URL), {"sirets": BUYER})
    assert page.context["form"].errors["files"] == ["Ce champ est obligatoire."]
    assert not Contract.objects.exists()


def leftover_files(tmp_path) -> list[str]:
    """What the import left in the temporary folder: Django's upload files and our pending copies."""
    root = tmp_path / "tmp"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_an_upload_above_the_size_limit_is_refused_next_to_the_field(scp, plan, tmp_path, settings):
    """Django stops writing it at the limit (an upload handler): the message names the file and the
    command to use, what was typed is kept, nothing is written or left on disk."""
    settings.DECP_UPLOAD_MAX_MB = 1
    big = write_2022(
        tmp_path / "national.json", marches=[marche(f"N-{n}", objet="x" * 500) for n in range(2500)]
    )
    assert big.stat().st_size > 1024 * 1024
    before = database_state()

    # Sent in the form's order, as a browser does: the SIRET typed, then the file.
    page = scp.post(
        reverse(IMPORT_URL),
        {"sirets": BUYER, "files": [SimpleUploadedFile("national.json", big.read_bytes())]},
    )

    assert page.status_code == 200
    (message,) = page.context["form"].errors["files"]
    assert message.startswith(
        "« national.json » dépasse la taille maximale d'un import par l'administration (1 Mo)"
    )
    assert "manage.py decp_import" in message and message in text(page)
    assert page.context["form"]["sirets"].value() == BUYER  # typed before the file: kept
    assert database_state() == before
    assert leftover_files(tmp_path) == []


def test_a_deeply_nested_upload_is_refused_and_leaves_nothing(scp, tmp_path):
    nested = b'{"marches": {"marche": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}}"
    before = database_state()

    page = preview(scp, [SimpleUploadedFile("imbrique.json", nested)])

    assert page.status_code == 200
    (message,) = page.context["form"].errors["files"]
    assert "« imbrique.json » imbrique des listes ou des objets sur plus de 24 niveaux" in message
    assert database_state() == before
    assert leftover_files(tmp_path) == []


def test_the_upload_still_checks_the_csrf_token(plan, scp_user, tmp_path):
    """The size limit is set before the CSRF check reads the body (csrf_exempt outside, csrf_protect
    inside): the check itself is still made."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(scp_user)

    response = preview(client, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])

    assert response.status_code == 403
    assert not Contract.objects.exists()


def test_the_copies_are_removed_whatever_fails_during_the_preview(scp, tmp_path, monkeypatch):
    """Fault injection: an unexpected error while the files are read (a disk failing, a bug) still
    removes the uploaded copies before the error goes up."""

    def fail(*args, **kwargs):
        raise OSError("disque en panne")

    monkeypatch.setattr(contracts_admin_views.services, "decp_apply", fail)
    scp.raise_request_exception = False

    response = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])

    assert response.status_code == 500
    assert leftover_files(tmp_path) == []


def test_confirm_is_post_only(scp):
    assert scp.get(reverse(CONFIRM_URL)).status_code == 405


def test_a_forged_token_is_refused(scp, tmp_path):
    preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])])
    for token in ("../../etc", "0" * 32, ""):
        response = scp.post(reverse(CONFIRM_URL), {"token": token, "confirm": "1"})
        assert response.status_code == 302 and response["Location"] == reverse(IMPORT_URL)
    assert not Contract.objects.exists()


# --- who gets in -------------------------------------------------------------------------------------------


@pytest.fixture
def committee_staff(committee_user) -> User:
    """A comité member who was made staff: sees the register in the admin, imports nothing."""
    committee_user.is_staff = True
    committee_user.save()
    return committee_user


@pytest.mark.parametrize("role", ["anonymous", "pilot", "other_pilot", "committee"])
def test_only_scp_reaches_the_import(client, role_users, plan, tmp_path, role):
    user = role_users[role]
    if user:
        client.force_login(user)
    before = database_state()
    for response in (
        client.get(reverse(IMPORT_URL)),
        preview(client, [upload(tmp_path, "decp.json", marches=[marche("A-1")])]),
        client.post(reverse(CONFIRM_URL), {"token": "0" * 32, "confirm": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/" if role == "anonymous" else "/admin/login/")
    assert database_state() == before


def test_a_staff_committee_member_reads_the_register_but_cannot_import(
    client, committee_staff, plan, tmp_path
):
    Contract.objects.create(**_contract("A-1"))
    client.force_login(committee_staff)

    changelist = client.get(reverse("admin:contracts_contract_changelist"))
    assert changelist.status_code == 200 and reverse(IMPORT_URL) not in text(changelist)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    before = database_state()
    assert preview(client, [upload(tmp_path, "decp.json", marches=[marche("A-2")])]).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "0" * 32}).status_code == 403
    assert database_state() == before
    # View only: the targets SCP sets are read, not written.
    assert client.get(reverse("admin:contracts_legaltarget_changelist")).status_code == 200
    assert client.get(reverse("admin:contracts_legaltarget_add")).status_code == 403


# --- the register and the log, read-only ---------------------------------------------------------------


def _contract(contract_id: str, **values) -> dict:
    return {
        "uid": f"{BUYER}{contract_id}",
        "buyer_siret": BUYER,
        "contract_id": contract_id,
        "nature": "marche",
        "object": f"Objet du contrat {contract_id}",
        "notified_on": datetime.date(2025, 3, 12),
        "year": 2025,
        "initial_amount": Decimal("100000"),
        "current_amount": Decimal("100000"),
        "social": "aucune",
        "environmental": "aucune",
        "source_file": "decp.json",
        **values,
    }


def test_the_register_is_read_only_with_filters_search_and_history(
    scp, tmp_path, django_assert_max_num_queries
):
    path = write_2022(
        tmp_path / "decp.json",
        marches=[marche(f"A-{n}", social=[RESERVED] if n % 2 else None) for n in range(30)],
    )
    confirm(scp, preview(scp, [SimpleUploadedFile("decp.json", path.read_bytes())]))
    contract = Contract.objects.get(contract_id="A-1")
    url = reverse("admin:contracts_contract_changelist")

    with django_assert_max_num_queries(12):  # a page of rows and the filters' values, not a query per row
        response = scp.get(url)
    assert response.context["cl"].result_count == 30
    assert scp.get(url, {"reserved__exact": "1"}).context["cl"].result_count == 15
    assert scp.get(url, {"social__exact": "inconnue"}).context["cl"].result_count == 15
    assert scp.get(url, {"year": "2025", "nature__exact": "marche", "is_demo__exact": "0"}).status_code == 200
    assert scp.get(url, {"buyer_siret": BUYER}).context["cl"].result_count == 30
    assert scp.get(url, {"q": "A-1"}).context["cl"].result_count == 1
    assert scp.get(url, {"q": f"{BUYER}A-12"}).context["cl"].result_count == 1
    assert scp.get(url, {"q": "entretien des routes"}).context["cl"].result_count == 30
    assert "delete_selected" not in text(scp.get(url))
    change = scp.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert change.status_code == 200 and 'name="_save"' not in text(change)
    assert scp.get(reverse("admin:contracts_contract_add")).status_code == 403
    assert scp.get(reverse("admin:contracts_contract_delete", args=[contract.pk])).status_code == 403
    history = scp.get(reverse("admin:contracts_contract_history", args=[contract.pk]))
    assert history.status_code == 200 and "scp" in text(history)
    record = contract.history.get()
    past = reverse("admin:contracts_contract_simple_history", args=[contract.pk, record.history_id])
    assert scp.get(past).status_code == 200
    before = database_state()
    scp.post(reverse("admin:contracts_contract_change", args=[contract.pk]), {"object": "Changé"})
    assert database_state() == before and Contract.objects.get(pk=contract.pk).object != "Changé"


def test_the_import_log_lists_the_skipped_records(scp, tmp_path):
    path = write_2022(
        tmp_path / "decp.json", marches=[marche("A-1"), marche(""), marche("B-2", notified="2025-13-01")]
    )
    confirm(scp, preview(scp, [SimpleUploadedFile("decp.json", path.read_bytes())]))
    log = DecpImport.objects.get()

    page = text(scp.get(reverse("admin:contracts_decpimport_change", args=[log.pk])))

    assert "<td>(sans identifiant)</td>" in page and "identifiant (id) manquant" in page
    assert "<td>B-2</td>" in page and "date illisible (dateNotification : « 2025-13-01 »)" in page
    listing = scp.get(reverse("admin:contracts_decpimport_changelist"))
    assert listing.status_code == 200 and "decp.json" in text(listing)
    assert scp.get(reverse("admin:contracts_decpimport_add")).status_code == 403
    assert scp.get(reverse("admin:contracts_decpimport_delete", args=[log.pk])).status_code == 403


# --- what SCP sets -----------------------------------------------------------------------------------------


def test_scp_sets_a_target_with_version_check_and_author(scp, scp_user, plan):
    add = reverse("admin:contracts_legaltarget_add")
    data = form_data(scp.get(add).content.decode(), form_id="legaltarget_form")
    data.update(plan=[str(plan.pk)], category=[Category.SOCIAL], measure=[Measure.COUNT], share=["25"])

    assert scp.post(add, data).status_code == 302

    target = LegalTarget.objects.get()
    assert (target.share, target.version) == (Decimal("25.00"), 1)
    assert target.history.get().history_user == scp_user
    change = reverse("admin:contracts_legaltarget_change", args=[target.pk])
    first = form_data(scp.get(change).content.decode(), form_id="legaltarget_form")
    other = Client()
    other.force_login(scp_user)
    second = form_data(other.get(change).content.decode(), form_id="legaltarget_form")
    first["share"] = ["30"]
    assert scp.post(change, first).status_code == 302
    second["share"] = ["40"]
    refused = other.post(change, second)
    assert refused.status_code == 200 and "depuis que vous l'avez ouvert" in text(refused)
    target.refresh_from_db()
    assert (target.share, target.version) == (Decimal("30.00"), 2)
    assert [h.history_user for h in target.history.all()] == [scp_user, scp_user]


def test_scp_keeps_the_dated_thresholds_with_their_source(scp, scp_user, plan):
    """The European thresholds of 2028 added by SCP, with their source; one already set edited with the
    version check; a ceiling above what the register can store is refused in French."""
    add = reverse("admin:contracts_threshold_add")
    data = form_data(scp.get(add).content.decode(), form_id="threshold_form")
    data.update(
        kind=["fournitures_services"],
        amount=["219000"],
        valid_from=["01/01/2028"],
        source=["Règlement délégué de la Commission (seuils 2028-2029)"],
    )
    assert scp.post(add, data).status_code == 302
    threshold = Threshold.objects.get(valid_from=datetime.date(2028, 1, 1))
    assert threshold.history.get().history_user == scp_user
    ceiling = Threshold.objects.get(kind="plafond")
    change = reverse("admin:contracts_threshold_change", args=[ceiling.pk])
    first = form_data(scp.get(change).content.decode(), form_id="threshold_form")
    stale = dict(first)
    first["amount"] = ["500000000"]
    assert scp.post(change, first).status_code == 302
    stale["amount"] = ["2000000000"]
    refused = scp.post(change, stale)
    assert refused.status_code == 200 and "depuis que vous l'avez ouvert" in text(refused)
    again = form_data(scp.get(change).content.decode(), form_id="threshold_form")
    again["amount"] = ["1000000000000"]
    page = scp.post(change, again)
    assert page.status_code == 200 and "pas plus de 12 chiffres avant la virgule" in text(page)
    ceiling.refresh_from_db()
    assert ceiling.amount == Decimal("500000000.00")


def test_scp_adds_a_national_reference_and_links_an_indicator(scp, scp_user, plan):
    add = reverse("admin:contracts_nationalreference_add")
    data = form_data(scp.get(add).content.decode(), form_id="nationalreference_form")
    data.update(
        category=[Category.SOCIAL],
        measure=[Measure.COUNT],
        year=["2023"],
        share=["18.7"],
        source=["OECP, recensement économique de la commande publique 2023"],
    )
    assert scp.post(add, data).status_code == 302
    assert NationalReference.objects.get().history.get().history_user == scp_user

    indicator = Indicator.objects.of_plan(plan).get(code="11-R1")
    add = reverse("admin:contracts_registerindicator_add")
    data = form_data(scp.get(add).content.decode(), form_id="registerindicator_form")
    data.update(indicator=[str(indicator.pk)], category=[Category.SOCIAL], measure=[Measure.COUNT])
    assert scp.post(add, data).status_code == 302
    link = RegisterIndicator.objects.get()
    assert link.indicator == indicator and link.history.get().history_user == scp_user
    assert scp.get(reverse("admin:contracts_registerindicator_changelist")).status_code == 200


def test_the_comite_group_reads_the_register_only(plan):
    """Model permissions as the groups get them (core.rights.sync_role_permissions)."""
    committee = UserFactory(role=rights.COMMITTEE_GROUP)
    scp = UserFactory(role=rights.SCP_GROUP)
    for model in ("contract", "decpimport", "legaltarget", "nationalreference", "registerindicator"):
        assert committee.has_perm(f"contracts.view_{model}")
        assert not committee.has_perm(f"contracts.change_{model}")
        assert scp.has_perm(f"contracts.change_{model}")
