"""Debian's Chromium driven by Playwright for Python against pytest-django's live server.

Never `playwright install`: the system Chromium is used. If it is missing the tests fail with a clear
message instead of being skipped, so that a machine without it cannot pass `make test` silently.
"""

import os
import shutil

import pytest

from tests.indicators.conftest import campaign2025, fiche11  # noqa: F401 (shared fixtures)

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
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
