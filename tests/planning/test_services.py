"""fiche_decide and fiche_add_new on the real SPASER 54 carried into 2027-2032."""

import re

import pytest
from django.core.exceptions import ValidationError

from actions import enums
from actions.models import Fiche, Indicator, Objective
from core.versioning import StaleWrite
from planning import enums as planning_enums
from planning.models import FicheDecision
from planning.services import PreparationError, fiche_add_new, fiche_decide
from tests.planning.conftest import decision_of, prepare
from tests.utils import database_state

pytestmark = pytest.mark.django_db

D = planning_enums.FicheDecision


def decide(plan, number, value, user, reason="", into=None, **kwargs):
    decision = decision_of(plan, number)
    return fiche_decide(
        decision=decision,
        decision_value=value,
        reason=reason,
        into=into,
        user=user,
        seen_version=decision.version,
        **kwargs,
    )


def test_preparing_carries_every_fiche_with_a_renewed_decision(spaser54, next_plan):
    old_numbers = list(
        Fiche.objects.filter(plan=spaser54).order_by("number").values_list("number", flat=True)
    )
    assert len(old_numbers) == 21
    decisions = list(FicheDecision.objects.of_plan(next_plan).select_related("previous", "fiche"))
    assert [d.previous.number for d in decisions] == old_numbers
    assert all(d.decision == D.RENEWED and d.fiche.plan_id == next_plan.pk for d in decisions)
    assert all(d.fiche.title == d.previous.title for d in decisions)


def test_a_second_draft_is_refused(spaser54, next_plan, scp_user):
    with pytest.raises(PreparationError, match="déjà en préparation"):
        prepare(spaser54, scp_user)


def test_modified_keeps_the_copy_and_records_the_author(next_plan, scp_user):
    copy = decision_of(next_plan, 3).fiche
    decision = decide(next_plan, 3, D.MODIFIED, scp_user, reason="Élargie aux marchés de travaux")
    assert decision.fiche == copy and decision.version == 2
    assert decision.history.first().history_user == scp_user
    assert Fiche.objects.filter(pk=copy.pk).exists()


@pytest.mark.parametrize("value", [D.COMPLETED, D.ABANDONED])
def test_ended_fiches_lose_their_copy(next_plan, scp_user, value):
    copy = decision_of(next_plan, 4).fiche
    decision = decide(next_plan, 4, value, scp_user, reason="Objectif atteint en 2025")
    assert decision.decision == value and decision.fiche is None
    assert not Fiche.objects.filter(pk=copy.pk).exists()
    # The deletion is in the history, with its author.
    deleted = Fiche.history.filter(id=copy.pk, history_type="-").get()
    assert deleted.history_user == scp_user


def test_merged_points_at_its_target_and_can_continue_its_indicators(next_plan, scp_user):
    target = decision_of(next_plan, 12).fiche
    old_fiche = decision_of(next_plan, 13).previous
    decide(
        next_plan,
        13,
        D.MERGED,
        scp_user,
        reason="Regroupée avec la fiche 12",
        into=target,
        continue_indicators=True,
    )
    decision = decision_of(next_plan, 13)
    assert decision.fiche == target and decision.decision == D.MERGED
    assert not Fiche.objects.filter(plan=next_plan, number=13).exists()
    continued = Indicator.objects.filter(fiche=target, continues__fiche=old_fiche)
    assert continued.count() == old_fiche.indicators.count() > 0
    assert all(i.target_value is None for i in continued)
    # Deciding again does not copy them twice.
    decide(
        next_plan, 13, D.MERGED, scp_user, reason="Toujours regroupée", into=target, continue_indicators=True
    )
    assert Indicator.objects.filter(fiche=target, continues__fiche=old_fiche).count() == continued.count()


@pytest.mark.parametrize("then", ["renewed", "merged elsewhere", "reason edited"])
def test_leaving_a_merge_takes_the_continued_series_out_of_the_former_target(next_plan, scp_user, then):
    target, other = decision_of(next_plan, 12).fiche, decision_of(next_plan, 14).fiche
    old_fiche = decision_of(next_plan, 13).previous
    decide(next_plan, 13, D.MERGED, scp_user, reason="Avec la 12", into=target, continue_indicators=True)
    own_indicators = set(Indicator.objects.filter(fiche=target, continues__fiche__number=12))
    assert Indicator.objects.filter(fiche=target, continues__fiche=old_fiche).exists()
    if then == "renewed":
        decide(next_plan, 13, D.RENEWED, scp_user)
    elif then == "merged elsewhere":
        decide(next_plan, 13, D.MERGED, scp_user, reason="Avec la 14", into=other, continue_indicators=True)
        assert Indicator.objects.filter(fiche=other, continues__fiche=old_fiche).exists()
    else:  # the same merge, only its reason changed: the series stay
        decide(next_plan, 13, D.MERGED, scp_user, reason="Avec la 12, précisé", into=target)
        assert Indicator.objects.filter(fiche=target, continues__fiche=old_fiche).exists()
        return
    assert not Indicator.objects.filter(fiche=target, continues__fiche=old_fiche).exists()
    assert set(Indicator.objects.filter(fiche=target, continues__fiche__number=12)) == own_indicators
    removed = Indicator.history.filter(
        history_type="-", fiche_id=target.pk, continues_id__in=old_fiche.indicators.values("pk")
    )
    assert removed.exists() and all(r.history_user == scp_user for r in removed)


def test_renewing_again_carries_the_fiche_back(next_plan, scp_user):
    decide(next_plan, 6, D.ABANDONED, scp_user, reason="Hors champ")
    decision = decide(next_plan, 6, D.RENEWED, scp_user)
    assert decision.fiche.number == 6 and decision.fiche.plan == next_plan
    assert decision.fiche.indicators.count() == decision.previous.indicators.count()


def test_a_target_of_a_merge_cannot_be_dropped(next_plan, scp_user):
    target = decision_of(next_plan, 12).fiche
    decide(next_plan, 13, D.MERGED, scp_user, reason="Regroupée", into=target)
    before = database_state()
    with pytest.raises(ValidationError, match="absorbe déjà la fiche 13") as error:
        decide(next_plan, 12, D.ABANDONED, scp_user, reason="Abandon")
    assert "absorbe déjà la fiche 13" in error.value.message_dict["decision"][0]
    assert database_state() == before


@pytest.mark.parametrize(
    ("value", "reason", "into", "field", "message"),
    [
        (D.ABANDONED, "", None, "reason", "Indiquez le motif"),
        (D.COMPLETED, "  ", None, "reason", "Indiquez le motif"),
        (D.MERGED, "Regroupée", None, "into", "Choisissez la fiche du nouveau plan"),
        (D.MERGED, "Regroupée", "own", "into", "sa propre reconduction"),
        (D.MERGED, "Regroupée", "old", "into", "Choisissez une fiche du nouveau plan"),
        ("inconnue", "x", None, "decision", "Choisissez une décision"),
    ],
)
def test_bad_decisions_write_nothing(next_plan, scp_user, value, reason, into, field, message):
    decision = decision_of(next_plan, 5)
    target = {"own": decision.fiche, "old": decision.previous, None: None}[into]
    before = database_state()
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        decide(next_plan, 5, value, scp_user, reason=reason, into=target)
    assert message in error.value.message_dict[field][0]
    assert database_state() == before


def test_a_stale_decision_is_refused(next_plan, scp_user):
    decision = decision_of(next_plan, 7)
    seen = decision.version
    decide(next_plan, 7, D.MODIFIED, scp_user, reason="Première modification")
    before = database_state()
    with pytest.raises(StaleWrite, match="rien n'a été enregistré"):
        fiche_decide(
            decision=decision,
            decision_value=D.ABANDONED,
            reason="Abandon",
            into=None,
            user=scp_user,
            seen_version=seen,
        )
    assert database_state() == before
    assert decision_of(next_plan, 7).decision == D.MODIFIED


def test_decisions_are_refused_once_the_plan_is_in_force(next_plan, scp_user):
    next_plan.state = enums.PlanState.IN_FORCE
    next_plan.save()
    with pytest.raises(PreparationError, match="n'est plus en préparation"):
        decide(next_plan, 5, D.ABANDONED, scp_user, reason="Trop tard")


def test_a_new_fiche_has_no_decision(next_plan, scp_user):
    objective = Objective.objects.filter(axis__plan=next_plan).order_by("pk").first()
    fiche = fiche_add_new(
        plan=next_plan, number=22, title="Achats de denrées locales", objective=objective, user=scp_user
    )
    assert fiche.plan == next_plan and not fiche.origins.exists()
    assert fiche.history.first().history_user == scp_user
    before = database_state()
    with pytest.raises(
        ValidationError, match="Le plan a déjà une fiche numéro 22 : choisissez un autre numéro"
    ) as error:
        fiche_add_new(plan=next_plan, number=22, title="Doublon", objective=objective, user=scp_user)
    assert "déjà une fiche numéro 22" in error.value.message_dict["number"][0]
    old_objective = Objective.objects.exclude(axis__plan=next_plan).first()
    with pytest.raises(ValidationError, match="Choisissez un objectif du nouveau plan") as error:
        fiche_add_new(plan=next_plan, number=23, title="Autre", objective=old_objective, user=scp_user)
    assert "objectif du nouveau plan" in error.value.message_dict["objective"][0]
    assert database_state() == before


@pytest.mark.parametrize("slug", ["accessibilite", "mentions-legales", "donnees-personnelles"])
def test_a_public_page_s_name_is_refused_as_a_plan_s_identifier(spaser54, scp_user, slug):
    """/public/<slug>/ would be the public site's legal page, never the plan's."""
    with pytest.raises(PreparationError, match="réservé à une page du site public"):
        prepare(spaser54, scp_user, slug=slug)
    spaser54.slug = slug
    with pytest.raises(ValidationError, match="réservé à une page du site public"):
        spaser54.full_clean()
