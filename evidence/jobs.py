"""The audit archive as a background job (jobs app): a year's evidence may weigh gigabytes, far more
than a web request may take. SCP starts it from the bilan's page and waits on the job's page; the
zip (evidence.archive) is saved to the job's result through the storage, and downloaded from there
after the rights are asked again."""

from actions.models import Plan
from core import rights
from core.caching import data_version
from jobs import registry
from jobs.models import Job
from jobs.services import job_start

from .archive import archive_build

ARCHIVE = "evidence.archive"
ARCHIVE_RIGHT = "L'archive des preuves est réservée au service commande publique."


def _plan(params: dict) -> Plan | None:
    return Plan.objects.filter(pk=params.get("plan")).first()


def _check(user, params: dict) -> None:
    rights.require(rights.may_download_evidence_archive(user), ARCHIVE_RIGHT)
    plan = _plan(params)
    rights.require(plan is not None and rights.may_read_plan_of(user, plan), "Ce plan n'existe pas.")


def _title(params: dict) -> str:
    plan = _plan(params)
    return f"Archive des preuves {params.get('year')} – {plan.short_title if plan else 'plan supprimé'}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _run(job: Job, progress: registry.Progress) -> registry.Result:
    plan, year = _plan(job.params), job.params.get("year")
    if plan is None:
        raise registry.JobError(
            "Ce plan a été supprimé depuis la demande : l'archive ne peut plus être établie."
        )
    progress(2, "Liste des preuves de l'année")
    output, summary = archive_build(plan=plan, year=year, progress=progress)
    progress(96, "Enregistrement de l'archive")
    message = (
        f"Archive des preuves {year} : {_plural(summary.files, 'fichier')}, {_plural(summary.links, 'lien')} "
        "et le manifeste (manifeste.csv)."
    )
    if summary.missing:
        missing = _plural(summary.missing, "fichier") + (
            " introuvables" if summary.missing > 1 else " introuvable"
        )
        message += f" {missing} dans le stockage : voir la colonne « remarque » du manifeste."
    return registry.Result(filename=f"{plan.slug}-preuves-{year}.zip", content=output, message=message)


def register_handlers() -> None:
    registry.register(ARCHIVE, run=_run, check=_check, title=_title)


def evidence_archive_start(*, plan: Plan, year: int, user) -> Job:
    """The job building the audit archive of the plan's `year` (one at a time per plan and year; a
    finished one is reused while the data has not changed)."""
    return job_start(
        kind=ARCHIVE,
        params={"plan": plan.pk, "year": year},
        user=user,
        dedup_key=f"{ARCHIVE}:{plan.pk}:{year}",
        data_version=data_version(),
    )
