"""The live bilan (page and PDF), rendered once per state of the data instead of once per request.

Building the bilan reads every fiche, value and review of the plan (about 50 ms at SPASER 54's size,
ten times more at ten times the size) and rendering it costs as much again, although the data
changes a few times a day: it is built once per version of the data (core.caching).

The PDF (seconds of WeasyPrint layout) is kept in the "shared" cache, which every worker process
reads (a folder by default, SHARED_CACHE_URL elsewhere): the second download of an unchanged bilan
is the stored bytes, and any edit changes the version, so the next download is rendered afresh.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.template.loader import render_to_string

from actions.models import Plan
from core.caching import SHARED, data_version, render_once, stamped_key

from .models import PublishedBilan
from .pdf import bilan_pdf
from .schema import schema_build, schema_content_html, schema_pdf
from .selectors import bilan_build


def live_bilan(*, plan: Plan, year: int | None, version: str | None = None) -> tuple[dict, str]:
    """The bilan's data and its rendered content, built again only when the data (or the day) changed."""

    def build() -> tuple[dict, str]:
        data = bilan_build(plan=plan, year=year)
        # The internal page links each listed contract to its page in the register (never the PDF, whose
        # links would lead nowhere, nor the public site, where the register is not).
        context = {"bilan": data, "link_contracts": True}
        return data, render_to_string("reporting/includes/bilan_content.html", context)

    return render_once(stamped_key("bilan", plan.pk, year, version=version), build)


def _pdf_once(*parts, render: Callable[[str], bytes]) -> tuple[bytes, str]:
    """A PDF and its ETag, rendered by `render(version)` once per version of the data, kept in the
    shared cache (every worker process reads it)."""
    version = data_version()
    key = stamped_key(*parts, version=version)
    pdf = render_once(key, lambda: render(version), alias=SHARED)
    return pdf, hashlib.sha256(key.encode()).hexdigest()[:32]


def _pdf_ready(*parts) -> tuple[bytes, str] | None:
    """The PDF `_pdf_once` would return, if already rendered for the current version; else None
    (the page then starts a background job instead of rendering in the request)."""
    key = stamped_key(*parts, version=data_version())
    pdf = caches[SHARED].get(key)
    return None if pdf is None else (pdf, hashlib.sha256(key.encode()).hexdigest()[:32])


def pdf_state() -> str:
    """The state of the data a live PDF is built from (the day and the data version): a background
    job's result stands for this state only."""
    return stamped_key(version=data_version()).lstrip(":")


def live_bilan_pdf_ready(*, plan: Plan, year: int | None) -> tuple[bytes, str] | None:
    return _pdf_ready("bilan-pdf", plan.pk, year)


def live_schema_pdf_ready(*, plan: Plan) -> tuple[bytes, str] | None:
    return _pdf_ready("schema-pdf", plan.pk)


def live_bilan_pdf(*, plan: Plan, year: int | None) -> tuple[bytes, str]:
    """The bilan's PDF and an ETag, rendered from the very data the page shows, once per state."""
    return _pdf_once(
        "bilan-pdf",
        plan.pk,
        year,
        render=lambda version: bilan_pdf(live_bilan(plan=plan, year=year, version=version)[0]),
    )


def live_schema(*, plan: Plan, version: str | None = None) -> tuple[dict, str]:
    """The schema document's data and rendered content, built again only when the data changed."""

    def build() -> tuple[dict, str]:
        data = schema_build(plan=plan)
        return data, schema_content_html(data)

    return render_once(stamped_key("schema", plan.pk, version=version), build)


def live_schema_pdf(*, plan: Plan) -> tuple[bytes, str]:
    """The schema document's PDF and an ETag, rendered once per state of the data."""
    return _pdf_once(
        "schema-pdf", plan.pk, render=lambda version: schema_pdf(live_schema(plan=plan, version=version)[0])
    )


def frozen_pdf(bilan: PublishedBilan) -> bytes:
    """A published version's frozen PDF: read from the database once, then from the shared cache. It
    never changes (the key holds its SHA-256), and at ten times SPASER 54 it is megabytes that the
    database would send again at every download."""

    def read() -> bytes:
        return bytes(PublishedBilan.objects.values_list("pdf", flat=True).get(pk=bilan.pk))

    return render_once(f"frozen-pdf:{bilan.pk}:{bilan.sha256}", read, alias=SHARED)
