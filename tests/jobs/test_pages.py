"""The job's page: it refreshes itself while the work runs, then offers the result or the error and
"Relancer"; only who asked for it (and SCP) sees it. The bilan PDF link followed through its job."""

import pytest
from django.test import Client
from django.urls import reverse

from core import rights
from jobs.enums import JobStatus
from jobs.models import Job
from jobs.services import job_start
from tests.factories import user_in_role
from tests.jobs.conftest import run_on_commit
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db

REFRESH = '<meta http-equiv="refresh"'


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bilan_pdf_link_leads_to_the_job_page_then_to_the_pdf(
    small_plan, committee_member, django_assert_max_num_queries
):
    client = logged_in(committee_member)
    pdf_url = reverse("reporting:bilan_pdf", args=[small_plan.slug, 2025])

    with run_on_commit() as queued:  # not rendered yet: a job, and its page; the job runs below
        response = client.get(pdf_url)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert REFRESH in waiting and "En attente" in waiting and 'value="0"' in waiting

    assert client.get(pdf_url)["Location"] == response["Location"]  # joined, not started twice
    assert Job.objects.count() == 1 and len(queued) == 1
    queued[0]()  # the worker takes the job

    # Session, user, rights (cached per data version), the job, its requesters: a fixed number.
    with django_assert_max_num_queries(6):
        done = client.get(response["Location"]).content.decode()
    assert REFRESH not in done and reverse("jobs:download", args=[job.pk]) in done
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{small_plan.slug}-bilan-2025.pdf"'
    assert "Fiche 11" in squash(pdf_text(download.content))

    again = client.get(pdf_url)  # rendered for this state of the data: downloaded at once
    assert again.status_code == 200 and again.content == download.content


def test_only_who_asked_and_scp_see_a_job(small_plan, committee_member):
    with run_on_commit(execute=True):
        logged_in(committee_member).get(reverse("reporting:final_pdf", args=[small_plan.slug]))
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED
    page, result = reverse("jobs:detail", args=[job.pk]), reverse("jobs:download", args=[job.pk])

    other = logged_in(user_in_role(rights.COMMITTEE_GROUP, username="autre.membre"))
    assert other.get(page).status_code == 404 and other.get(result).status_code == 404
    scp = logged_in(user_in_role(rights.SCP_GROUP))
    assert scp.get(page).status_code == 200 and scp.get(result).status_code == 200


def test_a_result_is_refused_to_who_lost_the_right(small_plan, committee_member):
    with run_on_commit(execute=True):
        logged_in(committee_member).get(reverse("reporting:schema_pdf", args=[small_plan.slug]))
    job = Job.objects.get()
    committee_member.groups.clear()
    rights.rights_changed()

    response = logged_in(committee_member).get(reverse("jobs:download", args=[job.pk]))

    assert response.status_code == 403


def test_a_failed_job_shows_its_french_error_and_runs_again(spaser54, committee_member, flaky_kind):
    client = logged_in(committee_member)
    with run_on_commit(execute=True):
        job = job_start(kind="tests.flaky", params={}, user=committee_member, dedup_key="essai")
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Le travail a échoué" in page and "erreur inattendue" in page and "disk on fire" not in page
    assert REFRESH not in page and "Relancer" in page

    flaky_kind["fail"] = False
    outsider = logged_in(user_in_role(rights.COMMITTEE_GROUP, username="autre.membre"))
    assert outsider.post(reverse("jobs:retry", args=[job.pk])).status_code == 404
    with run_on_commit(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.pk]))

    retried = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("jobs:detail", args=[retried.pk])
    done = client.get(response["Location"]).content.decode()
    assert "Tout est fait." in done and reverse("jobs:download", args=[retried.pk]) in done
    assert client.get(reverse("jobs:download", args=[retried.pk])).content == b"fini"
