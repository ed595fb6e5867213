"""Render once per state of the data: the version of the data, and a cache of what is built from it.

Every write to a content table goes through `save()` or `delete()` (see the services), so
django-simple-history records it; each history record changes the *data version*, a random token
kept in the "shared" cache, which every worker process reads (a folder by default). Pages that many
people read and that cost more to build than to look up (the fiche page, the bilan) are built once
per data version and day, and served from the cache until the next write.

The token changes twice per write: at once (so that the writer's own transaction, and the tests,
see fresh pages) and again after the commit (so that a page another process built from the data
just before the commit is never served after it). A random token, not a counter, so that two
writers can never leave it at a value a stale page was cached under. Lost (the cache emptied), it
is simply drawn again: every page is then rebuilt once.
"""

from collections.abc import Callable
from typing import TypeVar
from uuid import uuid4

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

T = TypeVar("T")
TIMEOUT = 24 * 3600
SHARED = "shared"
VERSION_KEY = "spaser:data-version"


def data_version() -> str:
    """The current version of the data (a token that changes at every write)."""
    shared = caches[SHARED]
    version = shared.get(VERSION_KEY)
    if version is None:
        version = uuid4().hex
        if not shared.add(VERSION_KEY, version, None):  # another process drew it first
            version = shared.get(VERSION_KEY) or version
    return version


def _new_version() -> None:
    caches[SHARED].set(VERSION_KEY, uuid4().hex, None)


def data_changed(**kwargs) -> None:
    """A write happened (a history record was created, or migrate/restore ran): draw a new version."""
    _new_version()
    transaction.on_commit(_new_version)


def stamped_key(*parts, version: str | None = None) -> str:
    """A cache key for something built from the data as it is now, today.

    The day is part of the key because some states change with the date (a milestone becomes late).
    """
    return ":".join([*map(str, parts), timezone.localdate().isoformat(), version or data_version()])


def render_once(key: str, build: Callable[[], T], *, alias: str = "default") -> T:
    """What `build` returns for `key` (see `stamped_key`), built only on the first request."""
    cache = caches[alias]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
