"""A job's life (jobs.services) with the eager queue: started, joined, reused, failed, run again."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage

from core import rights
from jobs.enums import JobStatus
from jobs.models import Job
from jobs.services import UNEXPECTED, job_execute, job_retry, job_start
from reporting.jobs import bilan_pdf_start
from tests.factories import PlanFactory, user_in_role
from tests.jobs.conftest import run_on_commit
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def start_flaky(user, key="essai") -> Job:
    return job_start(kind="tests.flaky", params={"n": 1}, user=user, dedup_key=key)


def test_a_bilan_pdf_job_runs_once_the_request_commits_and_stores_the_whole_pdf(
    small_plan, committee_member, media
):
    with run_on_commit(execute=True):
        job = bilan_pdf_start(plan=small_plan, year=2025, user=committee_member)
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # nothing runs before the commit

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.attempts == 1
    assert job.title == f"Bilan 2025 (PDF) – {small_plan.short_title}"
    assert job.result_name == f"{small_plan.slug}-bilan-2025.pdf"
    with default_storage.open(job.result.name) as stored:
        assert "Fiche 11" in squash(pdf_text(stored.read()))
    assert job.peak_memory_kb > 0  # the process's peak resident memory during the run
    assert job.created_by == committee_member and list(job.requested_by.all()) == [committee_member]


def test_a_second_request_for_the_same_render_joins_the_job_under_way(small_plan, committee_member):
    job = bilan_pdf_start(plan=small_plan, year=2025, user=committee_member)  # queued: not committed
    scp = user_in_role(rights.SCP_GROUP)

    again = bilan_pdf_start(plan=small_plan, year=2025, user=scp)

    assert again.pk == job.pk and Job.objects.count() == 1
    assert set(job.requested_by.all()) == {committee_member, scp}
    other_year = bilan_pdf_start(plan=small_plan, year=2024, user=scp)
    assert other_year.pk != job.pk


def test_a_finished_render_is_reused_until_the_data_changes(small_plan, committee_member):
    with run_on_commit(execute=True):
        first = bilan_pdf_start(plan=small_plan, year=2025, user=committee_member)
    assert bilan_pdf_start(plan=small_plan, year=2025, user=committee_member).pk == first.pk

    PlanFactory()  # any write draws a new data version

    assert bilan_pdf_start(plan=small_plan, year=2025, user=committee_member).pk != first.pk


def test_the_task_runs_a_job_once(small_plan, committee_member, flaky_kind):
    flaky_kind["fail"] = False
    with run_on_commit(execute=True):
        job = start_flaky(committee_member)
    job_execute(job_id=job.pk)  # delivered a second time: left alone

    job.refresh_from_db()
    assert flaky_kind["runs"] == 1 and job.attempts == 1 and job.status == JobStatus.SUCCEEDED
    assert job.message == "Tout est fait."


def test_an_unexpected_failure_is_logged_shown_in_french_and_stores_nothing(
    spaser54, committee_member, flaky_kind, media, caplog
):
    with caplog.at_level(logging.ERROR, logger="jobs.services"), run_on_commit(execute=True):
        job = start_flaky(committee_member)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == UNEXPECTED
    assert "disk on fire" not in job.error and "Traceback" not in job.error
    assert "disk on fire" in caplog.text  # the traceback is in the log
    assert not job.result and not any(media.rglob("*"))


def test_a_failure_the_handler_explains_is_shown_as_is(spaser54, committee_member, flaky_kind):
    flaky_kind["message"] = "Le fichier est illisible."
    with run_on_commit(execute=True):
        job = start_flaky(committee_member)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "Le fichier est illisible."


def test_a_deleted_plan_fails_with_a_french_message(small_plan, committee_member):
    plan = PlanFactory()
    job = bilan_pdf_start(plan=plan, year=2025, user=committee_member)
    plan.delete()
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error.startswith("Ce plan a été supprimé")


def test_a_failed_job_runs_again_as_a_new_job(spaser54, committee_member, flaky_kind):
    with run_on_commit(execute=True):
        failed = start_flaky(committee_member)
    flaky_kind["fail"] = False

    with run_on_commit(execute=True):
        retried = job_retry(job=Job.objects.get(pk=failed.pk), user=committee_member)

    retried.refresh_from_db()
    assert retried.pk != failed.pk and retried.status == JobStatus.SUCCEEDED
    assert Job.objects.get(pk=failed.pk).status == JobStatus.FAILED  # the failure stays on record
    with default_storage.open(retried.result.name) as stored:
        assert stored.read() == b"fini"


def test_the_rights_of_the_work_are_asked_when_it_starts(small_plan, pilot11, committee_member):
    with pytest.raises(PermissionDenied, match="comité de suivi"):
        bilan_pdf_start(plan=small_plan, year=2025, user=pilot11)
    job = bilan_pdf_start(plan=small_plan, year=2025, user=committee_member)
    with pytest.raises(PermissionDenied, match="autre personne"):
        job_retry(job=job, user=user_in_role(rights.COMMITTEE_GROUP, username="autre.membre"))
    assert Job.objects.count() == 1
