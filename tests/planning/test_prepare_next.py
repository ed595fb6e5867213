"""Preparing the next plan from SPASER 54 (`plan_prepare_next`): the frame and every fiche carried
over, the indicators continuing the old ones, the old plan untouched; the rule of the plan states."""

import pytest
from django.core.management import CommandError, call_command

from actions import enums, states
from actions.models import Fiche, Indicator, Milestone, Plan
from actions.services import WriteRefused, plan_content_save
from core import rights
from planning import enums as planning_enums
from planning.models import FicheDecision
from planning.services import PreparationError, plan_prepare_next

pytestmark = pytest.mark.django_db

NEW = dict(slug="spaser54-2027-2032", title="SPASER 54 2027-2032", start_year=2027, end_year=2032)


def _rows(plan: Plan) -> dict:
    """The old plan's content as comparable tuples (fiches, milestones, indicators, pilots)."""
    return {
        "fiches": sorted(
            Fiche.objects.filter(plan=plan).values_list("number", "title", "version", "context")
        ),
        "milestones": sorted(
            Milestone.objects.filter(fiche__plan=plan).values_list(
                "pk", "text", "due_date", "status", "version"
            )
        ),
        "indicators": sorted(
            Indicator.objects.filter(fiche__plan=plan).values_list("pk", "code", "target_value", "version")
        ),
        "pilots": sorted(plan.pilots.values_list("pk", "role", "version")),
    }


def test_the_next_plan_carries_every_fiche_over(spaser54, scp_user):
    before = _rows(spaser54)
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)

    assert new.state == enums.PlanState.PREPARATION and new.predecessor == spaser54
    assert _rows(spaser54) == before  # the old plan is read, never written
    old_fiches = {f.number: f for f in spaser54.fiches.all()}
    new_fiches = {f.number: f for f in new.fiches.all()}
    assert sorted(new_fiches) == sorted(old_fiches) and len(new_fiches) == 21
    for number, fiche in new_fiches.items():
        old = old_fiches[number]
        assert fiche.title == old.title and fiche.context == old.context
        assert fiche.objective.axis.plan == new and fiche.objective.code == old.objective.code
        assert [p.label for p in fiche.ordered_pilots()] == [p.label for p in old.ordered_pilots()]
        assert all(p.plan == new for p in fiche.ordered_pilots())
        assert sorted(fiche.principles.values_list("code", flat=True)) == sorted(
            old.principles.values_list("code", flat=True)
        )
    decisions = FicheDecision.objects.of_plan(new)
    assert [d.previous.number for d in decisions] == sorted(old_fiches)
    assert {d.decision for d in decisions} == {planning_enums.FicheDecision.RENEWED}
    assert all(d.fiche.number == d.previous.number and d.fiche.plan == new for d in decisions)
    # The frame: principles, axes and objectives, glossary, packs.
    assert new.axes.count() == spaser54.axes.count() == 4
    assert new.glossary.count() == spaser54.glossary.count()
    assert new.principles.count() == spaser54.principles.count()


def test_indicators_continue_and_targets_stay_with_their_plan(spaser54, scp_user):
    Indicator.objects.filter(fiche__plan=spaser54, code="11-R1").update(target_value=40, target_year=2026)
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    old_indicators = Indicator.objects.of_plan(spaser54)
    carried = Indicator.objects.of_plan(new).select_related("continues")
    assert carried.count() == old_indicators.count() == 83
    for indicator in carried:
        assert indicator.continues.fiche.plan == spaser54 and indicator.continues.code == indicator.code
        assert indicator.target_value is None and indicator.target_year is None
        assert indicator.continues.continues_id is None  # its series starts in SPASER 54
    assert old_indicators.get(code="11-R1").target_value == 40  # the old target stays with its plan


def test_milestones_are_copied_to_redate_except_yearly_ones(spaser54, scp_user):
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    copied = Milestone.objects.filter(fiche__plan=new)
    assert copied.count() == Milestone.objects.filter(fiche__plan=spaser54).count()
    dated = copied.filter(due_relative_year__isnull=True)
    assert dated.exists() and all(m.to_redate and m.due_date is None and not m.due_label for m in dated)
    yearly = copied.filter(due_relative_year__isnull=False)
    assert all(not m.to_redate for m in yearly)
    assert set(copied.values_list("status", flat=True)) == {enums.MilestoneStatus.PLANNED}


def test_history_records_who_prepared(spaser54, scp_user):
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    assert new.history.first().history_user == scp_user
    fiche = new.fiches.get(number=11)
    assert fiche.history.first().history_user == scp_user


def test_the_command_prepares_with_every_fiche_reconduite(spaser54, scp_user, capsys):
    call_command(
        "plan_prepare_next",
        spaser54.slug,
        "--slug",
        NEW["slug"],
        "--title",
        NEW["title"],
        "--start",
        "2027",
        "--end",
        "2032",
        "--by",
        "scp",
    )
    out = capsys.readouterr().out
    assert "21 fiches reconduites" in out and "83 indicateurs prolongés" in out
    new = Plan.objects.get(slug=NEW["slug"])
    assert new.period == "2027-2032" and new.is_in_preparation


@pytest.mark.parametrize(
    "args, message",
    [
        (["--slug", "spaser54-2021-2026", "--start", "2027", "--end", "2032"], "déjà l'identifiant"),
        (["--slug", "suivant", "--start", "2033", "--end", "2032"], "précède sa première année"),
        (["--slug", "suivant", "--start", "2020", "--end", "2026"], "doit commencer après"),
        (["--slug", "pas un slug", "--start", "2027", "--end", "2032"], "invalide"),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(spaser54, args, message):
    plans, fiches = Plan.objects.count(), Fiche.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("plan_prepare_next", spaser54.slug, "--title", "Suivant", *args)
    assert (Plan.objects.count(), Fiche.objects.count()) == (plans, fiches)


def test_an_error_midway_writes_nothing(spaser54, scp_user, monkeypatch):
    """One transaction: a refusal on the last fiche leaves no half-prepared plan."""
    from planning import services as succession

    counts = (
        Plan.objects.count(),
        Fiche.objects.count(),
        Indicator.objects.count(),
        FicheDecision.objects.count(),
    )
    real = succession.fiche_carry_over

    def fail_on_21(*, fiche, **kwargs):
        if fiche.number == 21:
            raise PreparationError("L'objectif « x » n'existe pas dans le plan")
        return real(fiche=fiche, **kwargs)

    monkeypatch.setattr(succession, "fiche_carry_over", fail_on_21)
    with pytest.raises(PreparationError, match="n'existe pas dans le plan"):
        plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    after = (
        Plan.objects.count(),
        Fiche.objects.count(),
        Indicator.objects.count(),
        FicheDecision.objects.count(),
    )
    assert after == counts


# --- what each state allows -----------------------------------------------------------------------


def test_a_plan_in_preparation_is_hidden_from_pilots(spaser54, scp_user, committee_user, pilot11):
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    assert rights.may_read_plan_of(scp_user, new) and rights.may_read_plan_of(committee_user, new)
    assert not rights.may_read_plan_of(pilot11, new)
    assert rights.may_read_plan_of(pilot11, spaser54)


def test_closed_plan_content_is_refused(spaser54, scp_user):
    Plan.objects.filter(pk=spaser54.pk).update(state=enums.PlanState.CLOSED)
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    fiche.title = "Autre titre"
    with pytest.raises(WriteRefused, match="est clos"):
        plan_content_save(obj=fiche, user=scp_user)
    assert Fiche.objects.get(pk=fiche.pk).title != "Autre titre"
    plan = Plan.objects.get(pk=spaser54.pk)
    plan.title = "Autre"
    with pytest.raises(WriteRefused, match="est clos"):
        plan_content_save(obj=plan, user=scp_user)
    plan = Plan.objects.get(pk=spaser54.pk)
    plan.is_public = True  # publishing a closed plan changes no content
    plan_content_save(obj=plan, user=scp_user)


@pytest.mark.parametrize(
    "state, year, allowed",
    [
        (enums.PlanState.IN_FORCE, 2024, True),
        (enums.PlanState.PREPARATION, 2027, False),
        (enums.PlanState.CLOSED, 2025, False),
        (enums.PlanState.CLOSED, 2026, True),  # the campaign of its last year
    ],
)
def test_follow_up_by_state(spaser54, state, year, allowed):
    spaser54.state = state
    assert (states.follow_up_state_refusal(spaser54, year) is None) is allowed


def test_a_sealed_plan_refuses_its_last_year_too(spaser54):
    spaser54.state = enums.PlanState.CLOSED
    check = states.register_seal_check(lambda plan: plan.pk == spaser54.pk)
    try:
        assert states.is_sealed(spaser54)
        assert "bilan de fin de plan est publié" in states.follow_up_state_refusal(spaser54, 2026)
    finally:
        states._seal_checks.remove(check)


def test_current_is_the_plan_in_force(spaser54, scp_user):
    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    assert Plan.objects.current() == spaser54  # the new one is only in preparation
    Plan.objects.filter(pk=new.pk).update(state=enums.PlanState.IN_FORCE)
    assert Plan.objects.current() == new


def test_a_draft_is_not_published(spaser54, scp_user):
    from actions.services import plan_publication_set

    new = plan_prepare_next(old=spaser54, user=scp_user, **NEW)
    with pytest.raises(WriteRefused, match="en préparation"):
        plan_publication_set(plan=new, is_public=True, user=scp_user)
    assert not Plan.objects.get(pk=new.pk).is_public
    Plan.objects.filter(pk=new.pk).update(is_public=True)  # even if set behind the services' back
    assert new not in Plan.objects.public()
    assert not Fiche.objects.public().filter(plan=new).exists()


def test_a_long_title_keeps_the_old_short_title_and_a_too_long_one_is_refused(spaser54, scp_user):
    """The menus show the short title: by default the old plan's (the full title may run to 300)."""
    long_title = "Schéma de promotion des achats publics socialement et écologiquement responsables " * 3
    new = plan_prepare_next(old=spaser54, user=scp_user, **{**NEW, "title": long_title.strip()})
    assert new.short_title == spaser54.short_title and new.title == long_title.strip()
    Plan.objects.filter(pk=new.pk).update(state=enums.PlanState.IN_FORCE)  # one draft at a time
    counts = (Plan.objects.count(), Fiche.objects.count())
    with pytest.raises(PreparationError, match="Titre court : .*au plus 80 caractères"):
        plan_prepare_next(old=spaser54, user=scp_user, **{**NEW, "slug": "autre", "short_title": "x" * 81})
    assert (Plan.objects.count(), Fiche.objects.count()) == counts
