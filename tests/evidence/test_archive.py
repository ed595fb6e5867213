"""The audit archive of a plan's year (evidence.archive, evidence.jobs): SCP's zip of every current
evidence file with its manifest, built by a background job; it opens in the usual tools, its manifest
validates against the committed Table Schema, and every checksum matches its file."""

import csv
import glob
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from actions.models import Fiche
from core import rights, values
from core.excel.files import neutralise, unneutralise
from evidence.archive import MANIFEST, MANIFEST_SCHEMA, manifest_schema, safe_member_name
from jobs.models import Job
from tests.conftest import SPASER54
from tests.factories import (
    EvidenceFactory,
    FicheFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    PlanFactory,
    user_in_role,
)
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db


def _content(label: str) -> bytes:
    return b"%PDF-1.4\n" + label.encode() * 50 + b"\n%%EOF\n"


@pytest.fixture
def fiche11(spaser54) -> Fiche:
    return Fiche.objects.get(plan=spaser54, number=11)


@pytest.fixture
def year_evidence(fiche11, spaser54):
    """2025's evidence of fiches 11 and 5: files (two of the same name, hostile and accented names),
    a link, a CSV; and what the archive leaves out: a removed file, another year's, another plan's."""
    author = user_in_role(rights.PILOTS_GROUP, first_name="Jeanne", last_name="Pilote", pilot_of=fiche11)
    indicator = fiche11.indicators.order_by("position").first()
    IndicatorValueFactory(indicator=indicator, year=2025, value_number=Decimal(17))
    milestone = MilestoneFactory(fiche=fiche11, text="Charte adoptée")
    fiche5 = Fiche.objects.get(plan=spaser54, number=5)
    items = [
        EvidenceFactory(indicator=indicator, title="Convention", file_name="convention.pdf", added_by=author,
                        content=_content("a")),
        EvidenceFactory(fiche=fiche11, title="Convention (2e)", file_name="Convention.pdf",
                        content=_content("b")),
        EvidenceFactory(fiche=fiche11, title="Chemin", file_name="../../x.pdf", content=_content("c")),
        EvidenceFactory(fiche=fiche11, title="Script", file_name="<script>.pdf", content=_content("d")),
        EvidenceFactory(milestone=milestone, title="=Délibération", file_name="Délibération été.pdf",
                        content=_content("e")),
        EvidenceFactory(fiche=fiche11, title="Suivi en ligne", link=True, url="https://example.org/suivi"),
        EvidenceFactory(fiche=fiche5, title="Tableau", file_name="suivi.csv", content_type="text/csv",
                        content=b"annee;valeur\n2025;17\n" * 100),
    ]  # fmt: skip
    EvidenceFactory(fiche=fiche11, title="Retirée", removed_at=timezone.now())
    EvidenceFactory(fiche=fiche11, year=2024, title="Autre année")
    EvidenceFactory(fiche=FicheFactory(objective__axis__plan=PlanFactory()), title="Autre plan")
    return items


def _archive(client, user, year=2025) -> bytes:
    client.force_login(user)
    response = get_through_job(client, reverse("reporting:evidence_archive", args=[SPASER54, year]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{SPASER54}-preuves-{year}.zip"' in response["Content-Disposition"]
    return response.content


def _manifest(archive: zipfile.ZipFile) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(MANIFEST).decode("utf-8"), newline="")))


def test_the_archive_holds_every_current_file_with_its_manifest(client, scp_user, year_evidence, tmp_path):
    data = _archive(client, scp_user)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    rows = _manifest(archive)
    # Fiche 5 first; a title a spreadsheet would run as a formula is neutralised ("'=Délibération").
    assert [r["titre"] for r in rows] == ["Tableau"] + [neutralise(e.title) for e in year_evidence[:6]]
    by_title = {unneutralise(r["titre"]): r for r in rows}
    members = [r["fichier"] for r in rows if r["fichier"]]
    assert members == [
        "fiche-05/suivi.csv",
        "fiche-11/convention.pdf",
        "fiche-11/Convention (2).pdf",  # the same name but for case: unique on every file system
        "fiche-11/x.pdf",
        "fiche-11/script.pdf",
        "fiche-11/Deliberation ete.pdf",
    ]
    assert sorted(archive.namelist()) == sorted([*members, MANIFEST, MANIFEST_SCHEMA])
    for item in year_evidence:
        row = by_title[item.title]
        if item.kind == "link":
            assert (row["nature"], row["fichier"], row["lien"], row["sha256"]) == ("lien", "", item.url, "")
            continue
        content = archive.read(row["fichier"])
        with default_storage.open(item.file.name, "rb") as stored:
            assert content == stored.read()
        assert row["sha256"] == hashlib.sha256(content).hexdigest() == item.sha256
        assert row["empreinte_conforme"] == "true" and row["taille_octets"] == str(len(content))
    first = by_title["Convention"]
    indicator = year_evidence[0].indicator
    assert (first["indicateur"], first["auteur"]) == (indicator.code, "Jeanne Pilote")
    assert first["valeur"] == values.format_value(indicator, Decimal(17))  # as the bilan writes it
    assert first["annee"] == "2025" and first["fiche"] == "11" and first["date_du_document"] == "2025-06-30"
    assert by_title["=Délibération"]["jalon"] == "Charte adoptée"
    # Files already compressed are stored as they are; text is deflated.
    assert archive.getinfo("fiche-11/convention.pdf").compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("fiche-05/suivi.csv").compress_type == zipfile.ZIP_DEFLATED

    path = tmp_path / "preuves.zip"
    path.write_bytes(data)
    if shutil.which("unzip"):
        tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
        assert tested.returncode == 0 and "No errors detected" in tested.stdout, tested.stdout


def test_the_manifest_validates_against_its_committed_table_schema(client, scp_user, year_evidence, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(_archive(client, scp_user)))
    (tmp_path / MANIFEST).write_bytes(archive.read(MANIFEST))
    descriptor = manifest_schema()
    assert archive.read(MANIFEST_SCHEMA) == Path("evidence/schemas/manifest.json").read_bytes()
    header = next(csv.reader(io.StringIO(archive.read(MANIFEST).decode(), newline="")))
    assert header == [f["name"] for f in descriptor["fields"]]
    resource = frictionless.Resource(
        path=MANIFEST,
        basepath=str(tmp_path),
        schema=frictionless.Schema.from_descriptor(descriptor),
        encoding="utf-8",
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.tasks[0].stats["rows"] == 7


def test_a_file_missing_or_changed_in_the_storage_is_said_in_the_manifest(client, scp_user, year_evidence):
    missing, changed = year_evidence[1], year_evidence[2]
    default_storage.delete(missing.file.name)
    with default_storage.open(changed.file.name, "wb") as out:
        out.write(b"autre contenu")
    client.force_login(scp_user)
    url = reverse("reporting:evidence_archive", args=[SPASER54, 2025])
    archive = zipfile.ZipFile(io.BytesIO(_archive(client, scp_user)))
    rows = {r["titre"]: r for r in _manifest(archive)}
    gone = rows[missing.title]
    assert (gone["fichier"], gone["sha256"], gone["empreinte_conforme"]) == ("", "", "false")
    assert gone["remarque"] == "fichier introuvable dans le stockage : il n'est pas dans l'archive."
    altered = rows[changed.title]
    assert altered["sha256"] == hashlib.sha256(b"autre contenu").hexdigest() != changed.sha256
    assert altered["empreinte_conforme"] == "false" and "diffère" in altered["remarque"]
    job = Job.objects.get(kind="evidence.archive")
    assert job.message == (
        "Archive des preuves 2025 : 5 fichiers, 1 lien et le manifeste (manifeste.csv). 1 fichier "
        "introuvable dans le stockage : voir la colonne « remarque » du manifeste."
    )
    assert client.get(url).status_code == 302  # the page offers the finished archive again


def test_a_year_without_evidence_gives_a_manifest_alone(client, scp_user, spaser54):
    archive = zipfile.ZipFile(io.BytesIO(_archive(client, scp_user, year=2022)))
    assert sorted(archive.namelist()) == [MANIFEST, MANIFEST_SCHEMA]
    assert _manifest(archive) == []


def test_only_scp_starts_or_downloads_the_archive(client, committee_user, pilot11, scp_user, year_evidence):
    url = reverse("reporting:evidence_archive", args=[SPASER54, 2025])
    for user in (committee_user, pilot11):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
        assert "réservée au service commande publique" in response.content.decode()
    assert not Job.objects.exists()
    _archive(client, scp_user)
    job = Job.objects.get()
    job.requested_by.add(committee_user)  # even one who joined the job: the work's right is asked again
    client.force_login(committee_user)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 403


def test_the_bilan_page_offers_the_archive_to_scp_only(client, scp_user, committee_user, spaser54):
    url = reverse("reporting:evidence_archive", args=[SPASER54, 2025])
    client.force_login(scp_user)
    assert url in client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    client.force_login(committee_user)
    assert url not in client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()


def test_the_temporary_zip_is_removed_once_stored(client, scp_user, year_evidence):
    pattern = os.path.join(tempfile.gettempdir(), "spaser-preuves-*.zip")
    before = set(glob.glob(pattern))
    _archive(client, scp_user)
    assert set(glob.glob(pattern)) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.pdf", ("x", ".pdf")),
        ("..\\..\\win.PDF", ("win", ".pdf")),
        ("<script>alert(1)</script>.pdf", ("script", ".pdf")),  # after the last folder separator
        ("<rapport>.pdf", ("rapport", ".pdf")),
        ("a<b>c:d*e?.pdf", ("a_b_c_d_e", ".pdf")),
        ("Délibération été.pdf", ("Deliberation ete", ".pdf")),
        ("CON.pdf", ("_CON", ".pdf")),
        ("....", ("preuve", "")),
        (".bashrc", ("bashrc", "")),
        ("a" * 300 + ".docx", ("a" * 80, ".docx")),
        ("rapport.p|df", ("rapport", ".pdf")),
    ],
)
def test_member_names_are_safe(name, expected):
    assert safe_member_name(name) == expected


def test_a_big_archive_is_sent_by_chunks(client, scp_user, year_evidence, monkeypatch):
    """Over the threshold (16 MB; lowered here), the job's result is streamed, never read whole."""
    from www.jobs import views

    small = _archive(client, scp_user)
    monkeypatch.setattr(views, "STREAM_OVER", 1024)
    response = client.get(reverse("jobs:download", args=[Job.objects.get().pk]))
    assert response.streaming and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store" and response["Content-Length"] == str(len(small))
    assert f'filename="{SPASER54}-preuves-2025.zip"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == small
    response.close()
