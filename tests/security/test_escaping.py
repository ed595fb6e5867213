"""Text typed by users (or imported) is shown as text: a `<script>` written in any free-text field
comes out escaped on every page, and in the PDF as the literal characters."""

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Axis, Fiche, Objective, Plan
from actions.services import plan_publication_set
from contracts.enums import Category, Measure
from contracts.models import Contract, NationalReference
from contracts.services import contract_correct
from indicators.demo import demo_load
from indicators.models import AnnualReview, IndicatorValue
from planning.models import FicheDecision
from planning.services import plan_prepare_next
from reporting.pdf import bilan_html_for_print
from reporting.selectors import bilan_build
from tests.conftest import SPASER54
from tests.reporting.conftest import pdf_text
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("actions", "contracts", "indicators", "planning", "reporting")
SHORTEST_FREE_TEXT = 20  # shorter fields hold codes (SIRET, CPV), not text a person types
# Free-text fields that no page shows yet (they are still checked as soon as one does).
NOT_SHOWN = {
    "actions.Objective.code",
    "actions.Principle.description",
    "indicators.AnnualReview.return_comment",  # shown to the pilot once the fiche is sent back
    # A buyer reads as its SIRET on the register's pages; its name is in the admin.
    "actions.Buyer.name",
    # A national reference's link is an href (escaped there too), its source is the text shown.
    "contracts.NationalReference.url",
    # A threshold's source is what the legal page shows of it (its link stays in the admin).
    "contracts.Threshold.url",
    # Shown on the public site in place of a withheld fiche only (tests/public/test_pages.py).
    "actions.Fiche.withheld_reason",
    # A holder's row copies the contract's `holders` JSON for queries (written by the import only);
    # the pages show the identifier from the JSON or from the URL, escaped like any text.
    "contracts.ContractHolder.identifier",
}


def free_text_fields():
    """(model, field) for every CharField/TextField a person types: not codes from a list, not slugs."""
    for model in apps.get_models():
        if model._meta.app_label not in CONTENT_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not isinstance(
                field, models.SlugField
            ):
                if not field.choices and field.editable and (field.max_length or 100) >= SHORTEST_FREE_TEXT:
                    yield model, field


def target_row(model, fiche: Fiche):
    """The row of `model` that the fiche's page (or the plan's) shows."""
    if model is Fiche:
        return fiche
    if model is Objective:
        return fiche.objective
    if model is Axis:
        return fiche.objective.axis
    if model is FicheDecision:  # what the next plan decides of the fiche
        return FicheDecision.objects.filter(previous=fiche).first()
    names = {f.name for f in model._meta.concrete_fields}
    queryset = model._default_manager.order_by("pk")
    if "fiche" in names:
        return queryset.filter(fiche=fiche).first() or queryset.first()
    if "indicator" in names:  # a value of a text indicator, so that its text is what pages show
        return (
            queryset.filter(indicator__fiche=fiche, indicator__value_type="text").first() or queryset.first()
        )
    if model._meta.label == "actions.Pilot":
        return fiche.ordered_pilots()[0]
    if model._meta.label == "actions.Direction":
        return fiche.ordered_pilots()[0].direction
    if model._meta.label == "actions.Principle":
        return fiche.principles.order_by("pk").first()
    return queryset.first()


@pytest.fixture
def scripted(spaser54, scp_user):
    """Every free-text field of the rows shown for fiche 11 holds `<script>sN</script>`."""
    demo_load(path=Path(settings.BASE_DIR) / "fixtures" / "demo" / "demo.yaml")  # with demo contracts
    NationalReference.objects.create(
        category=Category.SOCIAL, measure=Measure.COUNT, year=2021, share=18, source="OECP"
    )
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()  # a quick PDF
    # The next plan in preparation, so that its decisions (their reason) are written and shown too.
    plan_prepare_next(
        old=spaser54, slug="suite", title="Suite", start_year=2027, end_year=2032, user=scp_user
    )
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    # A correction of the contract whose page is opened (its reason is shown there and on the legal page).
    contract_correct(
        contract=Contract.objects.order_by("pk").first(),
        user=scp_user,
        flags={"social_clause": True},
        excluded=False,
        reason="Clause d'insertion au CCAP.",
    )
    markers, fiches = {}, {fiche.number}
    for index, (model, field) in enumerate(free_text_fields()):
        row = target_row(model, fiche)
        assert row is not None, f"no {model._meta.label} row to write into"
        payload = f"<script>s{index}</script>"
        assert len(payload) <= (field.max_length or 100)
        model._default_manager.filter(pk=row.pk).update(**{field.name: payload})
        markers[f"{model._meta.label}.{field.name}"] = index
        for attr in ("fiche", "indicator"):
            related = getattr(row, attr, None) if not isinstance(row, FicheDecision) else None
            if related is not None:
                fiches.add(related.number if attr == "fiche" else related.fiche.number)
    scp_user.first_name, scp_user.last_name = "<script>u1</script>", "<script>u2</script>"
    scp_user.save()
    spaser54 = Plan.objects.get(pk=spaser54.pk)  # its text fields were just written
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    return spaser54, markers, sorted(fiches)


def site_pages(plan, fiche_numbers):
    """Every page that shows the plan's or a fiche's text, for the years the scripted rows are in."""
    review = AnnualReview.objects.get(achievements__startswith="<script>")
    value = IndicatorValue.objects.get(value_text__startswith="<script>")
    years = sorted({review.year, value.year})
    pages = [reverse("indicators:plan_detail", args=[plan.slug]), reverse("indicators:my_fiches")]
    pages += [reverse("indicators:fiche_detail", args=[plan.slug, number]) for number in fiche_numbers]
    pages += [reverse("indicators:entry", args=[plan.slug, 11, year]) for year in years]
    pages += [reverse("reporting:bilan_detail", args=[SPASER54, year]) for year in years]
    pages += [
        reverse("reporting:final_detail", args=[SPASER54]),
        reverse("reporting:bilan_list", args=[SPASER54]),
    ]
    # From one plan to the next: the decisions (the old fiches' text, the reasons) and the comparison.
    pages += [reverse("planning:decisions", args=["suite"]), reverse("planning:comparison", args=["suite"])]
    contract = Contract.objects.order_by("pk").first()
    pages += [
        reverse("contracts:legal_indicators", args=[plan.slug, contract.year]),
        reverse("contracts:contract_list", args=[plan.slug]) + f"?annee={contract.year}",
        reverse("contracts:contract_detail", args=[plan.slug, contract.pk]),
    ]
    return pages


def public_pages(plan, fiche_numbers):
    """The public site's pages that show the plan's and the fiches' text (validated years only)."""
    pages = [reverse("public:plan", args=[plan.slug]), reverse("public:data", args=[plan.slug])]
    return pages + [reverse("public:fiche", args=[plan.slug, number]) for number in fiche_numbers]


def test_every_free_text_field_is_escaped_on_every_page(client, scp_user, scripted):
    plan, markers, fiche_numbers = scripted
    client.force_login(scp_user)
    shown = set()
    for url in site_pages(plan, fiche_numbers):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "<script>" not in page, f"unescaped script on {url}"
        shown |= {name for name, index in markers.items() if f"&lt;script&gt;s{index}&lt;/script&gt;" in page}
        assert "&lt;script&gt;u1&lt;/script&gt;" in page  # the user's own name in the header
    for url in public_pages(plan, fiche_numbers):
        page = client.get(url).content.decode()
        assert "<script>" not in page, f"unescaped script on {url}"
        shown |= {name for name, index in markers.items() if f"&lt;script&gt;s{index}&lt;/script&gt;" in page}
    # The comparison's Excel holds the text as text: a cell, never a formula or markup.
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("planning:comparison_xlsx", args=["suite"])).content)
    )
    cells = {cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row}
    reason = markers["planning.FicheDecision.reason"]
    assert f"<script>s{reason}</script>" in cells
    assert f"<script>s{markers['actions.Fiche.title']}</script>" in cells
    not_shown = set(markers) - shown
    assert not_shown <= NOT_SHOWN, (
        f"fields no page shows: list them in NOT_SHOWN or show them: {not_shown - NOT_SHOWN}"
    )
    assert len(shown) >= 25


class TextOf(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.feed(html)

    def handle_data(self, data):
        self.text += data


def test_the_pdf_prints_them_as_text(client, scp_user, scripted):
    """WeasyPrint reads HTML: an unescaped `<script>` would vanish from the PDF; escaped, it is printed."""
    plan, markers, _ = scripted
    client.force_login(scp_user)
    year = AnnualReview.objects.filter(fiche__number=11).order_by("pk").first().year
    html = bilan_html_for_print(bilan_build(plan=plan, year=year))
    assert "<script>" not in html
    printed = TextOf(html).text  # the text WeasyPrint lays out (not attributes such as `title`)
    in_print = [name for name, index in markers.items() if f"<script>s{index}</script>" in printed]
    assert {"indicators.AnnualReview.achievements", "actions.Fiche.title"} <= set(in_print)
    # Without whitespace: a long line of the PDF may break inside a payload.
    pdf = get_through_job(client, reverse("reporting:bilan_pdf", args=[SPASER54, year])).content
    text = "".join(pdf_text(pdf).split())
    # Its start is enough: a script element would print nothing at all (and a narrow column of the
    # PDF may wrap the rest elsewhere in pdftotext's reading order).
    missing = [name for name in in_print if f"<script>s{markers[name]}<" not in text]
    assert missing == []


def test_the_admin_escapes_them_too(client, scp_user, scripted):
    plan, markers, _ = scripted
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=plan, number=11)
    for url in (
        reverse("admin:actions_fiche_change", args=[fiche.pk]),
        reverse("admin:actions_fiche_changelist"),
        reverse("admin:actions_fiche_history", args=[fiche.pk]),
        reverse("admin:indicators_indicatorvalue_changelist"),
        reverse("admin:indicators_annualreview_changelist"),
        reverse("admin:actions_pilot_changelist"),
        reverse("admin:contracts_contract_changelist"),
        reverse("admin:contracts_contract_change", args=[Contract.objects.order_by("pk").first().pk]),
    ):
        page = client.get(url).content.decode()
        assert "<script>s" not in page and "<script>u" not in page, url
