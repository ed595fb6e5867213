"""The next plan's decisions moved from `actions` to `planning` (actions 0010, planning 0001): a database
prepared before the move keeps its decisions, their history with its authors, and the role groups'
permissions on them."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core import rights
from planning.models import FicheDecision

BEFORE = [("actions", "0009_several_plans"), ("planning", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


@pytest.fixture
def before_the_move():
    """The database as it was before the move; migrated to the end again whatever the test does."""
    old = _migrate(BEFORE)
    yield old
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_decisions_their_history_and_permissions_survive_the_move(before_the_move):
    old = before_the_move
    user = User.objects.create(username="scp.avant")
    Plan = old.get_model("actions", "Plan")
    Axis = old.get_model("actions", "Axis")
    Objective = old.get_model("actions", "Objective")
    Fiche = old.get_model("actions", "Fiche")
    OldDecision = old.get_model("actions", "FicheDecision")
    OldHistory = old.get_model("actions", "HistoricalFicheDecision")
    ContentType = old.get_model("contenttypes", "ContentType")
    first = Plan.objects.create(
        slug="p1", title="P1", short_title="P1", buyer="CD", start_year=2021, end_year=2026
    )
    second = Plan.objects.create(
        slug="p2", title="P2", short_title="P2", buyer="CD", start_year=2027, end_year=2032, predecessor=first
    )
    objective = Objective.objects.create(
        axis=Axis.objects.create(plan=first, name="Axe"), code="1", title="O"
    )
    fiche = Fiche.objects.create(plan=first, number=3, title="Fiche 3", objective=objective)
    decision = OldDecision.objects.create(plan=second, previous=fiche, decision="abandonnee", reason="Faite")
    OldHistory.objects.create(
        id=decision.pk,
        version=1,
        decision="abandonnee",
        reason="Faite",
        plan_id=second.pk,
        previous_id=fiche.pk,
        history_date="2026-11-02T10:00:00Z",
        history_type="+",
        history_user_id=user.pk,
    )
    # The content types and permissions as a database migrated before the move has them (unapplying
    # planning 0001 moved them back).
    content_type = ContentType.objects.get(app_label="actions", model="fichedecision")
    change = old.get_model("auth", "Permission").objects.get(
        content_type=content_type, codename="change_fichedecision"
    )
    old.get_model("auth", "Group").objects.get_or_create(name=rights.SCP_GROUP)[0].permissions.add(change)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = FicheDecision.objects.get()
    assert (moved.pk, moved.plan.slug, moved.previous.number, moved.decision, moved.reason) == (
        decision.pk,
        "p2",
        3,
        "abandonnee",
        "Faite",
    )
    record = moved.history.get()
    assert (record.history_user.username, record.reason) == ("scp.avant", "Faite")
    permission = Permission.objects.get(codename="change_fichedecision")
    assert permission.content_type.app_label == "planning"
    assert Group.objects.get(name=rights.SCP_GROUP).permissions.filter(pk=permission.pk).exists()
    # The next decision is written in the renamed table, after the moved one.
    fiche4 = fiche.__class__.objects.create(plan=first, number=4, title="Fiche 4", objective=objective)
    assert FicheDecision.objects.create(plan=moved.plan, previous_id=fiche4.pk).pk > moved.pk
