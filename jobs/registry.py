"""What each kind of job does: higher apps register their handlers here (in their AppConfig.ready),
as jobs sits below them and never imports them.

A handler's `run(job, progress)` returns a `Result`: a file (name and bytes or a file object, read in
chunks and closed once stored), saved through the storage API only once the run is over, and/or a
French message and a link (a DECP import's counts and its log's page). `progress(percent, "étape")`
tells the job page where the run stands.
`cleanup(params)`, optional, removes what the job's params point to in the storage (a DECP import's
uploaded files, kept after a failure for "Relancer") when the job is purged.
`check(user, params)` asks core.rights (raises PermissionDenied with a French message): it is asked
when the job starts and again when its result is downloaded. A `JobError` carries a French message
for the person who started the job; any other exception is logged and shown as a generic message.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

Progress = Callable[[int, str], None]


class JobError(Exception):
    """A failure to show as is to the person who started the job (French)."""


@dataclass(frozen=True)
class Result:
    filename: str = ""
    content: bytes | IO[bytes] | None = None
    message: str = ""
    link: str = ""


@dataclass(frozen=True)
class Handler:
    kind: str
    run: Callable[[Any, Progress], Result]
    check: Callable[[Any, dict], None]
    title: Callable[[dict], str]
    cleanup: Callable[[dict], None] | None = None


_HANDLERS: dict[str, Handler] = {}


def register(kind: str, *, run, check, title, cleanup=None) -> None:
    """Plug a kind of job in (called from a higher app's AppConfig.ready)."""
    _HANDLERS[kind] = Handler(kind=kind, run=run, check=check, title=title, cleanup=cleanup)


def handler(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"No job handler registered for {kind!r}.") from None


def unregister(kind: str) -> None:
    """Remove a kind (tests that plug a handler of their own in)."""
    _HANDLERS.pop(kind, None)
