"""The one guard against lost updates, for every writer (pages, admin, imports).

Every content model carries a `version`. A writer that showed a row to a user remembers the version it
showed; saving first *claims* the row with `UPDATE ... SET version = version + 1 WHERE version = <seen>`.
Zero rows updated means someone saved in between: the write is refused and nothing is written (the
caller's transaction is rolled back). The claimed row is then saved normally, so django-simple-history
records it with its author. `select_for_update` would not do: it guards one transaction only, and does
nothing on SQLite.
"""

from django.db import models
from django.db.models import F

from .people import person_name


class Versioned(models.Model):
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        abstract = True


class StaleWrite(Exception):
    """Someone saved the row since the writer read it; the message is for the user (French)."""

    def __init__(self, obj=None, message: str | None = None):
        self.obj = obj
        super().__init__(message or stale_message(obj))


def claim(model: type[models.Model], pk, seen: int) -> bool:
    """Take the row from version `seen` to `seen + 1`; False when someone else saved it meanwhile."""
    return model._default_manager.filter(pk=pk, version=seen).update(version=F("version") + 1) == 1


def save_claimed(obj: Versioned, *, seen: int | None, user=None, update_fields=None) -> None:
    """Save `obj` over the version `seen` (None: the version the instance holds), or raise StaleWrite.

    A new row (no pk) is simply created. Call inside a transaction: a refusal must undo the caller's
    other writes too.
    """
    if user is not None:
        obj._history_user = user
    if obj.pk is None or obj._state.adding:
        obj.save()
        return
    seen = obj.version if seen is None else seen
    if not claim(type(obj), obj.pk, seen):
        raise StaleWrite(obj)
    obj.version = seen + 1
    obj.save(update_fields=update_fields)


def delete_claimed(obj: Versioned, *, seen: int | None = None, user=None) -> None:
    """Delete `obj` if nobody saved it since version `seen`, or raise StaleWrite."""
    if user is not None:
        obj._history_user = user
    seen = obj.version if seen is None else seen
    if not claim(type(obj), obj.pk, seen):
        raise StaleWrite(obj)
    obj.version = seen + 1
    obj.delete()


def last_author(obj) -> str:
    """Who saved `obj` last, as a user reads it, from its history."""
    history = getattr(obj, "history", None)
    record = history.select_related("history_user").first() if history is not None and obj.pk else None
    return person_name(record.history_user if record else None, "un autre utilisateur")


def stale_message(obj=None) -> str:
    what = f"« {obj} »" if obj is not None else "Cet élément"
    return (
        f"{what} a été modifié par {last_author(obj) if obj is not None else 'un autre utilisateur'} "
        "depuis que vous l'avez ouvert : rien n'a été enregistré. Vos saisies sont conservées ; "
        "ouvrez la version enregistrée dans un autre onglet, reportez vos modifications puis "
        "enregistrez à nouveau."
    )
