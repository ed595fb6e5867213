"""One fiche, four pages, the same cells: the fiche page, the entry page's reminder of the earlier
years, the bilan and the public fiche page all draw a fiche's values with indicators.sheets.fiche_sheet
and the `cell` template tag (actions/templatetags/values.py), so a value reads the same on each; the
public reads validated years only. And no template formats a number or types a value's label itself."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from actions.models import Fiche
from actions.services import plan_publication_set
from core import values
from indicators.models import AnnualReview, IndicatorValue
from indicators.sheets import fiche_sheet
from tests.indicators.conftest import client_for

pytestmark = pytest.mark.django_db

YEARS = [2021, 2022, 2023, 2024, 2025]  # the entry page of 2026 recalls these


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _cells(row_html: str, years: list[int]) -> dict[int, str]:
    """The texts of a table row's value cells (the first len(years) <td>), by year."""
    tds = re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    return dict(zip(years, [_text(td) for td in tds[: len(years)]], strict=True))


def _table_rows(html: str, start: str) -> dict[str, str]:
    """The rows (by indicator code) of the first table after `start`."""
    table = html[html.index(start) :].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        head = re.search(r'<th scope="row">(?:<span class="code">)?([^<\s]+)', row)
        if head:
            rows[head[1]] = row
    return rows


def fiche_page_cells(html: str, years) -> dict[str, dict[int, str]]:
    return {code: _cells(row, years) for code, row in _table_rows(html, 'id="suivi"').items()}


def bilan_cells(html: str, number: int, years) -> dict[str, dict[int, str]]:
    article = html[html.index(f'id="fiche-{number}"') :]
    rows = _table_rows(article, '<table class="indicators">')
    return {code: _cells(row, years) for code, row in rows.items()}


def entry_cells(html: str, codes) -> dict[str, dict[int, str]]:
    found = {}
    for code in codes:
        fieldset = html[html.index(f'id="indicateur-{code}"') :].split("</fieldset>")[0]
        previous = re.search(r'<p class="previous">Années précédentes :(.*?)</p>', fieldset, re.S)[1]
        spans = re.findall(r"<span>(\d{4}) : (.*?)</span>(?=<span>\d{4} :|\s*$)", previous.strip(), re.S)
        found[code] = {int(year): _text(cell) for year, cell in spans}
    return found


def test_the_four_pages_show_the_same_cells_of_a_fiche(demo_plan, scp_user):
    """Fiche 3 has validated years (2021-2024) and a 2025 submitted, not validated: SCP reads every
    year on the fiche page, the entry page of 2026 and the end-of-plan bilan, the same texts; the
    public reads the validated years' texts, and "année non validée" for 2025."""
    fiche = Fiche.objects.get(plan=demo_plan, number=3)
    validated = set(AnnualReview.objects.validated().filter(fiche=fiche).values_list("year", flat=True))
    assert {2021, 2024} <= validated and 2025 not in validated
    # A validated year left empty (the demo data fills every year of fiche 3): "non renseigné" too.
    IndicatorValue.objects.filter(indicator__fiche=fiche, year=2022).first().delete()
    plan_publication_set(plan=demo_plan, is_public=True, user=scp_user)
    scp = client_for(scp_user)
    slug = demo_plan.slug
    fiche_page = scp.get(reverse("indicators:fiche_detail", args=[slug, 3])).content.decode()
    entry_page = scp.get(reverse("indicators:entry", args=[slug, 3, 2026])).content.decode()
    bilan_page = scp.get(reverse("reporting:final_detail", args=[slug])).content.decode()
    public_page = client_for(None).get(reverse("public:fiche", args=[slug, 3])).content.decode()

    on_fiche_page = fiche_page_cells(fiche_page, demo_plan.years)
    codes = list(on_fiche_page)
    assert codes == [i.code for i in fiche.indicators.order_by("position")]
    on_bilan = bilan_cells(bilan_page, 3, demo_plan.years)
    on_entry = entry_cells(entry_page, codes)
    on_public = fiche_page_cells(public_page, [y for y in demo_plan.years if y <= 2026])
    for code in codes:
        for year in YEARS:
            shown = on_fiche_page[code][year]
            assert on_entry[code][year] == on_bilan[code][year] == shown, (code, year)
            public = f"— {values.YEAR_NOT_VALIDATED}" if year not in validated else shown
            assert on_public[code][year] == public, (code, year)
    texts = [on_fiche_page[code][year] for code in codes for year in YEARS]
    assert values.MISSING in texts  # the comparison covers a missing value,
    assert any(t.endswith(f" {values.NOT_VALIDATED}") for t in texts)  # a value not validated yet,
    assert any(t not in (values.MISSING,) and not t.endswith(values.NOT_VALIDATED) for t in texts)  # a value


def test_the_sheet_shows_the_public_validated_years_only(demo_plan):
    fiche = Fiche.objects.get(plan=demo_plan, number=3)
    validated = set(AnnualReview.objects.validated().filter(fiche=fiche).values_list("year", flat=True))
    values_by = {}
    for indicator in fiche.indicators.all():
        values_by[indicator.pk] = {v.year: v for v in indicator.values.all()}
    common = {"plan": demo_plan, "indicators": fiche.indicators.all(), "years": YEARS}
    public = fiche_sheet(**common, values_by=values_by, validated=validated, shows_drafts=False)
    insider = fiche_sheet(**common, values_by=values_by, validated=validated, shows_drafts=True)
    for public_row, insider_row in zip(public.rows, insider.rows, strict=True):
        for shown, full in zip(public_row.cells, insider_row.cells, strict=True):
            assert shown.year == full.year and shown.validated == full.validated
            assert shown == full if full.validated else shown.value is None and shown.text == values.MISSING
    assert any(not c.missing and not c.validated for row in insider.rows for c in row.cells)


TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_formats_a_number_or_types_a_value_label():
    """Numbers go through core.values (the `number` filter); "non renseigné" and "non validé" beside
    values come from core.values.LABELS (`value_label`), never typed in a template."""
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if "floatformat" in text or re.search(r"non renseigné(?!e)", text):
            offending.append(str(path.relative_to(TEMPLATES)))
    assert offending == []
