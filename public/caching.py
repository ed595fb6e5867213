"""The public site built once per state of the data (core.caching) and sent with validators.

A public page is the same for every visitor, so its bytes are kept per version of the data and day
(and per site address, which the page names), with an ETag that is the hash of those bytes: a page
whose content did not change keeps its ETag across versions, and browsers, proxies and harvesters
that send it back get a 304. On a cache hit a public page costs no query at all, and one read of
the data version (a `Snapshot` per request).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from core.caching import SHARED, data_version, render_once, stamped_key

from . import open_data, selectors
from .models import LegalInformation


@dataclass(frozen=True)
class Built:
    body: bytes
    etag: str  # quoted, as the header carries it


def _built(body: bytes | str) -> Built:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Built(body, '"' + hashlib.sha256(body).hexdigest()[:40] + '"')


def built_forever(*parts, build: Callable[[], bytes | str]) -> Built:
    """For content that never changes (a frozen bilan's PDF): kept in the cache all workers share."""
    return render_once(":".join(map(str, ("public", *parts))), lambda: _built(build()), alias=SHARED)


def legal_information(version: str | None = None) -> LegalInformation:
    """The legal pages' record (what every public page's footer states), read once per data version:
    its history row draws a new version, so an edit in the admin shows on the next request."""
    return render_once(stamped_key("public", "legal", version=version), LegalInformation.objects.current)


class Snapshot:
    """The public site as of the version of the data read when a request starts."""

    def __init__(self):
        self.version = data_version()

    def _once(self, parts: tuple, build: Callable):
        return render_once(stamped_key("public", *parts, version=self.version), build)

    def built(self, *parts, build: Callable[[], bytes | str]) -> Built:
        """What `build` returns for this state of the data, built on the first request only."""
        return self._once(("page", *parts), lambda: _built(build()))

    def legal(self) -> LegalInformation:
        return legal_information(self.version)

    def plans(self) -> list[selectors.PlanMeta]:
        return self._once(("plans",), selectors.public_plans)

    def plan(self, slug: str) -> selectors.PlanMeta | None:
        """The public plan of that address, or None."""
        return next((meta for meta in self.plans() if meta.plan.slug == slug), None)

    def bilan_pk(self, meta: selectors.PlanMeta, scope: str, version: int) -> int:
        """The id of a version the public may read, or 0."""

        def find() -> int:
            bilan = selectors.public_bilan(plan=meta.plan, scope=scope, version=version)
            return bilan.pk if bilan else 0

        return self._once(("bilan", meta.plan.pk, scope, version), find)

    def open_data_rows(self, meta: selectors.PlanMeta, origin: str) -> open_data.OpenData:
        """The rows of a plan's open data, read once for all its files."""
        return self._once(
            ("open-data", meta.plan.pk, origin), lambda: open_data.open_data(meta=meta, origin=origin)
        )
