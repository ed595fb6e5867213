"""Rights are read once per data version and kept in the cache (core.rights): taking a role or a pilot
post away from someone applies at their very next request, whatever way SCP does it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from actions.models import FichePilot
from core import rights
from tests.indicators.conftest import client_for

pytestmark = pytest.mark.django_db


def entry_url(fiche) -> str:
    return reverse("indicators:entry", args=[fiche.plan.slug, fiche.number, 2025])


def test_a_pilot_removed_from_the_post_loses_the_entry_page_at_once(fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    assert client.get(entry_url(fiche11)).status_code == 200
    post = fiche11.fiche_pilots.order_by("position").first().pilot
    post.users.remove(pilot11)
    assert client.get(entry_url(fiche11)).status_code == 403


def test_a_fiche_whose_post_is_removed_is_no_longer_entered_by_its_pilot(fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    assert client.get(entry_url(fiche11)).status_code == 200
    FichePilot.objects.filter(fiche=fiche11, pilot__users=pilot11).delete()
    assert client.get(entry_url(fiche11)).status_code == 403


def test_a_member_taken_out_of_the_committee_no_longer_reads_the_plan(spaser54, committee_user):
    client = client_for(committee_user)
    plan_url = reverse("indicators:plan_detail", args=[spaser54.slug])
    assert client.get(plan_url).status_code == 200
    committee_user.groups.remove(Group.objects.get(name=rights.COMMITTEE_GROUP))
    assert client.get(plan_url).status_code == 403
    Group.objects.get(name=rights.COMMITTEE_GROUP).user_set.add(committee_user)  # the reverse side too
    assert client.get(plan_url).status_code == 200
