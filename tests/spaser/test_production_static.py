"""Static files as production serves them: collected, hashed names (whitenoise's manifest storage)."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

from reporting.renderer import BASE_URL, StaticOnlyFetcher

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def collected(tmp_path):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def test_pages_name_hashed_files_that_are_collected_and_compressed(collected):
    url = static("css/site.css")
    assert url.startswith("/static/css/site.") and url != "/static/css/site.css"  # cached for a year
    assert (collected / url.removeprefix("/static/")).exists()
    assert (collected / (url.removeprefix("/static/") + ".gz")).exists()


def test_the_pdf_finds_its_stylesheet_under_hashed_names(collected):
    url = static("css/print.css")
    assert "print." in url and url != "/static/css/print.css"
    response = StaticOnlyFetcher().fetch(BASE_URL + url.lstrip("/"))
    assert b"@page" in response.read()  # the print stylesheet itself
