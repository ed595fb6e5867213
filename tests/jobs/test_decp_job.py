"""A DECP import confirmed in the admin runs as a job: the files go through the storage API, the
worker reads them there, the import is all or nothing, and the job's page gives the outcome."""

import tempfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, DecpImport
from jobs.enums import JobStatus
from jobs.models import Job
from jobs.services import job_start
from tests.contracts import files
from tests.contracts.admin_import import CONFIRM_URL, preview, text, upload
from tests.contracts.files import BUYER, marche
from tests.jobs.conftest import run_on_commit
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_temp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture
def scp(client, scp_user, spaser54):
    files.add_buyer(spaser54, BUYER)
    client.force_login(scp_user)
    return client


def confirm_later(scp, tmp_path):
    """Preview two contracts, confirm; returns the response and the job's queued callbacks."""
    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1"), marche("A-2")])])
    data = form_data(page.content.decode(), form_id="decp-confirm")
    with run_on_commit() as queued:
        response = scp.post(reverse(CONFIRM_URL), {**data, "confirm": "1"})
    return response, queued


def test_the_confirmed_import_is_stored_then_imported_by_the_job(scp, tmp_path, media):
    response, queued = confirm_later(scp, tmp_path)

    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    (stored,) = job.params["files"]
    assert default_storage.exists(stored) and not Contract.objects.exists()  # waiting for the worker
    assert "Import DECP : « decp.json »" in text(scp.get(response["Location"]))

    for callback in queued:
        callback()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.message.startswith("Import terminé : 2 contrats lus")
    assert set(Contract.objects.values_list("contract_id", flat=True)) == {"A-1", "A-2"}
    assert job.link == reverse("admin:contracts_decpimport_change", args=[DecpImport.objects.get().pk])
    assert not default_storage.exists(stored)  # removed once imported


def test_an_import_that_fails_in_the_worker_writes_nothing_and_says_why(scp, tmp_path, media):
    response, queued = confirm_later(scp, tmp_path)
    job = Job.objects.get()
    (stored,) = job.params["files"]
    default_storage.delete(stored)  # the stored file is no longer DECP when the worker reads it
    default_storage.save(stored, ContentFile(b'{"pas": "des marches"}'))
    before = database_state()

    for callback in queued:
        callback()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Import annulé : ") and job.error.endswith("Rien n'a été enregistré.")
    assert database_state() == before and not Contract.objects.exists()
    page = text(scp.get(response["Location"]))
    assert job.error in page and "Relancer" in page
    assert default_storage.exists(stored)  # kept for "Relancer"


def test_the_purge_removes_a_failed_import_s_uploads_and_old_results_only(
    scp, tmp_path, media, flaky_kind, scp_user
):
    """A failed import keeps its uploads for "Relancer"; once its job is older than the kept days, the
    purge removes them with the job; a recent job and its result file stay."""
    confirm_later(scp, tmp_path)  # its callbacks never run: the job stays queued
    old_import = Job.objects.get()
    Job.objects.filter(pk=old_import.pk).update(
        status=JobStatus.FAILED, finished_at=timezone.now() - timedelta(days=31)
    )
    (upload_name,) = old_import.params["files"]
    with run_on_commit(execute=True):
        flaky_kind["fail"] = False
        recent = job_start(kind="tests.flaky", params={}, user=scp_user, dedup_key="récent")
    recent.refresh_from_db()
    assert default_storage.exists(upload_name) and default_storage.exists(recent.result.name)

    call_command("purge_jobs", stdout=StringIO())

    assert not default_storage.exists(upload_name) and not Job.objects.filter(pk=old_import.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists() and default_storage.exists(recent.result.name)
    Job.objects.filter(pk=recent.pk).update(finished_at=timezone.now() - timedelta(days=2))
    call_command("purge_jobs", "--days", "1", stdout=StringIO())
    assert not Job.objects.exists() and not default_storage.exists(recent.result.name)
