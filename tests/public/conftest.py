"""The public site's tests: a published plan, and a crawler that finds every public address the way a
visitor (or a search engine, or a harvester) does: links, the sitemap, the catalogue."""

import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client

from actions.enums import ValueType
from actions.models import Fiche, Indicator, Plan
from actions.services import plan_publication_set
from tests.factories import IndicatorFactory
from tests.reporting.conftest import pdf_text
from tests.utils import get_through_job

SKIPPED = ("/static/", "/connexion/", "/admin/")


@pytest.fixture
def public_plan(spaser54, scp_user) -> Plan:
    """The real plan, published on the public site by SCP."""
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    return spaser54


def text_indicator(fiche: Fiche) -> Indicator:
    """A text indicator of the fiche (its values are text: a marker can be written in them)."""
    found = fiche.indicators.filter(value_type=ValueType.TEXT).first()
    return found or IndicatorFactory(fiche=fiche, value_type=ValueType.TEXT, code=f"{fiche.number}-T1")


def _links(path: str, response) -> set[str]:
    """Site addresses a document names: href/src of a page, <loc> of the sitemap, @id of the catalogue."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/pdf") or content_type.startswith("text/csv"):
        return set()
    text = response.content.decode()
    if "ld+json" in content_type or content_type.startswith("application/json"):
        found = re.findall(r'"(https?://[^"]+)"', text)
    elif "xml" in content_type:
        found = re.findall(r"<loc>([^<]+)</loc>", text)
    else:
        found = re.findall(r'(?:href|src)="([^"]+)"', text)
    paths = set()
    for link in map(unescape, found):
        parts = urlsplit(link)
        if parts.netloc and parts.netloc != "testserver":
            continue
        if parts.path.startswith("/") and not parts.path.startswith(SKIPPED):
            paths.add(parts.path)
    return paths


def crawl(client: Client, start=("/", "/sitemap.xml", "/public/catalogue.jsonld")) -> dict[str, object]:
    """Every address reachable from the home page, the sitemap and the catalogue, with its response.

    Every one of them must answer 200: a public link to a page that is not public is a bug too.
    """
    seen, queue = {}, list(start)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        response = get_through_job(client, path)  # the schema PDF: rendered by its job, then served
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        seen[path] = response
        queue += sorted(_links(path, response) - seen.keys())
    return seen


def readable_text(response) -> str:
    """What a reader of the response reads: the page, the file, or the PDF's text."""
    if response["Content-Type"].startswith("application/pdf"):
        return pdf_text(response.content)
    return unescape(response.content.decode())


def json_of(response) -> dict:
    return json.loads(response.content.decode())
