"""Pages in Debian's Chromium (the `chromium` fixture is in tests/conftest.py)."""

import pytest


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
