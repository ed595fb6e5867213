"""One fiche, one sections template: the fiche page, the public fiche page, the entry page's reminder and
the bilan (HTML and PDF) draw a fiche's sections with templates/includes/fiche_sections.html, so the same
fiche reads the same sections, in the same words, on each page; each page keeps its heading outline."""

import re

import pytest
from django.urls import reverse

from actions.models import Fiche
from actions.services import plan_publication_set
from tests.indicators.conftest import client_for

pytestmark = pytest.mark.django_db

SECTIONS = "includes/fiche_sections.html"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(page: str, anchor: str, *, states: bool = True) -> str:
    """The text of the page's section `anchor` (its heading and content); without the milestones'
    states (`states=False`), which each page reads at its own date and for its own audience."""
    found = re.search(rf'<section class="section" id="{anchor}".*?</section>', page, re.S)
    assert found, anchor
    html = found.group(0) if states else re.sub(r'<span class="badge[^"]*">.*?</span>', "", found.group(0))
    return _text(html)


def _list(page: str, title: str, level: int) -> str:
    found = re.search(rf"<h{level}>{title}s?</h{level}>\s*<ul.*?</ul>", page, re.S)
    assert found, (title, level)
    return _text(found.group(0))


def test_the_pages_draw_the_fiche_sections_with_the_one_template_and_the_same_texts(demo_plan, scp_user):
    fiche = Fiche.objects.get(plan=demo_plan, number=3)
    plan_publication_set(plan=demo_plan, is_public=True, user=scp_user)
    scp, slug = client_for(scp_user), demo_plan.slug
    pages = {
        "fiche": scp.get(reverse("indicators:fiche_detail", args=[slug, 3])),
        "public": client_for(None).get(reverse("public:fiche", args=[slug, 3])),
        "entry": scp.get(reverse("indicators:entry", args=[slug, 3, 2026])),
        "bilan": scp.get(reverse("reporting:final_detail", args=[slug])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        used = [t.name for t in response.templates]
        assert SECTIONS in used, name
        shown = "calendar" if name == "bilan" else "indicators"  # the bilan's indicators: its table of values
        assert f"includes/fiche_sections/{shown}.html" in used, name
    fiche_page, public_page, entry_page, bilan_page = (
        pages[n].content.decode() for n in ("fiche", "public", "entry", "bilan")
    )

    # The plan as adopted reads the same on the fiche page and the public page (milestone states
    # aside: the public sees a completion once its year is validated; and only the fiche page says
    # which posts no active account holds).
    for anchor in ("contexte", "pilotes", "objectifs", "acteurs", "moyens", "indicateurs"):
        in_fiche_page = _section(fiche_page, anchor).replace(" (poste vacant)", "")
        assert in_fiche_page == _section(public_page, anchor), anchor
    assert "(poste vacant)" in _section(fiche_page, "pilotes") and "vacant" not in public_page
    # The entry page's reminder shows the indicators section, the same.
    assert _section(entry_page, "indicateurs") == _section(fiche_page, "indicateurs")
    assert 'id="contexte"' not in entry_page  # a subset: the reminder shows the indicators only
    # The bilan keeps its outline (the fiche an h3, its sections h4, their lists h5) and shows the
    # same calendar and quantitative goals (its milestones' states are those of the bilan's date).
    calendar = _section(fiche_page, "calendrier", states=False)
    assert _section(bilan_page, "fiche-3-calendrier", states=False) == calendar
    assert _section(public_page, "calendrier", states=False).startswith(calendar)  # + the public's note
    assert '<h4 id="fiche-3-titre-calendrier">Calendrier' in bilan_page
    fiche_in_bilan = bilan_page.split('<article class="fiche" id="fiche-3">', 1)[1].split("</article>", 1)[0]
    assert _list(fiche_in_bilan, "Quantitatif", 5) == _list(fiche_page, "Quantitatif", 3)

    # One wording, the plan's; the accessible markup everywhere; the baseline ("Référence") column.
    indicators = _section(fiche_page, "indicateurs")
    assert indicators.startswith(f"Indicateurs Indicateurs de la fiche {fiche.number}, avec leur cible")
    assert "Référence" in indicators
    for page in (fiche_page, public_page, entry_page):
        assert '<section class="section" id="indicateurs" aria-labelledby="titre-indicateurs">' in page
        assert '<caption id="legende-indicateurs">' in page
        for indicator in fiche.indicators.all():
            assert f'<th scope="row">{indicator.code}</th>' in page


def test_the_sections_follow_the_plan_wording_and_the_heading_level():
    """Quantitatif / Qualitatif / Autre in the singular for one item, in the plural for several, as the
    plan writes them; the sub-headings one level below the sections' level."""
    from django.template.loader import render_to_string

    class Item:
        def __init__(self, text):
            self.text, self.level, self.target_value = text, 0, None

    one = render_to_string(
        "includes/fiche_sections/items.html",
        {"items": [Item("a")], "title": "Autre", "plural": "s", "level": 5},
    )
    several = render_to_string(
        "includes/fiche_sections/items.html",
        {"items": [Item("a"), Item("b")], "title": "Quantitatif", "plural": "s", "level": 3},
    )
    assert "<h5>Autre</h5>" in one
    assert "<h3>Quantitatifs</h3>" in several
