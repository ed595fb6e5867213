"""Shared fixtures: the real SPASER 54 plan, one user per role (from tests/factories.py), fiche 11 and
its 2025 campaign."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from actions.loading import plan_load
from actions.models import Fiche, Plan
from core import rights
from indicators.demo import demo_load
from indicators.models import Campaign
from planning.services import plan_prepare_next
from tests.factories import CampaignFactory, user_in_role

PLAN_DIR = Path(settings.BASE_DIR) / "fixtures" / "spaser54"
DEMO_PATH = Path(settings.BASE_DIR) / "fixtures" / "demo" / "demo.yaml"
SPASER54 = "spaser54-2021-2026"  # the real plan's identifier, in its pages' addresses


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real plan once into the test database; each test's transaction is rolled back over it."""
    with django_db_blocker.unblock():
        plan_load(directory=PLAN_DIR)


@pytest.fixture
def spaser54(db) -> Plan:
    """The real plan (reloaded if a transactional test flushed the database)."""
    return Plan.objects.filter(slug=SPASER54).first() or plan_load(directory=PLAN_DIR).plan


NEXT_SLUG = "spaser54-2027-2032"


def next_plan_of(old: Plan, user: User, **changes) -> Plan:
    """The draft of the plan that follows `old` (2027-2032), every fiche carried over ("reconduite")."""
    fields = {
        "slug": NEXT_SLUG,
        "title": "Schéma de promotion des achats socialement et écologiquement responsables 2027-2032",
        "short_title": "SPASER 54",
        "start_year": 2027,
        "end_year": 2032,
    }
    return plan_prepare_next(old=old, user=user, **(fields | changes))


@pytest.fixture
def next_plan(spaser54, scp_user) -> Plan:
    """The draft of 2027-2032 prepared from the real SPASER 54 by SCP."""
    return next_plan_of(spaser54, scp_user)


@pytest.fixture
def fiche11(spaser54) -> Fiche:
    """Fiche 11 (Social axis), piloted by `pilot11` and `pilot11b`."""
    return Fiche.objects.select_related("plan").get(plan=spaser54, number=11)


@pytest.fixture
def demo_plan(spaser54) -> Plan:
    """The real plan with the demo values (validated 2021-2024, partial 2025)."""
    demo_load(path=DEMO_PATH)
    return spaser54


@pytest.fixture
def small_plan(spaser54) -> Plan:
    """The real plan cut down to fiches 5 and 11 (those of the role fixtures): quick PDFs."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    return spaser54


@pytest.fixture
def campaign2025(spaser54) -> Campaign:
    """The open 2025 campaign, due 31 January 2027."""
    return CampaignFactory(plan=spaser54, year=2025, deadline=datetime.date(2027, 1, 31))


@pytest.fixture
def scp_user(spaser54) -> User:
    return user_in_role(rights.SCP_GROUP, username="scp")


@pytest.fixture
def committee_user(spaser54) -> User:
    return user_in_role(rights.COMMITTEE_GROUP, username="comite")


@pytest.fixture
def pilot11(fiche11) -> User:
    """First pilot of fiche 11 (the Chargé de projet Insertion post, which also pilots 12-15)."""
    return user_in_role(rights.PILOTS_GROUP, username="pilote11", pilot_of=fiche11)


@pytest.fixture
def pilot11b(fiche11) -> User:
    """Second pilot of fiche 11 (Service Emploi en insertion, DASI)."""
    return user_in_role(rights.PILOTS_GROUP, username="pilote11b", pilot_of=fiche11, pilot_index=1)


@pytest.fixture
def pilot5(spaser54) -> User:
    """First pilot of fiche 5 (Service GTR, DIM): pilots no fiche of the Social axis."""
    fiche = Fiche.objects.get(plan=spaser54, number=5)
    return user_in_role(rights.PILOTS_GROUP, username="pilote5", pilot_of=fiche)


@pytest.fixture
def role_users(scp_user, committee_user, pilot11, pilot5) -> dict[str, User | None]:
    """One user per role, for permission tables: 'pilot' pilots fiche 11, 'other_pilot' does not."""
    return {
        "anonymous": None,
        "pilot": pilot11,
        "other_pilot": pilot5,
        "committee": committee_user,
        "scp": scp_user,
    }


# Debian's Chromium driven by Playwright for Python against pytest-django's live server. Never
# `playwright install`: the system Chromium is used. If it is missing the tests fail with a clear
# message instead of being skipped, so that a machine without it cannot pass `make test` silently.
# One Playwright instance per session: its sync API runs an event loop in this thread, and a
# second instance started while the first is alive refuses to run.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium est introuvable : installez le paquet Debian « chromium » (make system-deps).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # page actions are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    """A French page in a context of its own (downloads accepted), closed after the test."""
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (pages and the live bilan are cached by data version)."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["shared"].clear()
