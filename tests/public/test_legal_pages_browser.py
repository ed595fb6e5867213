"""The legal pages in Debian's Chromium, without an account: reached from the footer of the home page,
with the status SCP set, and axe-core finds no accessibility violation on them (desktop and phone)."""

import re

import pytest
from playwright.sync_api import expect

from public.enums import ConformityStatus
from public.models import LegalInformation
from public.services import legal_information_save
from tests.public.test_browser import _axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PATHS = ["/public/accessibilite/", "/public/mentions-legales/", "/public/donnees-personnelles/"]


@pytest.fixture
def legal(scp_user) -> LegalInformation:
    """The record as SCP might leave it half filled: a partial audit, some defaults still to fill."""
    record = LegalInformation(
        publisher="Département de Meurthe-et-Moselle",
        conformity_status=ConformityStatus.PARTIAL,
        conformity_rate="72.5",
        audit_date="2026-10-15",
        non_compliance="Certains tableaux n'ont pas d'en-têtes.\n\nLes graphiques n'ont pas d'alternative.",
    )
    legal_information_save(information=record, user=scp_user, seen_version=None)
    return record


@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_the_legal_pages_are_reached_from_the_footer_and_axe_finds_no_violation(
    live_server, chromium, legal, width
):
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    expect(page.get_by_text(re.compile(r"72,5 % des critères"))).to_be_visible()
    found = {}
    for path in PATHS:
        assert page.goto(live_server.url + path).status == 200, path
        found[path] = _axe_violations(page)
    context.close()
    assert {path: report for path, report in found.items() if report} == {}
