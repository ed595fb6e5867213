"""WeasyPrint, behind a fetcher that serves the app's own static files only.

WeasyPrint fetches every URL a document names (file://, http://...) unless told otherwise:
`StaticOnlyFetcher` serves the app's own static files and refuses everything else, so text typed
by a user can never make the renderer read a server file or call the network (that text is
escaped anyway). Imported on the first PDF (reporting.pdf), never when Django starts.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The document's own base URL: never resolved on a network, only recognised by the fetcher below.
BASE_URL = "https://bilan.spaser.invalid/"


class FetchRefused(ValueError):
    """A URL the PDF may not fetch (WeasyPrint logs it and renders without the resource)."""


class StaticOnlyFetcher(URLFetcher):
    """Serve `BASE_URL + STATIC_URL + path` from the static files finders; refuse any other URL."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_prefix = BASE_URL + settings.STATIC_URL.lstrip("/")

    def fetch(self, url, headers=None):
        if not url.startswith(self.static_prefix):
            raise FetchRefused(f"Ressource refusée dans le PDF : {url}")
        relative = url[len(self.static_prefix) :].split("?")[0].split("#")[0]
        try:
            path = finders.find(relative) if relative and ".." not in relative.split("/") else None
        except SuspiciousFileOperation:
            path = None
        if not path and relative and ".." not in relative.split("/"):
            # In production the templates name the collected, hashed copies (manifest storage),
            # which exist only in STATIC_ROOT, not in the app folders the finders search.
            try:
                if staticfiles_storage.exists(relative):
                    path = staticfiles_storage.path(relative)
            except (SuspiciousFileOperation, NotImplementedError):
                path = None
        if not path:
            raise FetchRefused(f"Fichier statique introuvable : {url}")
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(path).read_bytes(), {"Content-Type": mime_type})


# Tagged PDF (PDF/UA-1): headings, tables and reading order in the file, for screen readers. French
# public documents put online must be accessible; it costs about 11 % more render time.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str) -> bytes:
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)
