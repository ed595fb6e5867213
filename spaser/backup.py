"""Backup and restore of all the application's data, as one JSON file (optionally compressed).

The file is Django's serialization (dumpdata/loaddata), readable and independent of the database
engine: a backup taken on SQLite restores into PostgreSQL and back. Users and groups are written
with their natural keys (username, group name), so they match the groups that `migrate` creates
in the new database; every other row keeps its primary key, so history rows and references stay
exactly as they were. Content types and permissions are rebuilt by `migrate`; sessions are not
kept (everyone logs in again after a restore).
"""

from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import override_settings

from core.caching import data_changed

EXCLUDED = ("contenttypes", "auth.Permission", "sessions")
SUFFIXES = (".json", ".json.gz", ".json.bz2", ".json.xz")
# Rows `migrate` itself creates in a new database: the role groups (core/rights.py).
CREATED_BY_MIGRATE = (Group,)


class BackupError(Exception):
    """The backup or restore cannot be done; nothing was written."""


def _check_suffix(path: Path) -> None:
    if not path.name.endswith(SUFFIXES):
        raise BackupError(
            f"Le fichier « {path.name} » doit se terminer par {', '.join(SUFFIXES)} "
            "(.gz, .bz2 ou .xz : compressé)."
        )


def backed_up_models() -> list[type[Model]]:
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label.lower() for label in EXCLUDED if "." in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps and model._meta.label_lower not in excluded_models
    ]


def database_backup(*, path: Path) -> dict[str, int]:
    """Write every row of the application into `path`, as one consistent snapshot.

    Returns the number of rows per model. The dump runs in one read-only transaction (repeatable
    read on PostgreSQL): values saved while it runs are either all in the file or not at all.
    """
    path = Path(path)
    _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        counts = {model._meta.label: model._default_manager.count() for model in backed_up_models()}
        call_command(
            "dumpdata",
            *[f"--exclude={label}" for label in EXCLUDED],
            natural_foreign=True,
            natural_primary=True,
            output=str(path),
            verbosity=0,
        )
    return {label: count for label, count in counts.items() if count}


def database_restore(*, path: Path) -> dict[str, int]:
    """Load a backup into a new, migrated database: everything or nothing.

    Refuses a database that already holds data (other than what `migrate` creates), so that a
    restore never mixes two states. Returns the number of rows per model after the restore.
    """
    path = Path(path)
    _check_suffix(path)
    if not path.is_file():
        raise BackupError(f"Fichier introuvable : {path}")
    with transaction.atomic():
        filled = [
            model._meta.verbose_name_plural
            for model in backed_up_models()
            if model not in CREATED_BY_MIGRATE and model._default_manager.exists()
        ]
        if filled:
            raise BackupError(
                "La base de données n'est pas vide ("
                + ", ".join(str(name) for name in filled[:5])
                + (", …" if len(filled) > 5 else "")
                + ") : restaurez dans une base neuve, créée par "
                "« manage.py migrate ». Rien n'a été modifié."
            )
        try:
            # The history rows are in the file: loading must not write new ones. Saves are raw (no
            # history), but many-to-many links would each add a history row without this switch.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(path), verbosity=0)
        except Exception as exc:  # loaddata raises many kinds; each means the file cannot be loaded
            raise BackupError(f"Sauvegarde illisible ou incohérente, rien n'a été restauré : {exc}") from exc
        counts = {model._meta.label: model._default_manager.count() for model in backed_up_models()}
        data_changed()  # no history row was written: say the data changed, so no cached page survives
    return {label: count for label, count in counts.items() if count}
