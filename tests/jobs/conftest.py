"""Jobs run by the eager queue (no broker in the test settings) once the transaction commits: tests
run the on-commit callbacks with `run_on_commit`. Results go to a folder of each test's own."""

import pytest
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.test import TestCase

from core import rights
from core.caching import SHARED
from jobs import registry
from tests.factories import user_in_role

run_on_commit = TestCase.captureOnCommitCallbacks  # with run_on_commit(execute=True): ...


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Rendered PDFs live in the shared cache, which outlives a test's rolled-back transaction."""
    caches[SHARED].clear()
    yield
    caches[SHARED].clear()


@pytest.fixture
def committee_member(spaser54):
    return user_in_role(rights.COMMITTEE_GROUP)


@pytest.fixture
def flaky_kind():
    """A kind of job of the tests' own: fails with an unexpected error while `state["fail"]`, with a
    French message for the user when `state["message"]` is set, else writes a small text file."""
    state = {"fail": True, "message": "", "runs": 0}

    def run(job, progress):
        state["runs"] += 1
        progress(50, "À mi-chemin")
        if state["message"]:
            raise registry.JobError(state["message"])
        if state["fail"]:
            raise RuntimeError("disk on fire")
        return registry.Result(filename="compte-rendu.csv", content=b"fini", message="Tout est fait.")

    def check(user, params):
        if not rights.may_download_bilan(user):
            raise PermissionDenied("Réservé au comité de suivi et au service commande publique.")

    registry.register("tests.flaky", run=run, check=check, title=lambda params: "Travail d'essai")
    yield state
    registry.unregister("tests.flaky")
