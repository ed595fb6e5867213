"""The bilan as PDF (WeasyPrint), rendered from the same data and content template as the page.

WeasyPrint is imported when a PDF is first rendered (reporting.renderer), not when Django starts: it
costs about a second and 40 MB that every management command and web worker would pay for nothing.
"""

import re

from django.template.loader import render_to_string

# Indentation between tags: each run becomes an anonymous box WeasyPrint lays out for nothing.
_INDENTATION = re.compile(r">\n\s*<")


def bilan_html_for_print(bilan: dict) -> str:
    return _INDENTATION.sub("><", render_to_string("reporting/bilan_print.html", {"bilan": bilan}))


def html_to_pdf(html: str) -> bytes:
    from . import renderer  # WeasyPrint, on first use only

    return renderer.html_to_pdf(html)


def bilan_pdf(bilan: dict) -> bytes:
    """The PDF of a bilan's data (as built by `bilan_build`, live or frozen)."""
    return html_to_pdf(bilan_html_for_print(bilan))
