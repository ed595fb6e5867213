"""The schema document (the plan itself, not a bilan): its data in a fixed number of queries, the web
page and the tagged PDF on the real SPASER 54, a plan in preparation's draft, and who may open what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from actions import enums
from actions.models import (
    Actor,
    Axis,
    Fiche,
    GlossaryEntry,
    Goal,
    Indicator,
    Means,
    Milestone,
    Pack,
    Principle,
    VigilancePoint,
)
from planning.services import plan_prepare_next
from reporting.caching import live_schema_pdf
from reporting.schema import DRAFT_NOTICE, TO_REDATE, schema_build, schema_pdf
from tests.factories import (
    AxisFactory,
    FicheFactory,
    FichePilotFactory,
    IndicatorFactory,
    MilestoneFactory,
    ObjectiveFactory,
    PlanFactory,
)
from tests.reporting.conftest import pdf_headings, pdf_info, pdf_text, squash
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db

# schema_build's queries: principles, axes, objectives, fiches, the fiches' principles, pilots, goals,
# milestones, actors, means, vigilance points and indicators, packs, glossary.
SCHEMA_QUERIES = 14


def _five_fiche_plan(state=enums.PlanState.IN_FORCE):
    """A plan of its own: two axes, five fiches with every section filled, a pack, a glossary."""
    plan = PlanFactory(state=state, short_title="Plan d'essai")
    Principle.objects.create(plan=plan, code="agir", label="AGIR", description="pour modifier l'existant")
    pack = Pack.objects.create(plan=plan, code="pack", name="Pack à la carte", description="Trois actions")
    GlossaryEntry.objects.create(plan=plan, acronym="SCP", definition="Service commande publique")
    objectives = [ObjectiveFactory(axis=AxisFactory(plan=plan)) for _ in range(2)]
    for index in range(5):
        fiche = FicheFactory(
            objective=objectives[index % 2], is_flagship=index == 0, pack=pack if index < 2 else None
        )
        fiche.context = f"Contexte de la fiche {fiche.number}"
        fiche.save()
        FichePilotFactory(fiche=fiche)
        Goal.objects.create(fiche=fiche, kind=enums.GoalKind.QUANTITATIVE, text=f"But chiffré {index}")
        Goal.objects.create(fiche=fiche, kind=enums.GoalKind.QUALITATIVE, text=f"But qualitatif {index}")
        Actor.objects.create(fiche=fiche, kind=enums.ActorKind.INTERNAL, text=f"Acteur interne {index}")
        Actor.objects.create(fiche=fiche, kind=enums.ActorKind.EXTERNAL, text=f"Acteur externe {index}")
        Means.objects.create(fiche=fiche, kind=enums.MeansKind.HUMAN, text=f"Moyen humain {index}")
        Means.objects.create(fiche=fiche, kind=enums.MeansKind.FINANCIAL, text=f"Moyen financier {index}")
        VigilancePoint.objects.create(fiche=fiche, text=f"Point de vigilance {index}")
        MilestoneFactory(fiche=fiche, due_label="fin 2024")
        MilestoneFactory(fiche=fiche, to_redate=True, text=f"Jalon reconduit {index}")
        IndicatorFactory(fiche=fiche, kind=enums.IndicatorKind.REALISATION)
        IndicatorFactory(fiche=fiche, kind=enums.IndicatorKind.EVALUATION, target_value=70, target_year=2026)
    return plan


def _count_queries(plan) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        schema = schema_build(plan=plan)
    return len(queries.captured_queries), schema


def test_schema_build_reads_a_fixed_number_of_queries(spaser54, django_assert_max_num_queries):
    small = _five_fiche_plan()
    with django_assert_max_num_queries(SCHEMA_QUERIES):  # one per table, whatever the fiches
        schema_build(plan=spaser54)
    real_count, real = _count_queries(spaser54)
    small_count, few = _count_queries(small)
    assert real["fiche_count"] == 21 and few["fiche_count"] == 5
    assert real_count == small_count == SCHEMA_QUERIES


def test_schema_build_holds_every_section_as_the_tables_do(spaser54):
    schema = schema_build(plan=spaser54)
    fiches = {f["number"]: f for axis in schema["axes"] for f in axis["fiches"]}
    assert sorted(fiches) == sorted(Fiche.objects.filter(plan=spaser54).values_list("number", flat=True))
    assert [a["name"] for a in schema["axes"]] == list(
        Axis.objects.filter(plan=spaser54).order_by("position").values_list("name", flat=True)
    )
    for fiche in Fiche.objects.filter(plan=spaser54).with_details():
        data = fiches[fiche.number]
        assert data["context"] == fiche.context
        texts = lambda sections: [row["text"] for kind in sections for row in kind["rows"]]  # noqa: E731
        assert sorted(texts(data["goals"])) == sorted(g.text for g in fiche.goals.all())
        assert sorted(texts(data["actors"])) == sorted(a.text for a in fiche.actors.all())
        assert sorted(texts(data["means"])) == sorted(m.text for m in fiche.means.all())
        assert data["vigilance_points"] == [v.text for v in fiche.vigilance_points.all()]
        assert [m["text"] for m in data["milestones"]] == [m.text for m in fiche.milestones.all()]
        labels = [i["label"] for kind in data["indicators"] for i in kind["rows"]]
        assert sorted(labels) == sorted(i.label for i in fiche.indicators.all())
        assert [p["label"] for p in data["pilots"]] == [p.label for p in fiche.ordered_pilots()]
    # Fiches 1, 16 and 18 form the "pack à la carte", as the document says.
    assert [p["fiches"] for p in schema["packs"]] == [[1, 16, 18]]
    assert schema["cover"]["is_draft"] is False and schema["cover"]["adopted_label"]


def test_page_shows_every_fiche_title_and_every_indicator_label(
    client, committee_user, spaser54, django_assert_max_num_queries
):
    client.force_login(committee_user)
    # Session, user, the user's groups and posts, demo flag, the plan, then schema_build's queries.
    with django_assert_max_num_queries(6 + SCHEMA_QUERIES):
        response = client.get(reverse("reporting:schema", kwargs={"slug": spaser54.slug}))
    assert response.status_code == 200
    page = response.content.decode()
    for fiche in Fiche.objects.filter(plan=spaser54):
        assert f"Fiche {fiche.number} – {escape(fiche.title)}" in page, fiche.number
    for indicator in Indicator.objects.of_plan(spaser54):
        assert escape(indicator.label) in page, indicator.code
    for text in Actor.objects.filter(fiche__plan=spaser54).values_list("text", flat=True):
        assert escape(text) in page
    for text in Means.objects.filter(fiche__plan=spaser54).values_list("text", flat=True):
        assert escape(text) in page
    for text in VigilancePoint.objects.filter(fiche__plan=spaser54).values_list("text", flat=True):
        assert escape(text) in page
    assert reverse("reporting:schema_pdf", kwargs={"slug": spaser54.slug}) in page
    assert "Synthèse des fiches-actions" in page and "Glossaire" in page
    assert DRAFT_NOTICE not in page


def test_the_real_plan_pdf_holds_every_fiche_axis_and_the_summary_and_is_tagged(spaser54):
    pdf = schema_pdf(schema_build(plan=spaser54))
    text = squash(pdf_text(pdf))
    for fiche in Fiche.objects.filter(plan=spaser54):
        assert f"Fiche {fiche.number} – {squash(fiche.title)}" in text, fiche.number
    for axis in Axis.objects.filter(plan=spaser54):
        assert f"Axe {axis.name}" in text
    assert "Synthèse des fiches-actions" in text and "Complexité / durée" in text
    assert "Sommaire" in text and "Glossaire" in text and "Packs d'actions" in text
    for entry in spaser54.glossary.all():
        assert squash(entry.definition) in text
    assert DRAFT_NOTICE not in text
    info = pdf_info(pdf)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    headings = pdf_headings(pdf)
    assert ("H1", "SPASER 54 2021-2026") in headings
    assert ("H2", "Synthèse des fiches-actions") in headings
    # The table of contents gives each fiche's page, and the fiche is on that page.
    pages = pdf_text(pdf).split("\f")
    toc = re.search(r"Fiche 1 – .*?\.{2,}\s*(\d+)\s*$", pages[1], re.MULTILINE)
    assert toc, pages[1]
    page = squash(pages[int(toc[1]) - 1])
    assert (
        "Fiche 1 – Encadrer et former les services acheteurs" in page and "Contexte / état des lieux" in page
    )


def test_a_plan_in_preparation_reads_projet_and_its_carried_milestones_a_redater(
    client, committee_user, spaser54, scp_user
):
    draft = plan_prepare_next(
        old=spaser54,
        slug="spaser54-2027-2032",
        title="SPASER 54",
        start_year=2027,
        end_year=2032,
        user=scp_user,
    )
    assert Milestone.objects.filter(fiche__plan=draft, to_redate=True).exists()
    client.force_login(committee_user)
    page = client.get(reverse("reporting:schema", kwargs={"slug": draft.slug})).content.decode()
    assert DRAFT_NOTICE in page and "En préparation" in page
    assert TO_REDATE in page
    for fiche in Fiche.objects.filter(plan=draft):
        assert f"Fiche {fiche.number} – {escape(fiche.title)}" in page


def test_the_draft_pdf_says_projet_and_a_redater(client, committee_user):
    draft = _five_fiche_plan(state=enums.PlanState.PREPARATION)
    client.force_login(committee_user)
    response = get_through_job(client, reverse("reporting:schema_pdf", kwargs={"slug": draft.slug}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{draft.slug}-schema.pdf"' in response["Content-Disposition"]
    pages = [page for page in pdf_text(response.content).split("\f") if page.strip()]
    assert all("Projet de schéma 2021-2026" in page for page in pages[1:])  # the running header
    text = squash(" ".join(pages))
    assert DRAFT_NOTICE in text and TO_REDATE in text and "En préparation" in text
    for fiche in Fiche.objects.filter(plan=draft):
        assert f"Fiche {fiche.number} – {fiche.title}" in text
    for section in (
        "Contexte de la fiche",
        "But chiffré",
        "But qualitatif",
        "Acteur externe",
        "Moyen financier",
    ):
        assert section in text, section
    assert "Point de vigilance 4" in text and "70 % en 2026" not in text  # a count, not a percentage
    assert "70 en 2026" in text


def test_the_pdf_is_rendered_once_per_state_of_the_data(scp_user):
    plan = _five_fiche_plan()
    first, stamp = live_schema_pdf(plan=plan)
    again, same_stamp = live_schema_pdf(plan=plan)
    assert again is not None and again == first and same_stamp == stamp
    fiche = Fiche.objects.filter(plan=plan).order_by("number").first()
    fiche.title = "Un titre changé"
    fiche.save()  # a history row: a new version of the data
    changed, new_stamp = live_schema_pdf(plan=plan)
    assert new_stamp != stamp and "Un titre changé" in pdf_text(changed)


LOGIN = "login"


@pytest.mark.parametrize(
    "state, url_name, expected",
    [
        # role: anonymous, pilot (fiche 11), other pilot, comité, SCP
        (enums.PlanState.IN_FORCE, "reporting:schema", (LOGIN, 200, 200, 200, 200)),
        (enums.PlanState.IN_FORCE, "reporting:schema_pdf", (LOGIN, 403, 403, 200, 200)),
        (enums.PlanState.PREPARATION, "reporting:schema", (LOGIN, 404, 404, 200, 200)),
        (enums.PlanState.PREPARATION, "reporting:schema_pdf", (LOGIN, 404, 404, 200, 200)),
        (enums.PlanState.CLOSED, "reporting:schema", (LOGIN, 200, 200, 200, 200)),
        (enums.PlanState.CLOSED, "reporting:schema_pdf", (LOGIN, 403, 403, 200, 200)),
    ],
)
def test_who_opens_the_schema(client, role_users, small_plan, state, url_name, expected):
    small_plan.state = state
    small_plan.save()
    url = reverse(url_name, kwargs={"slug": small_plan.slug})
    for role, answer in zip(("anonymous", "pilot", "other_pilot", "committee", "scp"), expected, strict=True):
        client.logout()
        if role_users[role]:
            client.force_login(role_users[role])
        response = get_through_job(client, url)
        if answer == LOGIN:
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), role
        else:
            assert response.status_code == answer, (role, url)


def test_an_unknown_plan_is_404(client, committee_user, spaser54):
    client.force_login(committee_user)
    assert client.get(reverse("reporting:schema", kwargs={"slug": "inconnu"})).status_code == 404
    assert client.get(reverse("reporting:schema_pdf", kwargs={"slug": "inconnu"})).status_code == 404
