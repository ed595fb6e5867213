"""The Content Security Policy blocks nothing the pages need: in a real Chromium, the site's pages
and the admin (whose widgets are JavaScript files) load without a single CSP violation."""

import pytest
from django.urls import reverse

from actions.models import Fiche
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    """A page of the session's Chromium (tests/conftest.py)."""
    context = chromium.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


def test_pages_and_admin_run_under_the_policy(live_server, browser_page, scp_user, spaser54):
    page = browser_page
    violations, errors = [], []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    fiche = Fiche.objects.get(plan=spaser54, number=11)

    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "scp")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/connexion/" not in page.url

    for path in (
        reverse("indicators:plan_detail", args=[spaser54.slug]),
        reverse("indicators:fiche_detail", args=[spaser54.slug, 11]),
        reverse("admin:index"),
        reverse("admin:actions_fiche_changelist"),
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # The site's stylesheet applied (a blocked stylesheet would leave the header unstyled).
        if not path.startswith("/admin/"):
            assert page.eval_on_selector(".site-header", "e => getComputedStyle(e).display") == "flex"

    page.goto(live_server.url + reverse("admin:actions_fiche_change", args=[fiche.pk]))
    # The admin's JavaScript ran: the two-list selector of principles and the "add another" inline links.
    page.wait_for_selector(".selector-available", timeout=10_000)
    assert page.locator(".add-row a").count() >= 1
    assert violations == [] and errors == []
