"""`manage.py backup` / `restore`: a restore gives back exactly the data that was saved, or nothing."""

import gzip
import json
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone

from actions.models import Fiche, Plan
from indicators.demo import demo_load
from indicators.models import IndicatorValue
from spaser.backup import backed_up_models

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "demo.yaml"

# flush and restore work outside the per-test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def read_backup(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def normalised(objects: list[dict]) -> list[tuple]:
    """The rows of a backup, independent of the order many-to-many links come out in."""

    def field(value):
        return sorted(map(json.dumps, value)) if isinstance(value, list) else value

    return sorted(
        (
            obj["model"],
            json.dumps(obj.get("pk")),
            json.dumps({k: field(v) for k, v in obj["fields"].items()}, sort_keys=True),
        )
        for obj in objects
    )


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in backed_up_models()}


@pytest.fixture
def full_database(spaser54, role_users):
    """The plan, demo values, users of every role, history by a user, an admin log entry, a lockout."""
    demo_load(path=DEMO)
    scp = role_users["scp"]
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    fiche.title += " (modifiée)"
    fiche._history_user = scp
    fiche.save()
    fiche.principles.remove(fiche.principles.first())
    LogEntry.objects.log_actions(
        user_id=scp.pk, queryset=[fiche], action_flag=CHANGE, change_message="Titre modifié"
    )
    AccessAttempt.objects.create(
        username="pilote5",
        ip_address="192.0.2.7",
        user_agent="test",
        failures_since_start=2,
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        http_accept="",
        path_info="/connexion/",
    )
    return spaser54


def test_restore_gives_back_identical_data(full_database, tmp_path, capsys):
    backup = tmp_path / "sauvegarde.json.gz"
    call_command("backup", output=str(backup))
    assert "Sauvegarde écrite" in capsys.readouterr().out
    saved = read_backup(backup)
    counts_before = table_counts()
    assert counts_before["indicators.IndicatorValue"] > 300 and counts_before["actions.HistoricalFiche"] > 21

    # A new database: what `migrate` leaves (content types, permissions, the role groups).
    call_command("flush", interactive=False, verbosity=0)
    assert Plan.objects.count() == 0 and User.objects.count() == 0 and Group.objects.count() == 3

    call_command("restore", str(backup))
    assert table_counts() == counts_before
    again = tmp_path / "again.json"
    call_command("backup", output=str(again))
    assert normalised(read_backup(again)) == normalised(saved)

    # Spot checks through the models: logins, roles, history authors, values, permissions.
    scp = User.objects.get(username="scp")
    assert scp.check_password("mot-de-passe-de-test-54")
    assert scp.groups.get().name == "Service commande publique"
    assert scp.groups.get().permissions.filter(codename="change_fiche").exists()
    fiche = Fiche.objects.get(number=11)
    assert fiche.title.endswith("(modifiée)")
    assert fiche.history.filter(history_user=scp).exists()
    assert fiche.pilots.filter(users__username="pilote11").exists()
    assert IndicatorValue.objects.filter(is_demo=True).count() == counts_before["indicators.IndicatorValue"]
    log = LogEntry.objects.get()
    assert log.user == scp and log.content_type == ContentType.objects.get_for_model(Fiche)


def test_restore_refuses_a_database_with_data_and_changes_nothing(full_database, tmp_path):
    backup = tmp_path / "sauvegarde.json"
    call_command("backup", output=str(backup))
    counts = table_counts()
    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restore", str(backup))
    assert table_counts() == counts


def test_a_broken_backup_restores_nothing(full_database, tmp_path):
    backup = tmp_path / "sauvegarde.json"
    call_command("backup", output=str(backup))
    objects = read_backup(backup)
    # A value pointing at an indicator that is not in the file: found only at the end of the load.
    bad = next(o for o in objects if o["model"] == "indicators.indicatorvalue")
    bad["fields"]["indicator"] = 999_999
    objects.append(objects.pop(objects.index(bad)))
    backup.write_text(json.dumps(objects), encoding="utf-8")
    call_command("flush", interactive=False, verbosity=0)
    empty = table_counts()

    with pytest.raises(CommandError, match="rien n'a été restauré"):
        call_command("restore", str(backup))
    assert table_counts() == empty

    truncated = tmp_path / "tronquee.json"
    truncated.write_text(json.dumps(objects)[:5000], encoding="utf-8")
    with pytest.raises(CommandError, match="rien n'a été restauré"):
        call_command("restore", str(truncated))
    assert table_counts() == empty


def test_backup_names_its_format_and_restore_needs_an_existing_file(db, tmp_path):
    with pytest.raises(CommandError, match=r"doit se terminer par \.json"):
        call_command("backup", output=str(tmp_path / "sauvegarde.sql"))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("restore", str(tmp_path / "absente.json"))
