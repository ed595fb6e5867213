"""A plan's state changes only through `plan_state_set`: the allowed transitions with French refusals,
the version check and the history's author; in the admin, the two actions ("Mettre en vigueur",
"Clore le plan") and the state shown in the list, never editable in the form."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actions import services, states
from actions.enums import PlanState
from actions.models import Plan
from core import rights
from core.versioning import StaleWrite
from tests.factories import PlanFactory, user_in_role
from tests.utils import form_data

pytestmark = pytest.mark.django_db

IN_2025 = datetime.date(2025, 6, 1)
IN_2026 = datetime.date(2026, 1, 1)  # the first day of SPASER 54's last year


@pytest.fixture
def sealed():
    """A seal check standing in for reporting's (tested in tests/indicators/test_closed_plan.py)."""
    sealed_plans: set[int] = set()

    def check(plan):
        return plan.pk in sealed_plans

    states.register_seal_check(check)
    yield sealed_plans
    states._seal_checks.remove(check)


@pytest.mark.parametrize(
    ("start", "wanted", "today", "is_sealed", "refusal"),
    [
        (PlanState.PREPARATION, PlanState.IN_FORCE, IN_2025, False, None),
        (PlanState.IN_FORCE, PlanState.CLOSED, IN_2026, False, None),
        (PlanState.IN_FORCE, PlanState.CLOSED, IN_2025, False, "qu'à partir du 1er janvier 2026"),
        (PlanState.CLOSED, PlanState.IN_FORCE, IN_2026, False, None),
        (PlanState.CLOSED, PlanState.IN_FORCE, IN_2026, True, "ne peut plus être remis en vigueur"),
        (PlanState.PREPARATION, PlanState.CLOSED, IN_2026, False, "« En préparation » à l'état « Clos »"),
        (
            PlanState.IN_FORCE,
            PlanState.PREPARATION,
            IN_2026,
            False,
            "« En vigueur » à l'état « En préparation »",
        ),
        (PlanState.CLOSED, PlanState.PREPARATION, IN_2026, False, "« Clos » à l'état « En préparation »"),
        (PlanState.IN_FORCE, PlanState.IN_FORCE, IN_2026, False, "est déjà en vigueur"),
        (PlanState.CLOSED, PlanState.CLOSED, IN_2026, False, "est déjà clos"),
    ],
)
def test_transitions_table(scp_user, sealed, start, wanted, today, is_sealed, refusal):
    plan = PlanFactory(state=start)
    if is_sealed:
        sealed.add(plan.pk)
    before = (Plan.objects.get(pk=plan.pk).state, plan.version, Plan.history.filter(id=plan.pk).count())

    if refusal is None:
        services.plan_state_set(
            plan=plan, state=wanted, user=scp_user, seen_version=plan.version, today=today
        )
        stored = Plan.objects.get(pk=plan.pk)
        assert (stored.state, stored.version) == (wanted, before[1] + 1)
        assert plan.history.first().history_user == scp_user
    else:
        with pytest.raises(services.WriteRefused, match=re.escape(refusal)) as error:
            services.plan_state_set(plan=plan, state=wanted, user=scp_user, today=today)
        assert refusal in str(error.value) and "Rien n'a été enregistré" in str(error.value)
        stored = Plan.objects.get(pk=plan.pk)
        assert (stored.state, stored.version, Plan.history.filter(id=plan.pk).count()) == before


def test_closing_is_version_checked_and_reserved_to_scp(scp_user, committee_user, spaser54):
    seen = spaser54.version
    services.plan_publication_set(plan=Plan.objects.get(pk=spaser54.pk), is_public=True, user=scp_user)
    with pytest.raises(
        StaleWrite, match="a été modifié par .* depuis que vous l'avez ouvert : rien n'a été enregistré"
    ):
        services.plan_state_set(
            plan=spaser54, state=PlanState.CLOSED, user=scp_user, seen_version=seen, today=IN_2026
        )
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.IN_FORCE
    with pytest.raises(PermissionDenied, match=r"^Action réservée au service commande publique\.$"):
        services.plan_state_set(plan=spaser54, state=PlanState.CLOSED, user=committee_user, today=IN_2026)
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.IN_FORCE


def test_a_closed_plan_keeps_its_row_except_its_publication(scp_user, spaser54):
    services.plan_state_set(plan=spaser54, state=PlanState.CLOSED, user=scp_user, today=IN_2026)
    plan = Plan.objects.get(pk=spaser54.pk)
    plan.title = "Autre titre"
    with pytest.raises(services.WriteRefused, match="est clos"):
        services.plan_content_save(obj=plan, user=scp_user)
    # Publishing it on the public site (or withdrawing it) changes no content: still allowed.
    services.plan_publication_set(plan=Plan.objects.get(pk=spaser54.pk), is_public=True, user=scp_user)
    assert Plan.objects.get(pk=spaser54.pk).is_public
    assert Plan.objects.get(pk=spaser54.pk).title != "Autre titre"


# --- the admin -------------------------------------------------------------------------------------


def test_plan_list_shows_the_state_and_the_actions(client, scp_user, spaser54):
    client.force_login(scp_user)
    response = client.get(reverse("admin:actions_plan_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "État" in page or "état" in page
    assert "En vigueur" in page
    assert "Mettre en vigueur" in page and "Clore le plan" in page


def test_state_is_not_editable_in_the_plan_form(client, scp_user, spaser54):
    client.force_login(scp_user)
    url = reverse("admin:actions_plan_change", args=[spaser54.pk])
    data = form_data(client.get(url).content.decode(), form_id="plan_form")
    assert "state" not in data
    data["state"] = PlanState.CLOSED  # a crafted post: the field is not in the form
    response = client.post(url, data)
    assert response.status_code == 302
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.IN_FORCE


def run_action(client, action: str, plan: Plan):
    return client.post(
        reverse("admin:actions_plan_changelist"),
        {"action": action, "_selected_action": [plan.pk]},
        follow=True,
    )


def test_admin_actions_close_then_reopen_the_plan(client, scp_user, spaser54):
    client.force_login(scp_user)
    # Today is in or after 2026 on the machines this runs on (SPASER 54's last year has begun).
    response = run_action(client, "close_plan", spaser54)
    assert "SPASER 54 (2021-2026) : clos." in response.content.decode()
    stored = Plan.objects.get(pk=spaser54.pk)
    assert stored.state == PlanState.CLOSED and stored.history.first().history_user == scp_user

    response = run_action(client, "close_plan", stored)
    assert "est déjà clos" in response.content.decode()

    response = run_action(client, "put_in_force", stored)
    assert "en vigueur" in response.content.decode()
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.IN_FORCE


def test_admin_action_puts_a_prepared_plan_in_force(client, scp_user):
    draft = PlanFactory(state=PlanState.PREPARATION, start_year=2027, end_year=2032)
    client.force_login(scp_user)
    run_action(client, "put_in_force", draft)
    assert Plan.objects.get(pk=draft.pk).state == PlanState.IN_FORCE


def test_committee_may_not_run_the_state_actions(client, spaser54):
    member = user_in_role(rights.COMMITTEE_GROUP, username="comite-etat")
    client.force_login(member)
    response = client.post(
        reverse("admin:actions_plan_changelist"), {"action": "close_plan", "_selected_action": [spaser54.pk]}
    )
    assert response.status_code in (302, 403)
    assert Plan.objects.get(pk=spaser54.pk).state == PlanState.IN_FORCE
