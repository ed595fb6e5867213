"""Set-up commands: loading the plan, the demo set and creating accounts attached to pilots."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from actions.models import Fiche, Plan
from core import rights
from indicators.models import IndicatorValue

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_rights(db):
    call_command("migrate", verbosity=0)  # post_migrate syncs the permissions
    scp = Group.objects.get(name=rights.SCP_GROUP)
    committee = Group.objects.get(name=rights.COMMITTEE_GROUP)
    pilots = Group.objects.get(name=rights.PILOTS_GROUP)
    scp_perms = set(scp.permissions.values_list("codename", flat=True))
    assert {"change_fiche", "add_indicator", "delete_milestone", "change_pilot", "add_user"} <= scp_perms
    committee_perms = set(committee.permissions.values_list("codename", flat=True))
    assert "view_fiche" in committee_perms and not any(p.startswith("change_") for p in committee_perms)
    assert pilots.permissions.count() == 0


def test_load_plan_command_twice(capsys, tmp_path):
    """A second plan (here a copy of SPASER 54 under another identifier) loads beside the first, once."""
    import shutil

    copy = tmp_path / "autre"
    shutil.copytree(settings.BASE_DIR / "fixtures" / "spaser54", copy)
    plan_file = copy / "plan.yaml"
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace("slug: spaser54-2021-2026", "slug: copie")
    )
    plans, fiches = Plan.objects.count(), Fiche.objects.count()
    call_command("load_plan", str(copy))
    call_command("load_plan", str(copy))
    out = capsys.readouterr().out
    assert "21 fiches" in out and "83 indicateurs" in out and "déjà chargé" in out
    assert (Plan.objects.count(), Fiche.objects.count()) == (plans + 1, fiches + 21)


def test_load_plan_command_missing_directory():
    with pytest.raises(CommandError, match="introuvable"):
        call_command("load_plan", "fixtures/nope")


def test_load_demo_is_idempotent_and_flagged(spaser54, capsys):
    path = str(settings.BASE_DIR / "fixtures" / "demo" / "demo.yaml")
    call_command("load_demo", path)
    count = IndicatorValue.objects.count()
    call_command("load_demo", path)
    assert IndicatorValue.objects.count() == count > 200
    assert not IndicatorValue.objects.filter(is_demo=False).exists()
    out = capsys.readouterr().out
    for username in ("scp.demo", "pilote11.demo", "pilote5.demo", "comite.demo"):
        assert username in out
    assert (
        User.objects.get(username="pilote11.demo")
        in Fiche.objects.get(number=11).ordered_pilots()[0].users.all()
    )


def test_create_pilot_user_attaches_to_the_fiche_pilot(spaser54):
    call_command(
        "create_pilot_user",
        "marie",
        "--fiche",
        "19",
        "--pilot-index",
        "2",
        "--password",
        "un-mot-de-passe-long",
    )
    user = User.objects.get(username="marie")
    assert user.groups.filter(name=rights.PILOTS_GROUP).exists() and not user.is_staff
    # The post "Acheteur, Service Commande publique, DIFAJE" pilots several fiches, 19 and 20 among them.
    piloted = set(Fiche.objects.piloted_by(user).values_list("number", flat=True))
    assert {19, 20} <= piloted and 5 not in piloted
    pilot = Fiche.objects.get(number=19).ordered_pilots()[1]
    assert user in pilot.users.all()
    # Running it again changes nothing and duplicates nothing.
    call_command("create_pilot_user", "marie", "--fiche", "19", "--pilot-index", "2")
    assert User.objects.filter(username="marie").count() == 1 and pilot.users.count() == 1


def test_create_pilot_user_errors_in_french(spaser54):
    with pytest.raises(CommandError, match="La fiche 42 n'existe pas"):
        call_command("create_pilot_user", "x", "--fiche", "42")
    with pytest.raises(CommandError, match="doit être rattaché à une fiche"):
        call_command("create_pilot_user", "x")
    with pytest.raises(CommandError, match="pilot-index entre 1 et 2"):
        call_command("create_pilot_user", "x", "--fiche", "5", "--pilot-index", "3")
    assert not User.objects.filter(username="x").exists()


def test_create_scp_user(spaser54):
    call_command("create_pilot_user", "chef", "--role", "scp", "--password", "un-mot-de-passe-long")
    user = User.objects.get(username="chef")
    assert user.is_staff and rights.is_scp(user)
