"""The SPASER 54 fixture is the whole plan, transcribed word for word from the document."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from actions import enums
from actions.loading import PlanLoadError, plan_load
from actions.models import (
    Actor,
    Fiche,
    GlossaryEntry,
    Goal,
    Indicator,
    Means,
    Milestone,
    Plan,
    VigilancePoint,
)
from tests.conftest import PLAN_DIR

SOURCE = Path(settings.BASE_DIR).parent / "shared" / "spaser54" / "spaser54-2021-2026.txt"

pytestmark = pytest.mark.django_db


def normalise(text: str) -> str:
    """The document's text as the fixture writes it: superscripts and emphasis as plain text."""
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\^(\w)", r"\1", text)
    text = text.replace("CO_2", "CO2").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def test_plan_has_4_axes_and_21_fiches_numbered_1_to_21(spaser54):
    assert [a.name for a in spaser54.axes.order_by("position")] == [
        "Transversal",
        "Environnement",
        "Social",
        "Économie responsable",
    ]
    fiches = Fiche.objects.filter(plan=spaser54).with_details()
    assert sorted(f.number for f in fiches) == list(range(1, 22))
    for fiche in fiches:
        assert fiche.objective.axis.plan_id == spaser54.pk, fiche.number
        assert fiche.title and fiche.context, fiche.number
        assert fiche.ordered_pilots(), f"fiche {fiche.number} has no pilot"
        assert fiche.indicators.all(), f"fiche {fiche.number} has no indicator"
        assert fiche.principles.all(), f"fiche {fiche.number} has no principle"
        assert fiche.milestones.all(), f"fiche {fiche.number} has no milestone"
        assert fiche.complexity and fiche.duration, fiche.number
    assert 80 <= Indicator.objects.of_plan(spaser54).count() <= 90


def test_where_the_document_disagrees_with_itself_the_correct_french_is_kept(spaser54):
    """fixtures/spaser54/NOTES.md: fiches 9 and 10 are "Systématiser …", as in the summary table."""
    for number in (9, 10):
        assert Fiche.objects.get(plan=spaser54, number=number).title.startswith("Systématiser "), number


def test_plan_dates_and_years(spaser54):
    assert spaser54.buyer == "Département de Meurthe-et-Moselle"
    assert (spaser54.start_year, spaser54.end_year) == (2021, 2026)
    assert spaser54.adopted_on == datetime.date(2021, 1, 1)
    assert spaser54.updated_on == datetime.date(2024, 10, 1)


def test_shared_objectives(spaser54):
    def numbers_sharing(number):
        objective = Fiche.objects.get(plan=spaser54, number=number).objective
        return sorted(objective.fiches.values_list("number", flat=True))

    assert numbers_sharing(1) == [1, 2]
    assert numbers_sharing(12) == [12, 14]
    assert numbers_sharing(13) == [13, 15]
    assert numbers_sharing(16) == [16, 17, 18]
    assert numbers_sharing(19) == [19, 20]
    assert numbers_sharing(3) == [3]


def test_principles_flagship_pack_and_fiche_21(spaser54):
    fiche3 = Fiche.objects.get(plan=spaser54, number=3)
    assert sorted(p.label for p in fiche3.principles.all()) == ["ANTICIPER", "S'ORGANISER"]
    assert list(Fiche.objects.filter(plan=spaser54, is_flagship=True).values_list("number", flat=True)) == [9]
    pack = spaser54.packs.get()
    assert sorted(pack.fiches.values_list("number", flat=True)) == [1, 16, 18]
    fiche21 = Fiche.objects.get(plan=spaser54, number=21)
    assert fiche21.added_on == datetime.date(2022, 6, 1)
    assert fiche21.objective.axis.name == "Environnement"


def test_spot_checks_of_the_text(spaser54):
    fiche13 = Fiche.objects.get(plan=spaser54, number=13)
    goal = fiche13.goals.get(kind=enums.GoalKind.QUANTITATIVE)
    assert goal.text == "Flécher 4 marchés"
    assert goal.target_value == Decimal(4)

    fiche5 = Fiche.objects.get(plan=spaser54, number=5)
    assert [(p.role, p.service, p.direction.code) for p in fiche5.ordered_pilots()] == [
        ("Responsable de service", "Service GTR", "DIM"),
        ("Directeur", "", "DIMMO"),
    ]
    assert fiche5.goals.filter(target_value=70).exists()
    assert len(Fiche.objects.get(plan=spaser54, number=11).ordered_pilots()) == 2
    for number in (18, 19, 20):
        assert len(Fiche.objects.get(plan=spaser54, number=number).ordered_pilots()) == 2, number
    fiche2 = Fiche.objects.get(plan=spaser54, number=2)
    assert fiche2.indicators.get(kind="realisation").label == "Existence de la grille"
    assert fiche2.indicators.get(kind="realisation").value_type == "boolean"
    assert GlossaryEntry.objects.get(plan=spaser54, acronym="SCP").definition == "Service commande publique"


def test_milestones_keep_their_precision_and_sort(spaser54):
    fiche2 = Fiche.objects.get(plan=spaser54, number=2)
    first_half = fiche2.milestones.get(text__startswith="Fin 1er semestre 2021")
    assert first_half.due_precision == enums.DuePrecision.HALF
    assert first_half.due_date == datetime.date(2021, 6, 30)
    mid_2022 = Milestone.objects.filter(fiche__plan=spaser54, due_label__iexact="mi-2022").first()
    assert mid_2022 is not None and mid_2022.due_date == datetime.date(2022, 6, 30)
    recurring = Milestone.objects.filter(fiche__plan=spaser54, due_relative_year=-1)
    assert recurring.exists() and all(m.due_year is None and m.due_date is None for m in recurring)
    assert first_half.state(datetime.date(2021, 7, 1)) == enums.MilestoneState.LATE
    assert first_half.state(datetime.date(2021, 6, 30)) == enums.MilestoneState.ON_TIME
    assert first_half.due_text == "juin 2021"  # no label in the plan: the month of the computed date
    assert mid_2022.due_text == mid_2022.due_label


@pytest.mark.skipif(
    not SOURCE.exists(), reason="the plan document (shared/spaser54) is not beside the project"
)
def test_every_text_of_the_fixture_is_in_the_document(spaser54):
    """Nothing invented: each title, item and label is found word for word in the source document."""
    source = normalise(SOURCE.read_text(encoding="utf-8"))
    texts = [(f"fiche {f.number} titre", f.title) for f in Fiche.objects.filter(plan=spaser54)]
    for model, field in (
        (Goal, "text"),
        (Milestone, "text"),
        (Actor, "text"),
        (Means, "text"),
        (VigilancePoint, "text"),
        (Indicator, "label"),
    ):
        texts += [(f"{model.__name__} {pk}", text) for pk, text in model.objects.values_list("pk", field)]
    for fiche in Fiche.objects.filter(plan=spaser54):
        texts += [
            (f"fiche {fiche.number} contexte", p.lstrip("- ")) for p in fiche.context.split("\n") if p.strip()
        ]
    missing = [(where, text) for where, text in texts if normalise(text) not in source]
    assert missing == []


def test_loading_twice_changes_nothing(spaser54):
    counts = (Fiche.objects.count(), Indicator.objects.count(), Fiche.history.count())
    report = plan_load(directory=PLAN_DIR)
    assert not report.created
    assert (Fiche.objects.count(), Indicator.objects.count(), Fiche.history.count()) == counts


def test_an_invalid_plan_writes_nothing(db, tmp_path):
    (tmp_path / "fiches").mkdir()
    (tmp_path / "plan.yaml").write_text(
        (PLAN_DIR / "plan.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    good = (PLAN_DIR / "fiches" / "01.yaml").read_text(encoding="utf-8")
    (tmp_path / "fiches" / "01.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "fiches" / "02.yaml").write_text(
        good.replace("objective: T1", "objective: Z9").replace("number: 1\n", "number: 2\n"), encoding="utf-8"
    )
    (tmp_path / "plan.yaml").write_text(
        (PLAN_DIR / "plan.yaml")
        .read_text(encoding="utf-8")
        .replace("slug: spaser54-2021-2026", "slug: autre-plan"),
        encoding="utf-8",
    )
    before = (Plan.objects.count(), Fiche.objects.count(), Fiche.history.count())
    with pytest.raises(PlanLoadError, match="objectif « Z9 » inconnu"):
        plan_load(directory=tmp_path)
    assert (Plan.objects.count(), Fiche.objects.count(), Fiche.history.count()) == before


def test_an_objective_with_fiches_cannot_be_deleted_but_a_whole_plan_can(spaser54):
    from django.db.models import RestrictedError

    objective = Fiche.objects.get(plan=spaser54, number=5).objective
    with pytest.raises(
        RestrictedError, match=re.escape("referenced through restricted foreign keys: 'Fiche.objective'")
    ):
        objective.delete()
    spaser54.delete()
    assert not Fiche.objects.exists() and not Indicator.objects.exists()
