"""The bilans' PDF renders as background jobs (jobs app): handlers, and the services the pages call.

A live PDF already rendered for the current state of the data is served at once by the page; when
it is not, the page starts (or joins) the job and sends the person to the job's page. The worker
renders through `reporting.caching`, so the PDF lands in the shared cache as well: the next click
on the PDF link serves it at once.
"""

from actions.models import Plan
from core import rights
from jobs import registry
from jobs.models import Job
from jobs.services import job_start

from .caching import live_bilan, live_bilan_pdf, live_schema, live_schema_pdf, pdf_state

BILAN_PDF = "reporting.bilan_pdf"
SCHEMA_PDF = "reporting.schema_pdf"
DOWNLOAD_RIGHT = "Le PDF est réservé au comité de suivi et au service commande publique."


def _plan(params: dict) -> Plan | None:
    return Plan.objects.filter(pk=params.get("plan")).first()


def _check(user, params: dict) -> None:
    rights.require(rights.may_download_bilan(user), DOWNLOAD_RIGHT)
    plan = _plan(params)
    rights.require(plan is not None and rights.may_read_plan_of(user, plan), "Ce plan n'existe pas.")


def _scope(year: int | None) -> str:
    return "fin-de-plan" if year is None else str(year)


def _bilan_title(params: dict) -> str:
    plan, year = _plan(params), params.get("year")
    what = "Bilan de fin de plan" if year is None else f"Bilan {year}"
    return f"{what} (PDF) – {plan.short_title if plan else 'plan supprimé'}"


def _schema_title(params: dict) -> str:
    plan = _plan(params)
    return f"Schéma (PDF) – {plan.short_title if plan else 'plan supprimé'}"


def _missing_plan(params: dict) -> Plan:
    plan = _plan(params)
    if plan is None:
        raise registry.JobError("Ce plan a été supprimé depuis la demande : le PDF ne peut plus être établi.")
    return plan


def _run_bilan(job: Job, progress: registry.Progress) -> registry.Result:
    plan, year = _missing_plan(job.params), job.params.get("year")
    progress(5, "Lecture des fiches, des valeurs et des bilans des pilotes")
    live_bilan(plan=plan, year=year)
    progress(30, "Mise en page du PDF (l'étape la plus longue)")
    pdf, _ = live_bilan_pdf(plan=plan, year=year)
    progress(95, "Enregistrement du fichier")
    return registry.Result(filename=f"{plan.slug}-bilan-{_scope(year)}.pdf", content=pdf)


def _run_schema(job: Job, progress: registry.Progress) -> registry.Result:
    plan = _missing_plan(job.params)
    progress(5, "Lecture du plan")
    live_schema(plan=plan)
    progress(30, "Mise en page du PDF")
    pdf, _ = live_schema_pdf(plan=plan)
    progress(95, "Enregistrement du fichier")
    return registry.Result(filename=f"{plan.slug}-schema.pdf", content=pdf)


def register_handlers() -> None:
    registry.register(BILAN_PDF, run=_run_bilan, check=_check, title=_bilan_title)
    registry.register(SCHEMA_PDF, run=_run_schema, check=_check, title=_schema_title)


def bilan_pdf_start(*, plan: Plan, year: int | None, user) -> Job:
    """The job rendering the live bilan's PDF (yearly, or end of plan with `year` None)."""
    return job_start(
        kind=BILAN_PDF,
        params={"plan": plan.pk, "year": year},
        user=user,
        dedup_key=f"{BILAN_PDF}:{plan.pk}:{_scope(year)}",
        data_version=pdf_state(),
    )


def schema_pdf_start(*, plan: Plan, user) -> Job:
    """The job rendering the schema document's PDF."""
    return job_start(
        kind=SCHEMA_PDF,
        params={"plan": plan.pk},
        user=user,
        dedup_key=f"{SCHEMA_PDF}:{plan.pk}",
        data_version=pdf_state(),
    )
