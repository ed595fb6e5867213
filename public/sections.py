"""The sections of a public plan's page, in order: the one list to extend.

A section is an anchor, a heading, a template and a function that builds the template's data from
the plan page's (`selectors.PublicPlanPage`), or returns None to leave the section out. The page's
table of contents and its headings follow this list.

Extension point: the legal indicators (from the contracts register, an app of its own below this
one) plug in here with one more entry, for example
`PlanSection("indicateurs-legaux", "Indicateurs légaux", "public/sections/legal_indicators.html",
lambda page: legal_indicators(plan=page.plan))`, where the build function reads the register's
selector and returns only what may be public (None while the register is empty).
"""

from collections.abc import Callable
from dataclasses import dataclass

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
    PlanSection("bilans", "Bilans publiés", "public/sections/bilans.html", lambda page: {}),
    PlanSection("donnees", "Données ouvertes", "public/sections/data.html", lambda page: {}),
    PlanSection(
        "glossaire",
        "Glossaire",
        "public/sections/glossary.html",
        lambda page: {} if page.glossary or page.packs else None,
    ),
]


def plan_sections(page: PublicPlanPage) -> list[tuple[PlanSection, dict]]:
    """The sections the page shows, each with its data, in the list's order."""
    built = [(section, section.build(page)) for section in PLAN_SECTIONS]
    return [(section, data) for section, data in built if data is not None]
