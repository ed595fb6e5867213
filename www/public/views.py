"""The public site: no login, the same page for everyone, built once per state of the data.

Each view finds the public plan (404 for a plan SCP has not published), builds its page or file from
the public selectors only, and answers with ETag, Last-Modified and Cache-Control (www.public.http).
Nothing here reads the user: pages are cached and shared between visitors.
"""

import json

from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from national.models import NationalDataset
from public import caching, open_data, selectors
from public import jobs as public_jobs
from public.catalogue import catalogue as dcat_catalogue
from public.sections import plan_sections
from reporting.models import PublishedBilan
from reporting.pdf import bilan_pdf as render_bilan_pdf

from .http import origin, page_date, respond
from .sitemaps import SITEMAPS

# How often the "being prepared" page of the public schema PDF reloads itself (seconds).
PREPARING_RETRY_SECONDS = 10


def _meta(snapshot: caching.Snapshot, slug: str) -> selectors.PlanMeta:
    meta = snapshot.plan(slug)
    if meta is None:
        raise Http404("Ce plan n'est pas publié.")
    return meta


def _newest(metas: list[selectors.PlanMeta]):
    return max((meta.updated_at for meta in metas), default=None) or timezone.now()


def _render(request, template: str, *, path: str, description: str, meta=None, **context) -> str:
    """A page of the public site, with its canonical address and description, and the demo notice
    when the plan's public data holds demo values (rendered without the request: no visitor data)."""
    return render_to_string(
        template,
        {
            "canonical": origin(request) + path,
            "description": description,
            "meta": meta,
            "plan": meta.plan if meta else None,
            "demo_data_present": bool(meta and meta.is_demo),
            "legal": caching.legal_information(),
            **context,
        },
    )


def _page(request, snapshot, meta: selectors.PlanMeta, key: tuple, build):
    built = snapshot.built(*key, origin(request), build=build)
    return respond(request, built, last_modified=page_date(meta.updated_at))


def public_index(request):
    """The public plans; also the home page of a visitor who is not logged in."""
    snapshot = caching.Snapshot()
    metas = snapshot.plans()

    def build() -> str:
        return render_to_string(
            "public/index.html",
            {
                "canonical": origin(request) + reverse("public:index"),
                "description": "Le schéma de promotion des achats publics socialement et écologiquement "
                "responsables (SPASER) et son suivi annuel, en accès libre et en données ouvertes.",
                "metas": metas,
                "demo_data_present": any(meta.is_demo for meta in metas),
                "legal": snapshot.legal(),
            },
        )

    built = snapshot.built("index", origin(request), build=build)
    return respond(request, built, last_modified=page_date(_newest(metas)))


def public_plan(request, slug: str):
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)

    def build() -> str:
        page = selectors.public_plan_page(plan=meta.plan)
        return _render(
            request,
            "public/plan.html",
            path=reverse("public:plan", args=[slug]),
            description=f"{meta.plan.title} ({meta.plan.buyer}) : les fiches-actions par axe et leur "
            "avancement validé, les bilans publiés, les données ouvertes.",
            meta=meta,
            page=page,
            sections=plan_sections(page),
            section="plan",
            national_published=NationalDataset.objects.filter(published=True).exists(),
        )

    return _page(request, snapshot, meta, ("plan", slug), build)


def public_fiche(request, slug: str, number: int):
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)

    def build() -> str:
        page = selectors.public_fiche_page(plan=meta.plan, number=number)
        if page is None:
            raise Http404("Cette fiche n'est pas publiée.")
        return _render(
            request,
            "public/fiche.html",
            path=reverse("public:fiche", args=[slug, number]),
            description=f"Fiche-action {number} du {meta.plan.short_title} : {page.fiche.title}"[:250]
            + ". Contexte, pilotes, objectifs, calendrier, indicateurs et valeurs validées.",
            meta=meta,
            page=page,
            fiche=page.fiche,
        )

    return _page(request, snapshot, meta, ("fiche", slug, number), build)


def public_bilan_list(request, slug: str):
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)

    def build() -> str:
        return _render(
            request,
            "public/bilans.html",
            path=reverse("public:bilans", args=[slug]),
            description=f"Les bilans annuels publiés du {meta.plan.short_title} ({meta.plan.buyer}), en "
            "ligne et en PDF accessible.",
            meta=meta,
            bilans=selectors.public_bilans(plan=meta.plan),
            section="bilans",
        )

    return _page(request, snapshot, meta, ("bilans", slug), build)


def _public_bilan_pk(snapshot, meta: selectors.PlanMeta, scope: str, version: int) -> int:
    pk = snapshot.bilan_pk(meta, scope, version)
    if not pk:
        raise Http404("Ce bilan n'est pas public.")
    return pk


def public_bilan_detail(request, slug: str, scope: str, version: int):
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)
    pk = _public_bilan_pk(snapshot, meta, scope, version)

    def build() -> str:
        published = PublishedBilan.objects.defer("pdf").select_related("plan").get(pk=pk)
        return _render(
            request,
            "public/bilan.html",
            path=reverse("public:bilan", args=[slug, scope, version]),
            description=f"{published.label} du {meta.plan.short_title} ({meta.plan.buyer}), version "
            f"{version} publiée le {published.published_at:%d/%m/%Y}.",
            meta=meta,
            published=published,
            bilan=selectors.public_bilan_data(published, selectors.withheld_numbers(meta.plan)),
            section="bilans",
        )

    return _page(request, snapshot, meta, ("bilan", pk), build)


def public_bilan_pdf(request, slug: str, scope: str, version: int):
    """The version's PDF as the public downloads it: tagged (PDF/UA-1), without the publisher's
    name; rendered once from the frozen data, which never changes."""
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)
    pk = _public_bilan_pk(snapshot, meta, scope, version)
    published = PublishedBilan.objects.defer("data", "pdf").select_related("plan").get(pk=pk)
    withheld = selectors.withheld_numbers(meta.plan)

    def build() -> bytes:
        frozen = PublishedBilan.objects.defer("pdf").get(pk=pk)
        return render_bilan_pdf(selectors.public_bilan_data(frozen, withheld))

    left_out = "-".join(map(str, withheld)) or "0"
    return respond(
        request,
        caching.built_forever("bilan-pdf", pk, published.sha256, left_out, build=build),
        content_type="application/pdf",
        last_modified=published.published_at,
        filename=published.filename,
    )


def public_schema_document_pdf(request, slug: str):
    """The schema itself (the plan as adopted, not a bilan) as the public downloads it: tagged
    (PDF/UA-1), without the fiches SCP withheld; rendered by a background job once per state of the
    data, never in the visitor's request (a page says it is being prepared and reloads itself)."""
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)
    built = public_jobs.schema_pdf_ready(slug=slug, version=snapshot.version)
    if built is None:
        public_jobs.schema_pdf_start(slug=slug, version=snapshot.version)
        # Without a worker (tests, a local run in-process) the render has run by now.
        built = public_jobs.schema_pdf_ready(slug=slug, version=snapshot.version)
    if built is None:
        page = _render(
            request,
            "public/preparing.html",
            path=request.path,
            description=f"Le schéma du {meta.plan.short_title} en PDF est en cours de préparation.",
            meta=meta,
            retry_seconds=PREPARING_RETRY_SECONDS,
        )
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(PREPARING_RETRY_SECONDS)
        add_never_cache_headers(response)
        return response
    return respond(
        request,
        built,
        content_type="application/pdf",
        last_modified=meta.updated_at,
        filename=f"{slug}-schema.pdf",
    )


def public_data(request, slug: str):
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)

    def build() -> str:
        return _render(
            request,
            "public/data.html",
            path=reverse("public:data", args=[slug]),
            description=f"Données ouvertes du {meta.plan.short_title} : fiches, calendrier, indicateurs, "
            "cibles et valeurs validées, en CSV et JSON, sous Licence Ouverte 2.0.",
            meta=meta,
            files=open_data.FILES,
            licence=open_data.LICENCE,
            section="donnees",
        )

    return _page(request, snapshot, meta, ("data", slug), build)


def public_data_file(request, slug: str, filename: str):
    """One file of the open data: the plan's public rows, written in the file's format."""
    snapshot = caching.Snapshot()
    meta = _meta(snapshot, slug)
    file = open_data.FILES_BY_NAME.get(filename)
    if file is None:
        raise Http404("Fichier inconnu.")
    site = origin(request)
    built = snapshot.built(
        "file", site, slug, filename, build=lambda: file.render(snapshot.open_data_rows(meta, site))
    )
    return respond(
        request,
        built,
        content_type=f"{file.media_type}; charset=utf-8",
        last_modified=meta.updated_at,
        filename=f"{slug}-{filename}",
    )


def public_schema(request, filename: str):
    """A committed schema of the open data (public/schemas/), as the files and catalogue name it."""
    if filename not in open_data.schema_names():
        raise Http404("Schéma inconnu.")
    built = caching.Snapshot().built(
        "schema", filename, build=lambda: open_data.to_json(open_data.schema(filename))
    )
    return respond(
        request,
        built,
        content_type="application/schema+json; charset=utf-8",
        last_modified=open_data.schema_modified(filename),
    )


def public_catalogue(request):
    """The DCAT-AP catalogue (JSON-LD) of every public plan's open data, for data.gouv.fr."""
    snapshot = caching.Snapshot()
    metas = snapshot.plans()
    site = origin(request)

    def build() -> str:
        return json.dumps(dcat_catalogue(metas=metas, origin=site), ensure_ascii=False, indent=1)

    built = snapshot.built("catalogue", site, build=build)
    return respond(
        request, built, content_type="application/ld+json; charset=utf-8", last_modified=_newest(metas)
    )


def public_sitemap(request):
    """sitemap.xml (django.contrib.sitemaps), built once per state of the data."""
    snapshot = caching.Snapshot()
    built = snapshot.built(
        "sitemap", origin(request), build=lambda: django_sitemap(request, sitemaps=SITEMAPS).render().content
    )
    last = _newest(snapshot.plans())
    return respond(request, built, content_type="application/xml; charset=utf-8", last_modified=last)


# --- the legal pages: accessibility statement (RGAA), legal notice (LCEN), personal data (RGPD) ------

LEGAL_PAGES = {
    "accessibility": (
        "public/accessibility.html",
        "Déclaration d'accessibilité du site public du SPASER : état de conformité au RGAA, contenus non "
        "accessibles, retour d'information et voies de recours.",
    ),
    "legal_notice": (
        "public/legal_notice.html",
        "Mentions légales du site public du SPASER : éditeur, directeur de la publication, hébergeur, "
        "contact.",
    ),
    "personal_data": (
        "public/personal_data.html",
        "Données personnelles : ce que l'outil de pilotage du SPASER traite, pourquoi, combien de temps, "
        "et comment exercer vos droits.",
    ),
}


def _legal_page(request, name: str):
    """One of the legal pages: the same for everyone, built once per state of the data."""
    snapshot = caching.Snapshot()
    template, description = LEGAL_PAGES[name]
    site = origin(request)

    def build() -> str:
        return _render(
            request,
            template,
            path=reverse(f"public:{name}"),
            description=description,
            site=site,
            section=name,
        )

    return respond(request, snapshot.built(name, site, build=build), last_modified=page_date())


def public_accessibility(request):
    return _legal_page(request, "accessibility")


def public_legal_notice(request):
    return _legal_page(request, "legal_notice")


def public_personal_data(request):
    return _legal_page(request, "personal_data")
