"""The DECP import pages of the admin (contracts.admin_views): upload, preview, confirm or abandon; a
non-DECP file refused next to its field, nothing written; the uploads kept privately, then removed;
and who gets in."""

import tempfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contracts import admin_views as contracts_admin_views
from contracts.models import Contract, DecpImport
from jobs.models import Job
from tests.contracts import files
from tests.contracts.admin_import import (
    CONFIRM_URL,
    IMPORT_URL,
    confirm,
    contract_values,
    pending_folders,
    preview,
    text,
    upload,
)
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
from tests.utils import database_state

pytestmark = pytest.mark.django_db


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
    log, job = DecpImport.objects.get(), Job.objects.get()
    assert done["Location"] == reverse("jobs:detail", args=[job.pk])  # the import ran as a job
    job_page = text(scp.get(done["Location"]))
    assert "Import terminé : 6 contrats lus, 5 des acheteurs retenus : 4 nouveaux" in job_page
    log_url = reverse("admin:contracts_decpimport_change", args=[log.pk])
    assert f'href="{log_url}"' in job_page
    assert set(Contract.objects.values_list("contract_id", flat=True)) == {"A-1", "A-3", "A-4", "A-5"}
    assert {h.history_user for h in Contract.history.all()} == {scp_user}
    assert (log.user, log.new, log.files) == (scp_user, 4, ["decp-2025.json", "decp-2019.json"])
    assert Contract.objects.get(contract_id="A-4").source_file == "decp-2019.json"
    follow = text(scp.get(log_url))  # the log: what was skipped or doubtful, and why
    assert "<td>A-2</td>" in follow and "date illisible" in follow
    assert "<td>A-5</td>" in follow and "valeur non reconnue « NC » (considérations sociales)" in follow


def test_preview_lists_what_changes_on_eachcontract_values(scp, tmp_path):
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
    Contract.objects.create(**contract_values("A-1"))
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
