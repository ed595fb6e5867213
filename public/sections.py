"""The sections of a public plan's page, in order: the one list to extend.

A section is an anchor, a heading, a template and a function that builds the template's data from
the plan page's (`selectors.PublicPlanPage`), or returns None to leave the section out. The page's
table of contents and its headings follow this list.

The legal indicators (art. L2111-3) come from the contracts register: the buyers' contracts are
public data (DECP) already; the section shows the latest year's table and the trend over the plan's
years, never SCP's working lists (targets met or not are the plan's own, public, commitments).
"""

from collections.abc import Callable
from dataclasses import dataclass

from contracts.models import Contract
from contracts.selectors import legal_default_year, legal_overview, plan_buyers

from .selectors import PublicPlanPage


@dataclass(frozen=True)
class PlanSection:
    anchor: str
    title: str
    template: str
    build: Callable[[PublicPlanPage], dict | None]


PLAN_SECTIONS: list[PlanSection] = [
    PlanSection(
        "fiches", "Les fiches-actions et leur avancement", "public/sections/fiches.html", lambda page: {}
    ),
    PlanSection(
        "annees",
        "Années suivies et validées",
        "public/sections/years.html",
        lambda page: {} if page.years else None,
    ),
    PlanSection(
        "indicateurs-legaux",
        "Indicateurs légaux (art. L2111-3)",
        "public/sections/legal.html",
        lambda page: _legal(page),
    ),
    PlanSection("bilans", "Bilans publiés", "public/sections/bilans.html", lambda page: {}),
    PlanSection("donnees", "Données ouvertes", "public/sections/data.html", lambda page: {}),
    PlanSection(
        "glossaire",
        "Glossaire",
        "public/sections/glossary.html",
        lambda page: {} if page.glossary or page.packs else None,
    ),
]


def _legal(page: PublicPlanPage) -> dict | None:
    """The register's figures for the plan's buyers; None (no section) while it holds none of theirs."""
    plan = page.plan
    if not Contract.objects.of_buyers(plan_buyers(plan)).filter(year__in=plan.years).exists():
        return None
    return {"overview": legal_overview(plan, year=legal_default_year(plan), years=plan.years)}


def plan_sections(page: PublicPlanPage) -> list[tuple[PlanSection, dict]]:
    """The sections the page shows, each with its data, in the list's order."""
    built = [(section, section.build(page)) for section in PLAN_SECTIONS]
    return [(section, data) for section, data in built if data is not None]
