"""The PDF, read back with pdftotext: what the comité prints and keeps."""

import http.server
import logging
import re
import threading
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from actions.models import Fiche, Indicator
from reporting.pdf import bilan_pdf, html_to_pdf
from reporting.renderer import BASE_URL, FetchRefused, StaticOnlyFetcher
from reporting.selectors import bilan_build
from tests.conftest import SPASER54
from tests.factories import AnnualReviewFactory, IndicatorValueFactory
from tests.reporting.conftest import pdf_headings, pdf_info, pdf_text, squash
from tests.utils import get_through_job

pytestmark = pytest.mark.django_db

HOSTILE = '<img src="file:///etc/passwd"> <script>alert(1)</script> <b>gras</b> http://127.0.0.1:9/x.png'


def test_every_fiche_number_title_and_pilots_are_in_the_pdf(demo_plan):
    bilan = bilan_build(plan=demo_plan, year=2025)
    text = squash(pdf_text(bilan_pdf(bilan)))
    fiches = Fiche.objects.filter(plan=demo_plan).with_summary()
    assert len(fiches) == 21
    for fiche in fiches:
        assert f"Fiche {fiche.number} – {squash(fiche.title)}" in text, fiche.number
        for pilot in fiche.ordered_pilots():  # as every page reads a pilot post (Pilot.label)
            assert squash(pilot.label) in text, (fiche.number, pilot.label)
    for entry in demo_plan.glossary.all():
        assert squash(entry.definition) in text
    assert "Sommaire" in text and "Chiffres clés" in text and "Glossaire" in text


def test_the_pdf_is_tagged_and_its_structure_holds_the_fiche_headings(small_plan):
    """PDF/UA-1: a screen reader finds the document's headings, every fiche's among them."""
    pdf = bilan_pdf(bilan_build(plan=small_plan, year=2024))
    info = pdf_info(pdf)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    headings = pdf_headings(pdf)
    assert ("H1", "Bilan annuel 2024") in headings
    for fiche in Fiche.objects.filter(plan=small_plan):
        assert ("H3", squash(f"Fiche {fiche.number} – {fiche.title}")) in headings, fiche.number
    assert ("H2", "Glossaire") in headings


def test_missing_values_read_non_renseigne_in_the_pdf(demo_plan):
    bilan = bilan_build(plan=demo_plan, year=2025)
    missing_cells = sum(
        c["missing"] for a in bilan["axes"] for f in a["fiches"] for i in f["indicators"] for c in i["cells"]
    )
    fiches_without_review = sum(not f["reviews"] for a in bilan["axes"] for f in a["fiches"])
    assert missing_cells > 0 and fiches_without_review > 0
    text = squash(pdf_text(bilan_pdf(bilan)))
    # Every missing cell, and "Bilan du pilote non renseigné." for fiches without a 2025 review.
    assert text.count("non renseigné") == missing_cells + fiches_without_review
    assert "non validé" in text  # 2025 values of submitted, unvalidated reviews


def test_demo_data_is_labelled_on_the_cover_and_every_page(demo_plan):
    pdf = bilan_pdf(bilan_build(plan=demo_plan, year=2024))
    pages = pdf_text(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) > 21
    assert "DONNÉES DE DÉMONSTRATION" in pages[0] and "fictifs" in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert "DONNÉES DE DÉMONSTRATION (fictives)" in page, f"page {number}"
        assert f"page {number} / {len(pages)}" in page, f"page {number}"
    assert "Chiffres validés" in pages[0]


def test_real_data_is_not_labelled_demo(small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=5)
    IndicatorValueFactory(indicator=fiche.indicators.first(), year=2024, value_number=Decimal(42))
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True, achievements="Deux chantiers")
    text = pdf_text(bilan_pdf(bilan_build(plan=small_plan, year=2024)))
    assert "DÉMONSTRATION" not in text
    assert "Chiffres provisoires (non validés)" in text and "42 %" in text and "Deux chantiers" in text


def test_table_of_contents_gives_the_page_of_each_fiche(small_plan):
    pages = [p for p in pdf_text(bilan_pdf(bilan_build(plan=small_plan, year=2025)), layout=True).split("\f")]
    toc = next(p for p in pages if "Sommaire" in p)
    for number in (5, 11):
        entry = re.search(rf"Fiche {number} –.*?\.{{3,}}\s*(\d+)\s*$", toc, re.M | re.S)
        assert entry, number
        page = int(entry.group(1))
        assert re.search(rf"^\s*Fiche {number} –", pages[page - 1], re.M), (number, page)


class _TableRows(HTMLParser):
    """Rows of one table (by id) of the HTML page: [header cell, data cells...]."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.row, self.cell = table_id, False, [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.row = []
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(squash(self.cell))
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)
        elif tag == "table":
            self.inside = False


def html_rows(html, table_id):
    parser = _TableRows(table_id)
    parser.feed(html)
    return parser.rows


def test_html_page_and_pdf_carry_the_same_figures(client, committee_user, demo_plan):
    client.force_login(committee_user)
    html = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    pdf = get_through_job(client, reverse("reporting:bilan_pdf", args=[SPASER54, 2025])).content
    layout = pdf_text(pdf, layout=True)
    bilan = bilan_build(plan=demo_plan, year=2025)
    figures = bilan["key_figures"]

    # Fiches by status, per axis and in total: same numbers in the page, the PDF and the data.
    rows = {row[0]: row[1:] for row in html_rows(html, "fiches-par-etat")[1:]}
    for axis in figures["by_axis"] + [
        {"name": "Total", "fiches": figures["fiches"], "counts": figures["status_totals"]}
    ]:
        expected = [str(axis["fiches"])] + [str(c["count"]) for c in axis["counts"]]
        assert rows[axis["name"]] == expected, axis["name"]
        line = re.search(rf"^\s*{axis['name']}((?:\s+\d+)+)\s*$", layout, re.M)
        assert line and line.group(1).split() == expected, axis["name"]

    # Indicators filled in.
    rows = {row[0]: row[1:] for row in html_rows(html, "indicateurs-renseignes")[1:]}
    for axis in figures["by_axis"]:
        expected = [
            str(axis["indicators_filled"]),
            str(axis["indicators_total"]),
            axis["indicators_share_label"],
        ]
        assert rows[axis["name"]] == expected
        assert re.search(
            rf"^\s*{axis['name']}\s+{expected[0]}\s+{expected[1]}\s+{expected[2]}\s*$", layout, re.M
        )

    # Milestones.
    m = figures["milestones"]
    expected = [str(m[k]) for k in ("done", "on_time", "late", "cancelled", "total")]
    assert html_rows(html, "jalons")[1] == expected
    assert re.search(r"^\s*" + r"\s+".join(expected) + r"\s*$", layout, re.M)


def test_user_text_is_escaped_in_html_and_pdf(client, committee_user, small_plan):
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    AnnualReviewFactory(fiche=fiche, year=2025, achievements=HOSTILE, difficulties="A & B < C")
    indicator = Indicator.objects.filter(fiche=fiche, value_type="text").first() or fiche.indicators.first()
    IndicatorValueFactory(indicator=indicator, year=2025, value_text=HOSTILE, value_number=None)
    client.force_login(committee_user)
    html = client.get(reverse("reporting:bilan_detail", args=[SPASER54, 2025])).content.decode()
    assert "<script>alert(1)</script>" not in html and '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html and "&lt;b&gt;gras&lt;/b&gt;" in html
    text = squash(
        pdf_text(get_through_job(client, reverse("reporting:bilan_pdf", args=[SPASER54, 2025])).content)
    )
    # Shown as the text the pilot typed, not interpreted.
    assert '<img src="file:///etc/passwd">' in text and "<b>gras</b>" in text and "A & B < C" in text


@pytest.fixture
def http_server():
    """A local HTTP server that counts requests: proof that the renderer never called it."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()  # shutdown() only stops the loop: the listening socket would be left open


def test_renderer_fetches_only_the_apps_static_files(http_server, caplog):
    url, hits = http_server
    html = (
        f'<link rel="stylesheet" href="{url}/style.css"><p>Texte</p><img src="file:///etc/passwd">'
        f'<img src="{url}/x.png"><img src="/static/../../../../etc/passwd"><img src="/static/css/print.css">'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert hits == []
    refused = "\n".join(r.getMessage() for r in caplog.records)
    assert "file:///etc/passwd" in refused and f"{url}/x.png" in refused and f"{url}/style.css" in refused


def test_fetcher_serves_static_files_and_refuses_the_rest():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(BASE_URL + "static/css/print.css")
    assert css.read() == (Path(settings.BASE_DIR) / "static" / "css" / "print.css").read_bytes()
    assert css.content_type == "text/css"
    refused, absent = "Ressource refusée dans le PDF", "Fichier statique introuvable"
    for url, message in (
        ("file:///etc/passwd", refused),
        ("http://example.org/x.png", refused),
        (BASE_URL + "static/../manage.py", absent),
        (BASE_URL + "media/x.png", refused),
        ("data:text/plain,hello", refused),
        (BASE_URL + "static/css/absent.css", absent),
    ):
        with pytest.raises(FetchRefused, match=f"^{message} : {re.escape(url)}$"):
            fetcher.fetch(url)
