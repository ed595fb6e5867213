"""In Debian's Chromium, without an account: from the home page a visitor reaches every fiche of the
published plan and downloads the CSV of validated values; axe-core finds no accessibility violation
on the public pages, on a desktop screen or a phone's."""

import csv
import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from actions.models import Fiche
from actions.services import plan_publication_set
from indicators.demo import demo_load
from reporting.services import bilan_publish, published_bilan_set_public
from tests.conftest import DEMO_PATH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The WCAG rules axe checks (RGAA 4 follows WCAG 2.1 AA), and its best practices (landmarks, a
# single main, headings in order, regions labelled).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@pytest.fixture
def published(spaser54, scp_user):
    """The real plan with its demo values, published, and its 2024 bilan made public."""
    demo_load(path=DEMO_PATH)
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    published_bilan_set_public(
        bilan=bilan_publish(plan=spaser54, year=2024, user=scp_user), is_public=True, user=scp_user
    )
    return spaser54


@pytest.fixture
def visitor(chromium):
    """A browser without an account (the `chromium` fixture is in tests/conftest.py)."""
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_visitor_reaches_every_fiche_from_the_home_page_and_downloads_the_csv(
    live_server, visitor, published
):
    page = visitor
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=re.compile("SPASER 54 2021-2026")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SPASER 54 2021-2026")
    plan_url = page.url
    fiches = list(Fiche.objects.filter(plan=published).order_by("number").values_list("number", "title"))
    assert len(fiches) == 21
    for number, title in fiches:
        page.goto(plan_url)
        page.locator("#fiches table").get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Fiche {number} – {title}")
        expect(page.locator("#suivi table")).to_be_visible()

    page.goto(plan_url)
    page.get_by_role("link", name="Données ouvertes").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="valeurs.csv", exact=True).click()
    assert download.value.suggested_filename == f"{published.slug}-valeurs.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows and {row["plan"] for row in rows} == {published.slug}
    assert {row["annee"] for row in rows} == {"2021", "2022", "2023", "2024"}  # the validated years


def _axe_violations(page) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    return results.generate_snapshot() if results.violations_count else ""


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_axe_finds_no_violation_on_the_public_pages(live_server, chromium, published, width):
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    slug = published.slug
    paths = [
        "/",
        f"/public/{slug}/",
        f"/public/{slug}/fiches/11/",
        f"/public/{slug}/fiches/5/",
        f"/public/{slug}/bilans/",
        f"/public/{slug}/bilans/2024/v1/",
        f"/public/{slug}/donnees/",
    ]
    found = {}
    for path in paths:
        assert page.goto(live_server.url + path).status == 200, path
        found[path] = _axe_violations(page)
    context.close()
    assert {path: report for path, report in found.items() if report} == {}
