"""A fiche-year's evidence ("preuves"): adding (a file or a link), removing, downloading a file.

The entry page lists the year's evidence with its add form (`entry_section`); the fiche page lists
every year's for those who may read them. Never on the public site. The service decides every
refusal; the views show its French message next to the field, the person's typing kept.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.models import Fiche
from core import rights
from core.versioning import StaleWrite
from evidence import selectors, services
from evidence.enums import EvidenceKind
from evidence.models import Evidence
from indicators.rules import WorkflowError
from www.plan_urls import plan_from_url

from .forms import EvidenceForm, RemoveForm

NOT_READER = (
    "Les preuves de cette fiche sont réservées à ses pilotes, au comité de suivi "
    "et au service commande publique."
)


def _fiche(request, slug: str, number: int) -> Fiche:
    plan = plan_from_url(request, slug)
    fiche = get_object_or_404(Fiche, plan=plan, number=number)
    fiche.plan = plan
    return fiche


def _entry_url(fiche: Fiche, year: int) -> str:
    return reverse("indicators:entry", args=[fiche.plan.slug, fiche.number, year]) + "#preuves"


def _refusal(fiche: Fiche, year: int, user) -> str | None:
    """Why evidence of this fiche-year may not be added now (the service's own check), or None."""
    try:
        services.require_evidence_writable(fiche=fiche, year=year, user=user)
    except (WorkflowError, services.EvidenceError) as refusal:
        return str(refusal)
    return None


def entry_section(*, fiche: Fiche, year: int, user, entry, editable: bool) -> dict:
    """The context of the entry page's "Preuves" section (templates/evidence/entry_section.html):
    the year's evidence (one query), and the add form while the year may be written (`editable`: the
    entry page's own answer, the same rule). `entry`: the page's FicheYearEntry (its indicators and
    milestones, already read)."""
    may_add = editable and rights.may_add_evidence(user, fiche)
    form = EvidenceForm(indicators=entry.plan_indicators, milestones=entry.milestones) if may_add else None
    return {
        "evidence": selectors.fiche_year_evidence(fiche=fiche, year=year),
        "evidence_form": form,
        "evidence_editable": may_add,
    }


@require_http_methods(["GET", "POST"])
def evidence_add(request, slug: str, number: int, year: int):
    fiche = _fiche(request, slug, number)
    if year not in fiche.plan.years:
        raise Http404("Année hors du plan.")
    rights.require(rights.may_add_evidence(request.user, fiche), services.NOT_PILOT)
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        indicators=list(fiche.indicators.order_by("position")),
        milestones=list(fiche.milestones.order_by("position")),
    )
    if form.is_bound and form.is_valid():
        try:
            evidence = services.evidence_add(
                fiche=fiche,
                year=year,
                user=request.user,
                title=form.cleaned_data["title"],
                dated=form.cleaned_data["dated"],
                upload=form.cleaned_data["upload"],
                url=form.cleaned_data["url"],
                **form.attachment(),
            )
        except services.EvidenceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Preuve « {evidence.title} » ajoutée au bilan {year}.")
            return redirect(_entry_url(fiche, year))
    context = {"fiche": fiche, "year": year, "form": form, "refusal": _refusal(fiche, year, request.user)}
    return render(request, "evidence/add.html", context, status=400 if form.is_bound else 200)


def _evidence(fiche: Fiche, pk: int) -> Evidence:
    """A current piece of evidence of this fiche; removed or of another fiche: 404."""
    return get_object_or_404(Evidence.objects.current().select_related("fiche"), pk=pk, fiche=fiche)


@require_POST
def evidence_remove(request, slug: str, number: int, pk: int):
    fiche = _fiche(request, slug, number)
    rights.require(rights.may_add_evidence(request.user, fiche), services.NOT_PILOT)
    evidence = _evidence(fiche, pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Le formulaire est incomplet : rechargez la page puis recommencez.")
        return redirect(_entry_url(fiche, evidence.year))
    try:
        services.evidence_remove(
            evidence=evidence, user=request.user, seen_version=form.cleaned_data["version"]
        )
    except (services.EvidenceError, WorkflowError, StaleWrite) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Preuve « {evidence.title} » retirée (la trace de son dépôt est conservée)."
        )
    return redirect(_entry_url(fiche, evidence.year))


@require_GET
def evidence_download(request, slug: str, number: int, pk: int):
    """The file, as an attachment under its safe name and the type read from its content; asked of the
    rights before anything is looked up (a pilot of another fiche guessing the address: 403)."""
    fiche = _fiche(request, slug, number)
    rights.require(rights.may_read_evidence(request.user, fiche), NOT_READER)
    evidence = _evidence(fiche, pk)
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404("Cette preuve est un lien, pas un fichier.")
    try:
        stored = evidence.file.open("rb")
    except OSError:
        raise Http404("Le fichier de cette preuve est introuvable.") from None
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=evidence.file_name or "preuve",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
