"""The public schema PDF rendered as a background job (jobs app), never inside a visitor's request.

A visitor asking for `/public/<plan>/schema.pdf` gets the PDF at once when it is rendered for the
current state of the data (kept in the cache every process shares, so a worker on another machine
and the web processes see the same copy); otherwise the render is queued (one per state of the data,
however many visitors ask) and the visitor gets a page that says so and reloads itself.
"""

from django.core.cache import caches

from core.caching import SHARED, TIMEOUT, data_version, stamped_key
from jobs import registry
from jobs.models import Job
from jobs.services import job_start
from reporting.schema import schema_build, schema_pdf

from . import selectors
from .caching import Built, _built

SCHEMA_PDF = "public.schema_pdf"


def _key(slug: str, version: str) -> str:
    return stamped_key("public", "schema-pdf", slug, version=version)


def schema_pdf_ready(*, slug: str, version: str) -> Built | None:
    """The public schema PDF of that plan for that state of the data, if already rendered."""
    return caches[SHARED].get(_key(slug, version))


def _published(slug: str):
    meta = next((meta for meta in selectors.public_plans() if meta.plan.slug == slug), None)
    if meta is None:
        raise registry.JobError("Ce plan n'est plus publié : son schéma ne peut pas être établi.")
    return meta


def _check(user, params: dict) -> None:
    """Anyone may ask: the document is public once the plan is (checked again when it runs)."""


def _run(job: Job, progress: registry.Progress) -> registry.Result:
    version = data_version()  # the state the document is rendered from, read before the data
    progress(5, "Lecture du plan publié")
    meta = _published(job.params["slug"])
    progress(30, "Mise en page du PDF")
    built = _built(schema_pdf(schema_build(plan=meta.plan, public=True)))
    caches[SHARED].set(_key(meta.plan.slug, version), built, TIMEOUT)
    return registry.Result(message="Le schéma (PDF) est prêt sur le site public.")


def _title(params: dict) -> str:
    return f"Schéma public (PDF) – {params.get('slug', '')}"


def register_handlers() -> None:
    registry.register(SCHEMA_PDF, run=_run, check=_check, title=_title)


def schema_pdf_start(*, slug: str, version: str) -> Job:
    """Queue the render for this state of the data, or join the one under way."""
    return job_start(
        kind=SCHEMA_PDF, params={"slug": slug}, user=None, dedup_key=f"{SCHEMA_PDF}:{slug}:{version}"
    )
