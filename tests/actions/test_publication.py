"""What SCP makes public: a plan published on the public site, a fiche withheld with a reason. Each
change is a version-checked write with its author in the history, in the admin as through the service.

What the public site then shows is tested in tests/public/.
"""

import datetime

import pytest
from django.urls import reverse

from actions.enums import MilestoneState, MilestoneStatus
from actions.models import Fiche, Plan
from actions.services import plan_publication_set
from core.versioning import StaleWrite
from indicators.models import IndicatorValue
from tests.actions.test_admin import change_form
from tests.factories import AnnualReviewFactory, IndicatorValueFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_plan_is_a_versioned_write_with_its_author(scp_user, spaser54):
    assert not Plan.objects.public().exists()
    seen = spaser54.version
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user, seen_version=seen)
    assert list(Plan.objects.public()) == [spaser54]
    record = spaser54.history.first()
    assert record.is_public and record.history_user == scp_user
    # Someone working from the version read before that write is refused; nothing changes.
    stale = Plan.objects.get(pk=spaser54.pk)
    with pytest.raises(
        StaleWrite, match="a été modifié par .* depuis que vous l'avez ouvert : rien n'a été enregistré"
    ):
        plan_publication_set(plan=stale, is_public=False, user=scp_user, seen_version=seen)
    assert Plan.objects.get(pk=spaser54.pk).is_public


def test_admin_actions_publish_and_withdraw_the_plan(client, scp_user, spaser54):
    client.force_login(scp_user)
    changelist = reverse("admin:actions_plan_changelist")
    page = client.post(changelist, {"action": "make_public", "_selected_action": [spaser54.pk]}, follow=True)
    assert "publié sur le site public" in page.content.decode()
    spaser54.refresh_from_db()
    assert spaser54.is_public and spaser54.history.first().history_user == scp_user
    client.post(changelist, {"action": "make_private", "_selected_action": [spaser54.pk]})
    spaser54.refresh_from_db()
    assert not spaser54.is_public


def test_withholding_a_fiche_needs_a_reason(client, scp_user, spaser54):
    client.force_login(scp_user)
    fiche = Fiche.objects.get(plan=spaser54, number=7)
    url, data = change_form(client, fiche)
    data["is_withheld"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez le motif du retrait" in response.content.decode()
    assert not Fiche.objects.get(pk=fiche.pk).is_withheld

    data["withheld_reason"] = ["Fiche en cours de réécriture."]
    assert client.post(url, data).status_code == 302
    fiche.refresh_from_db()
    assert fiche.is_withheld and fiche.history.first().history_user == scp_user


def test_public_fiches_are_those_of_a_public_plan_not_withheld(scp_user, spaser54):
    assert not Fiche.objects.public().exists()
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    Fiche.objects.filter(plan=spaser54, number=7).update(is_withheld=True, withheld_reason="Motif")
    numbers = set(Fiche.objects.public().values_list("number", flat=True))
    assert numbers == set(range(1, 22)) - {7}


def test_a_completion_not_validated_reads_as_planned_for_the_public(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    milestone = MilestoneFactory(
        fiche=fiche, due_year=2030, status=MilestoneStatus.DONE, completed_on=datetime.date(2025, 3, 1)
    )
    assert milestone.completion_year == 2025
    assert milestone.state() == MilestoneState.DONE
    assert not milestone.completion_validated({2024})
    assert milestone.state(completion_shown=False) == MilestoneState.ON_TIME
    assert milestone.state(datetime.date(2031, 1, 1), completion_shown=False) == MilestoneState.LATE
    assert milestone.completion_validated({2024, 2025})


def test_validated_values_are_those_of_a_validated_year(spaser54):
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    indicator = fiche.indicators.first()
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True)
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True)
    kept = IndicatorValueFactory(indicator=indicator, year=2023)
    IndicatorValueFactory(indicator=indicator, year=2024)
    IndicatorValueFactory(indicator=indicator, year=2025)
    assert list(IndicatorValue.objects.validated()) == [kept]
