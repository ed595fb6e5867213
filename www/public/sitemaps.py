"""sitemap.xml: every page of the public site, for search engines."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from actions.models import Fiche
from public import caching, selectors


def public_paths() -> list[tuple[str, object]]:
    """(path, last change) of every public page: a few queries per public plan."""
    paths = [(reverse("public:index"), None)]
    legal_changed = caching.legal_information().updated_at
    paths += [
        (reverse(f"public:{name}"), legal_changed)
        for name in ("accessibility", "legal_notice", "personal_data")
    ]
    for meta in caching.Snapshot().plans():
        slug, changed = meta.plan.slug, meta.updated_at
        paths += [(reverse(f"public:{name}", args=[slug]), changed) for name in ("plan", "bilans", "data")]
        numbers = (
            Fiche.objects.public().filter(plan=meta.plan).order_by("number").values_list("number", flat=True)
        )
        paths += [(reverse("public:fiche", args=[slug, number]), changed) for number in numbers]
        for bilan in selectors.public_bilans(plan=meta.plan):
            paths.append(
                (reverse("public:bilan", args=[slug, bilan.scope, bilan.version]), bilan.published_at)
            )
    return paths


class PublicSitemap(Sitemap):
    def items(self):
        return public_paths()

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


SITEMAPS = {"public": PublicSitemap}
