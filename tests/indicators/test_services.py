"""The rules of the yearly follow-up, enforced by the services every page and the admin call."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from actions.enums import MilestoneStatus, ProgressStatus
from indicators.enums import CampaignStatus, ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from indicators.services import campaigns, entry, workflow
from indicators.services.entry import FicheYearConflict, MilestoneInput, ValueInput
from indicators.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db

REVIEW = {
    "progress_status": ProgressStatus.IN_PROGRESS,
    "achievements": "Deux réunions",
    "difficulties": "",
    "outlook": "",
}


def indicators_of(fiche):
    return list(fiche.indicators.order_by("position"))


def save(fiche, user, values, seen=None, review=None, **kwargs):
    return entry.fiche_year_save(
        fiche=fiche, year=2025, values=values, review=review, user=user, seen_versions=seen or {}, **kwargs
    )


def test_a_pilot_saves_values_and_review_with_their_name_in_the_history(fiche11, campaign2025, pilot11):
    meetings, services_count, ratio, hours = indicators_of(fiche11)[:4]
    save(
        fiche11,
        pilot11,
        {
            meetings.pk: ValueInput(Decimal(12), "réunions mensuelles"),
            hours.pk: ValueInput(Decimal("1234.5")),
        },
        review=REVIEW,
    )
    stored = {v.indicator_id: v for v in IndicatorValue.objects.filter(year=2025)}
    assert stored[meetings.pk].value_number == 12 and stored[meetings.pk].comment == "réunions mensuelles"
    assert stored[hours.pk].value_number == Decimal("1234.5")
    assert (
        stored[meetings.pk].updated_by == pilot11
        and stored[meetings.pk].history.get().history_user == pilot11
    )
    review = AnnualReview.objects.get(fiche=fiche11, year=2025)
    assert review.status == ReviewStatus.DRAFT and review.achievements == "Deux réunions"
    assert review.history.get().history_user == pilot11


def test_clearing_a_value_deletes_it_and_the_history_keeps_who_did(fiche11, campaign2025, pilot11):
    meetings = indicators_of(fiche11)[0]
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(3))})
    save(fiche11, pilot11, {meetings.pk: ValueInput(None)}, seen={f"value_{meetings.pk}": 1})
    assert not IndicatorValue.objects.filter(indicator=meetings).exists()
    deleted = IndicatorValue.history.filter(indicator_id=meetings.pk, history_type="-").get()
    assert deleted.history_user == pilot11


def test_submit_locks_the_year_for_pilots_until_returned(fiche11, campaign2025, pilot11, scp_user):
    meetings = indicators_of(fiche11)[0]
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(3))})
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    with pytest.raises(WorkflowError, match="soumis"):
        save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(4))}, seen={f"value_{meetings.pk}": 1})
    with pytest.raises(WorkflowError, match="commentaire obligatoire"):
        workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment="  ")
    workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment="Précisez 11-R1")
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(4))}, seen={f"value_{meetings.pk}": 1})
    assert IndicatorValue.objects.get(indicator=meetings, year=2025).value_number == 4


def test_a_validated_year_is_locked_for_everyone_until_scp_reopens_it(
    fiche11, campaign2025, pilot11, scp_user
):
    meetings = indicators_of(fiche11)[0]
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    with pytest.raises(PermissionDenied, match=r"^Action réservée au service commande publique\.$"):
        workflow.fiche_year_validate(fiche=fiche11, year=2025, user=pilot11)
    review = workflow.fiche_year_validate(fiche=fiche11, year=2025, user=scp_user)
    assert review.status == ReviewStatus.VALIDATED and review.validated_by == scp_user
    for user in (pilot11, scp_user):
        with pytest.raises(WorkflowError, match="validé"):
            save(fiche11, user, {meetings.pk: ValueInput(Decimal(4))})
    workflow.fiche_year_reopen(fiche=fiche11, year=2025, user=scp_user)
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(4))})
    assert [
        h.history_user
        for h in AnnualReview.objects.get(fiche=fiche11, year=2025).history.order_by("history_date")
    ] == [pilot11, pilot11, scp_user, scp_user]


def test_pilots_cannot_save_outside_an_open_campaign(fiche11, campaign2025, pilot11, scp_user):
    meetings = indicators_of(fiche11)[0]
    with pytest.raises(WorkflowError, match="pas ouverte"):
        entry.fiche_year_save(
            fiche=fiche11,
            year=2024,
            values={meetings.pk: ValueInput(Decimal(1))},
            review=None,
            user=pilot11,
            seen_versions={},
        )
    campaigns.campaign_close(campaign=campaign2025, user=scp_user)
    assert campaign2025.status == CampaignStatus.CLOSED
    with pytest.raises(WorkflowError, match="pas ouverte"):
        save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(1))})
    assert not IndicatorValue.objects.exists()
    campaigns.campaign_open(plan=fiche11.plan, year=2025, deadline=datetime.date(2027, 2, 28), user=scp_user)
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(1))})


def test_only_pilots_of_the_fiche_and_scp_may_write(fiche11, campaign2025, pilot5, committee_user, scp_user):
    meetings = indicators_of(fiche11)[0]
    for user in (pilot5, committee_user):
        with pytest.raises(PermissionDenied, match=r"^Vous ne pilotez pas cette fiche\.$"):
            save(fiche11, user, {meetings.pk: ValueInput(Decimal(1))})
        with pytest.raises(PermissionDenied, match=r"^Action réservée au service commande publique\.$"):
            campaigns.campaign_open(
                plan=fiche11.plan, year=2026, deadline=datetime.date(2027, 3, 1), user=user
            )
    save(fiche11, scp_user, {meetings.pk: ValueInput(Decimal(1))})
    assert IndicatorValue.objects.get().updated_by == scp_user


def test_campaign_years_stay_within_the_plan(spaser54, scp_user):
    with pytest.raises(WorkflowError, match="hors du plan"):
        campaigns.campaign_open(plan=spaser54, year=2030, deadline=datetime.date(2031, 1, 31), user=scp_user)


def test_an_indicator_of_another_fiche_is_refused(fiche11, campaign2025, pilot11, spaser54):
    other = spaser54.fiches.get(number=5).indicators.first()
    with pytest.raises(
        WorkflowError, match=r"^Un indicateur du formulaire n'appartient pas à cette fiche\.$"
    ):
        save(fiche11, pilot11, {other.pk: ValueInput(Decimal(1))})
    assert not IndicatorValue.objects.exists()


def test_second_save_on_the_same_field_is_a_conflict_and_writes_nothing(
    fiche11, campaign2025, pilot11, pilot11b
):
    meetings, services_count = indicators_of(fiche11)[:2]
    seen = {f"value_{meetings.pk}": 0, "review": 0}  # both pages opened on an empty year
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(12))}, seen=seen, review=REVIEW)
    with pytest.raises(FicheYearConflict, match=f"^value_{meetings.pk}, review_achievements$") as conflict:
        save(
            fiche11,
            pilot11b,
            {meetings.pk: ValueInput(Decimal(15)), services_count.pk: ValueInput(Decimal(2))},
            seen=seen,
            review=REVIEW | {"achievements": "Trois réunions"},
        )
    by_key = {c.key: c for c in conflict.value.conflicts}
    assert set(by_key) == {f"value_{meetings.pk}", "review_achievements"}
    assert (by_key[f"value_{meetings.pk}"].mine, by_key[f"value_{meetings.pk}"].stored) == ("15", "12")
    assert by_key[f"value_{meetings.pk}"].stored_by == pilot11
    # Nothing of the second submission was written, not even its non-conflicting value.
    assert not IndicatorValue.objects.filter(indicator=services_count).exists()
    assert IndicatorValue.objects.get(indicator=meetings).value_number == 12
    assert AnnualReview.objects.get().achievements == "Deux réunions"


def test_resolving_a_conflict_keeps_the_chosen_value(fiche11, campaign2025, pilot11, pilot11b):
    meetings, services_count = indicators_of(fiche11)[:2]
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(12))}, review=REVIEW)
    current = {f"value_{meetings.pk}": 1, "review": 1}
    save(
        fiche11,
        pilot11b,
        {meetings.pk: ValueInput(Decimal(15)), services_count.pk: ValueInput(Decimal(2))},
        seen=current,
        review=REVIEW | {"achievements": "Trois réunions"},
        keep_stored=frozenset({f"value_{meetings.pk}"}),
    )
    assert IndicatorValue.objects.get(indicator=meetings).value_number == 12
    assert IndicatorValue.objects.get(indicator=services_count).value_number == 2
    assert AnnualReview.objects.get().achievements == "Trois réunions"


def test_copilots_filling_different_indicators_do_not_conflict(fiche11, campaign2025, pilot11, pilot11b):
    meetings, services_count = indicators_of(fiche11)[:2]
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(12)), services_count.pk: ValueInput(None)})
    # pilot11b's page was opened before: it still shows an empty 11-R1, which they leave alone.
    save(fiche11, pilot11b, {meetings.pk: ValueInput(None), services_count.pk: ValueInput(Decimal(2))})
    assert IndicatorValue.objects.get(indicator=meetings).value_number == 12
    assert IndicatorValue.objects.get(indicator=services_count).updated_by == pilot11b


def test_a_value_seen_then_changed_twice_is_still_detected(fiche11, campaign2025, pilot11, pilot11b):
    meetings = indicators_of(fiche11)[0]
    key = f"value_{meetings.pk}"
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(1))})
    save(fiche11, pilot11, {meetings.pk: ValueInput(None)}, seen={key: 1})  # deleted
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(7))}, seen={key: 0})  # re-created
    assert IndicatorValue.objects.get(indicator=meetings).version == 3
    # pilot11b's page showed the first value (version 1)
    with pytest.raises(FicheYearConflict, match=f"^{key}$"):
        save(fiche11, pilot11b, {meetings.pk: ValueInput(Decimal(2))}, seen={key: 1})


def test_milestones_are_marked_done_with_their_date(fiche11, campaign2025, pilot11, pilot11b):
    milestone = fiche11.milestones.first()
    done = MilestoneInput(True, datetime.date(2025, 6, 30), seen_done=False, seen_completed_on=None)
    save(fiche11, pilot11, {}, milestones={milestone.pk: done})
    milestone.refresh_from_db()
    assert (milestone.status, milestone.completed_on) == (MilestoneStatus.DONE, datetime.date(2025, 6, 30))
    assert milestone.history.first().history_user == pilot11
    other = MilestoneInput(True, datetime.date(2025, 9, 1), seen_done=False, seen_completed_on=None)
    with pytest.raises(FicheYearConflict, match=f"^milestone_{milestone.pk}$"):
        save(fiche11, pilot11b, {}, milestones={milestone.pk: other})


def test_a_batch_of_fiche_years_meets_the_same_rule_and_writes_all_or_nothing(
    spaser54, fiche11, campaign2025, pilot11, scp_user
):
    """The values workbook's entry point: one validated fiche-year refuses the whole batch, with its
    reason; once reopened, every fiche-year is written with its author in the history."""
    fiche5 = spaser54.fiches.get(number=5)
    meetings, other = indicators_of(fiche11)[0], indicators_of(fiche5)[0]
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    workflow.fiche_year_validate(fiche=fiche11, year=2025, user=scp_user)

    def batch():
        return [
            entry.FicheYearValues(fiche11, 2025, {meetings.pk: ValueInput(Decimal(4))}, {}),
            entry.FicheYearValues(fiche5, 2024, {other.pk: ValueInput(Decimal(9), "vérifié")}, {}),
        ]

    with pytest.raises(entry.FicheYearsRefused, match="^Le bilan 2025 de la fiche 11 est validé") as refused:
        entry.fiche_years_save_values(plan=spaser54, batch=batch(), user=scp_user)
    assert list(refused.value.refusals) == [(fiche11.pk, 2025)]
    assert not IndicatorValue.objects.filter(indicator__in=[meetings, other]).exists()

    workflow.fiche_year_reopen(fiche=fiche11, year=2025, user=scp_user)
    entry.fiche_years_save_values(plan=spaser54, batch=batch(), user=scp_user)
    stored = IndicatorValue.objects.filter(indicator__in=[meetings, other]).order_by("year")
    assert [(v.year, v.value_number, v.comment) for v in stored] == [(2024, 9, "vérifié"), (2025, 4, "")]
    assert {v.history.get().history_user for v in stored} == {scp_user}


def test_a_batch_saved_against_a_value_changed_meanwhile_is_a_conflict(
    spaser54, fiche11, campaign2025, pilot11, scp_user
):
    meetings = indicators_of(fiche11)[0]
    save(fiche11, pilot11, {meetings.pk: ValueInput(Decimal(1))})
    stale = [entry.FicheYearValues(fiche11, 2025, {meetings.pk: ValueInput(Decimal(2))}, {})]
    with pytest.raises(FicheYearConflict, match=f"^value_{meetings.pk}$"):
        entry.fiche_years_save_values(plan=spaser54, batch=stale, user=scp_user)
    assert IndicatorValue.objects.get(indicator=meetings, year=2025).value_number == 1
