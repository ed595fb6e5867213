"""The public site's pages: reached from the home page without an account, every section of the plan
and of each fiche, the validated years said, French, titles, descriptions and canonical addresses,
cached per state of the data and sent with HTTP validators."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from actions.enums import MilestoneStatus
from actions.models import Fiche
from actions.services import plan_publication_set
from indicators.enums import ReviewStatus
from indicators.services.workflow import fiche_year_reopen
from jobs.enums import JobStatus
from jobs.models import Job
from reporting.services import bilan_publish, published_bilan_set_public
from tests.factories import AnnualReviewFactory, IndicatorValueFactory, MilestoneFactory
from tests.public.conftest import crawl
from tests.reporting.conftest import pdf_headings, pdf_info, pdf_text, squash

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    """The <title>, meta description, canonical link and headings of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.title, self.description, self.canonical, self.headings = "", None, None, []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.description = attrs.get("content")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs.get("href")
        elif tag == "title" or re.fullmatch(r"h[1-6]", tag):
            self._in = tag
            if tag != "title":
                self.headings.append(int(tag[1]))

    def handle_data(self, data):
        if self._in == "title":
            self.title += data

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None


def test_the_home_page_leads_to_the_public_plan(client, public_plan):
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert 'lang="fr"' in page and reverse("public:plan", args=[public_plan.slug]) in page
    assert reverse("login") in page  # the agents' way in


def test_every_public_page_has_a_title_a_description_a_canonical_address_and_ordered_headings(
    client, public_plan
):
    pages = {
        path: response
        for path, response in crawl(client).items()
        if response["Content-Type"].startswith("text/html")
    }
    assert len(pages) >= 25  # home, index, plan, 21 fiches, bilans, data
    titles = set()
    for path, response in pages.items():
        head = Head(response.content.decode())
        assert head.title.strip() and head.description, path
        canonical = "http://testserver" + (reverse("public:index") if path == "/" else path)
        assert head.canonical == canonical, path
        assert head.headings[0] == 1 and head.headings.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(head.headings, head.headings[1:], strict=False)), path
        titles.add(head.title)
    assert len(titles) == len(pages) - 1  # "/" and /public/ are the same page


def test_the_plan_page_shows_every_axis_objective_fiche_and_progress(client, public_plan):
    fiche = Fiche.objects.get(plan=public_plan, number=11)
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True, progress_status="realisee")
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True, progress_status="abandonnee")
    page = client.get(reverse("public:plan", args=[public_plan.slug])).content.decode()
    for axis in public_plan.axes.all():
        assert f"Axe {axis.name}" in page
    for other in Fiche.objects.filter(plan=public_plan).select_related("objective"):
        assert reverse("public:fiche", args=[public_plan.slug, other.number]) in page
        assert other.objective.title.replace("'", "&#x27;") in page
    row = re.search(r"fiches/11/.*?</tr>", page, re.S)[0]
    assert "Réalisée" in row and "bilan 2023 validé" in row and "Abandonnée" not in row
    assert "Années suivies et validées" in page and '2023</th><td class="num">1 sur 21' in page
    assert "Pack à la carte" in page and "Glossaire" in page


def test_the_fiche_page_shows_every_section_and_only_validated_years(client, public_plan):
    fiche = Fiche.objects.with_details().get(plan=public_plan, number=11)
    indicator = fiche.indicators.get(code="11-R1")
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True, achievements="Bilan 2023 validé et public")
    AnnualReviewFactory(fiche=fiche, year=2024, submitted=True, achievements="Bilan 2024 en attente")
    IndicatorValueFactory(indicator=indicator, year=2023, value_number=41)
    IndicatorValueFactory(indicator=indicator, year=2024, value_number=97)
    page = client.get(reverse("public:fiche", args=[public_plan.slug, 11])).content.decode()
    for heading in ("Contexte", "Pilotes", "Objectifs", "Calendrier", "Acteurs", "Moyens", "Indicateurs"):
        assert f">{heading}" in page, heading
    for pilot in fiche.ordered_pilots():  # posts, with the direction spelled out
        assert pilot.full_label.replace("'", "&#x27;") in page
    for milestone in fiche.milestones.all():
        assert milestone.text.replace("'", "&#x27;") in page
    for item in [*fiche.goals.all(), *fiche.actors.all(), *fiche.means.all()]:
        assert item.text.replace("'", "&#x27;").replace('"', "&quot;") in page
    assert indicator.label.replace("'", "&#x27;") in page and "Cible : 100 %" in page  # a goal's target
    cell = re.search(r'data-year="2023">(.*?)</td>', page, re.S)[1]
    assert "41" in cell
    assert "97" not in re.search(r'data-year="2024">(.*?)</td>', page, re.S)[1]
    assert "Bilan 2023 validé et public" in page and "Bilan 2024 en attente" not in page
    assert "Années validées</dt><dd>2023</dd>" in page


def test_a_milestone_reads_done_once_its_year_is_validated(client, scp_user, public_plan):
    fiche = Fiche.objects.get(plan=public_plan, number=5)
    MilestoneFactory(
        fiche=fiche,
        text="Jalon réalisé",
        due_year=2030,
        status=MilestoneStatus.DONE,
        completed_on=datetime.date(2024, 5, 2),
    )
    url = reverse("public:fiche", args=[public_plan.slug, 5])
    row = lambda: re.search(r"Jalon réalisé.*?</tr>", client.get(url).content.decode(), re.S)[0]  # noqa: E731
    assert "Dans les délais" in row() and "02/05/2024" not in row()
    review = AnnualReviewFactory(fiche=fiche, year=2024, validated=True)
    assert "Réalisé le 02/05/2024" in row()
    fiche_year_reopen(fiche=fiche, year=2024, user=scp_user)  # reopened: no longer validated
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED and "Dans les délais" in row()


def test_demo_values_come_with_the_demo_notice(client, public_plan):
    url = reverse("public:fiche", args=[public_plan.slug, 11])
    assert "Données de démonstration" not in client.get(url).content.decode()
    fiche = Fiche.objects.get(plan=public_plan, number=11)
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True, is_demo=True)
    IndicatorValueFactory(indicator=fiche.indicators.first(), year=2023, is_demo=True)
    for name, args in (("plan", []), ("fiche", [11]), ("data", []), ("bilans", [])):
        page = client.get(reverse(f"public:{name}", args=[public_plan.slug, *args])).content.decode()
        assert "Données de démonstration" in page, name


def test_a_withheld_fiche_shows_its_number_and_reason_only(client, public_plan):
    fiche = Fiche.objects.get(plan=public_plan, number=7)
    fiche.is_withheld, fiche.withheld_reason = True, "Fiche en cours de réécriture <script>r</script>"
    fiche.save()
    page = client.get(reverse("public:plan", args=[public_plan.slug])).content.decode()
    assert "Fiche en cours de réécriture &lt;script&gt;r&lt;/script&gt;" in page and "<script>" not in page
    assert fiche.title.replace("'", "&#x27;") not in page
    assert reverse("public:fiche", args=[public_plan.slug, 7]) not in page
    assert client.get(reverse("public:fiche", args=[public_plan.slug, 7])).status_code == 404


# --- caching ---------------------------------------------------------------------------------------


def test_pages_are_sent_with_validators_and_answer_304(client, public_plan):
    url = reverse("public:fiche", args=[public_plan.slug, 11])
    response = client.get(url)
    assert response.status_code == 200
    etag, modified = response["ETag"], response["Last-Modified"]
    assert (
        etag.startswith('"')
        and "public" in response["Cache-Control"]
        and "max-age" in response["Cache-Control"]
    )
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    older = http_date(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=older).status_code == 200
    # A validated year changes the page: new content, new ETag.
    fiche = Fiche.objects.get(plan=public_plan, number=11)
    AnnualReviewFactory(fiche=fiche, year=2023, validated=True, achievements="Nouveau bilan public")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Nouveau bilan public" in changed.content.decode()


def test_a_draft_changes_neither_the_page_nor_its_etag(client, public_plan):
    url = reverse("public:fiche", args=[public_plan.slug, 11])
    etag = client.get(url)["ETag"]
    fiche = Fiche.objects.get(plan=public_plan, number=11)
    IndicatorValueFactory(indicator=fiche.indicators.first(), year=2025)  # a pilot's draft
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_cached_page_costs_no_query(public_plan, django_assert_num_queries, django_assert_max_num_queries):
    client = Client()
    url = reverse("public:fiche", args=[public_plan.slug, 11])
    # The public plans with their dates and demo flag (1), the fiche with every section (10),
    # its validated reviews and values (2): not one query per section, indicator or year.
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_page_query_budgets_do_not_grow_with_the_plan(public_plan, django_assert_max_num_queries):
    for fiche in Fiche.objects.filter(plan=public_plan):
        AnnualReviewFactory(fiche=fiche, year=2023, validated=True)
        for indicator in fiche.indicators.all():
            IndicatorValueFactory(indicator=indicator, year=2023)
    client = Client()
    budgets = {  # one query per kind of row, whatever the number of fiches, values or years
        reverse("public:plan", args=[public_plan.slug]): 14,
        reverse("public:bilans", args=[public_plan.slug]): 3,
        reverse("public:data", args=[public_plan.slug]): 2,
        reverse("public:index"): 2,
        "/sitemap.xml": 6,
    }
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


def test_the_sitemap_lists_every_public_page(client, public_plan):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap["Content-Type"].startswith("application/xml")
    locations = set(re.findall(r"<loc>http://testserver([^<]+)</loc>", sitemap.content.decode()))
    assert reverse("public:plan", args=[public_plan.slug]) in locations
    assert reverse("public:data", args=[public_plan.slug]) in locations
    numbers = Fiche.objects.filter(plan=public_plan).values_list("number", flat=True)
    assert {reverse("public:fiche", args=[public_plan.slug, n]) for n in numbers} <= locations


def test_public_pages_use_no_inline_script_or_style(client, public_plan):
    """The Content Security Policy is unchanged: no inline <script> or <style> is needed."""
    for path, response in crawl(client).items():
        if response["Content-Type"].startswith("text/html"):
            page = response.content.decode()
            assert "<script" not in page and "<style" not in page, path
            assert "script-src 'self'" in response["Content-Security-Policy"], path


def test_the_public_bilan_pdf_is_tagged_and_leaves_out_a_fiche_withheld_since(client, small_plan, scp_user):
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    bilan = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    published_bilan_set_public(bilan=bilan, is_public=True, user=scp_user)
    withheld = Fiche.objects.get(plan=small_plan, number=5)
    withheld.is_withheld, withheld.withheld_reason = True, "Retirée pour la démonstration."
    withheld.save()
    response = client.get(reverse("public:bilan_pdf", args=[small_plan.slug, "2024", bilan.version]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.search(r"^Tagged:\s+yes$", pdf_info(response.content), re.MULTILINE)
    headings = pdf_headings(response.content)
    kept = Fiche.objects.get(plan=small_plan, number=11)
    assert ("H3", squash(f"Fiche 11 – {kept.title}")) in headings
    assert not any(text.startswith("Fiche 5 ") for _, text in headings)
    assert "Retirée du site public, la ou les fiches 5" in squash(pdf_text(response.content))
    page = client.get(reverse("public:bilan", args=[small_plan.slug, "2024", bilan.version])).content.decode()
    assert 'id="fiche-11"' in page and 'id="fiche-5"' not in page


def test_the_public_schema_pdf_is_the_plan_tagged_without_a_withheld_fiche(
    client, small_plan, scp_user, django_capture_on_commit_callbacks
):
    """The adopted schema, downloaded from the public plan page: every published fiche, tagged
    (PDF/UA-1), a withheld fiche left out with its reason; a plan not published has none."""
    url = reverse("public:schema_document_pdf", args=[small_plan.slug])
    assert client.get(url).status_code == 404
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    withheld = Fiche.objects.get(plan=small_plan, number=5)
    withheld.is_withheld, withheld.withheld_reason = True, "Retirée pour la démonstration."
    withheld.save()
    assert url in client.get(reverse("public:plan", args=[small_plan.slug])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 503  # queued; the (eager) worker renders it after the response
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.search(r"^Tagged:\s+yes$", pdf_info(response.content), re.MULTILINE)
    text = squash(pdf_text(response.content))
    kept = Fiche.objects.get(plan=small_plan, number=11)
    assert squash(kept.title) in text and squash(withheld.title) not in text
    assert "fiche 5 : Retirée pour la démonstration." in text
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_public_schema_pdf_is_rendered_by_one_job_while_visitors_wait_on_a_page(
    client, small_plan, scp_user, django_capture_on_commit_callbacks
):
    """No visitor's request renders the PDF: until the job (one, however many ask) has run, the
    address answers a French page that reloads itself (503 with Retry-After, never cached), then
    the PDF itself."""
    plan_publication_set(plan=small_plan, is_public=True, user=scp_user)
    url = reverse("public:schema_document_pdf", args=[small_plan.slug])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        waiting = client.get(url)
        again = client.get(url)
    assert waiting.status_code == again.status_code == 503
    assert waiting["Retry-After"] == "10" and "no-cache" in waiting["Cache-Control"]
    page = waiting.content.decode()
    assert "Le document est en cours de préparation" in page and 'http-equiv="refresh"' in page
    assert "Accessibilité : " in page  # the public footer, as on every public page
    jobs = Job.objects.filter(kind="public.schema_pdf")
    assert jobs.count() == 1 and jobs.get().created_by is None  # the second visitor joined the first
    assert len(queued) == 1
    for callback in queued:
        callback()  # what the worker does
    assert jobs.get().status == JobStatus.SUCCEEDED
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
