"""A DECP import confirmed in the admin runs as a background job (jobs app): a national file takes a
minute, longer than a proxy waits for a web request.

The admin's confirm step copies the files waiting for their confirmation into the storage (Django's
storage API: a folder, or S3-compatible storage, which a worker on another machine reads too), then
starts the job. The worker copies them back to a local temporary folder (the reader streams a local
file), imports them in one transaction (`services.decp_apply`: all or nothing), and removes them from
the storage once the import is done; after a failure they stay, so that "Relancer" can run it again.
"""

import secrets
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse

from actions.models import Plan
from core import rights
from jobs import registry
from jobs.models import Job
from jobs.services import job_start

from . import decp, services

DECP_IMPORT = "contracts.decp_import"
STORAGE_FOLDER = "imports/decp"


def _check(user, params: dict) -> None:
    rights.require(rights.may_import_contracts(user), services.IMPORT_RIGHT)


def _title(params: dict) -> str:
    names = params.get("names") or []
    return "Import DECP : " + ", ".join(f"« {name} »" for name in names)


def _local_copies(stored: list[str], folder: Path) -> list[str]:
    paths = []
    for index, name in enumerate(stored):
        target = folder / f"{index}.json"
        with default_storage.open(name, "rb") as source, open(target, "wb") as out:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                out.write(chunk)
        paths.append(str(target))
    return paths


def _run(job: Job, progress: registry.Progress) -> registry.Result:
    params = job.params
    plan = Plan.objects.filter(pk=params.get("plan")).first() if params.get("plan") else None
    try:
        buyers = services.buyers_of(plan, params["buyers"])  # the plan may have been closed since
    except services.NoBuyers as exc:
        raise registry.JobError(f"Import annulé : {exc}") from None
    progress(2, "Lecture des fichiers déposés")
    with tempfile.TemporaryDirectory(prefix="spaser-decp-job-") as folder:
        try:
            paths = _local_copies(params["files"], Path(folder))
        except OSError:
            raise registry.JobError(
                "Import annulé : les fichiers déposés n'ont pas pu être relus. Rien n'a été enregistré ; "
                "recommencez l'import."
            ) from None
        progress(5, "Lecture des contrats et enregistrement (tout ou rien)")
        try:
            report = services.decp_apply(paths, buyers=buyers, user=job.created_by, names=params["names"])
        except (decp.DecpFormatError, OSError) as exc:
            raise registry.JobError(f"Import annulé : {exc} Rien n'a été enregistré.") from None
    for name in params["files"]:
        default_storage.delete(name)
    return registry.Result(
        message=f"Import terminé : {report.summary}",
        link=reverse("admin:contracts_decpimport_change", args=[report.log.pk]),
    )


def _cleanup(params: dict) -> None:
    """The uploads a failed import kept for "Relancer", once its job is purged."""
    for name in params.get("files") or []:
        default_storage.delete(name)


def register_handlers() -> None:
    registry.register(DECP_IMPORT, run=_run, check=_check, title=_title, cleanup=_cleanup)


def decp_import_start(*, paths: list[str], names: list[str], buyers: list[str], plan, user) -> Job:
    """Store the files (storage API) and start their import as a job; SCP only."""
    _check(user, {})
    key = secrets.token_hex(16)
    stored = []
    for index, path in enumerate(paths):
        with open(path, "rb") as source:
            stored.append(default_storage.save(f"{STORAGE_FOLDER}/{key}/{index}.json", File(source)))
    return job_start(
        kind=DECP_IMPORT,
        params={"files": stored, "names": names, "buyers": buyers, "plan": plan.pk if plan else None},
        user=user,
        dedup_key=f"{DECP_IMPORT}:{key}",
    )
