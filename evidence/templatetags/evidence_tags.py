"""The evidence's small pieces in templates: a file's size, an indicator's number of evidence."""

from django import template
from django.utils.html import format_html

from evidence.files import megabytes

register = template.Library()


@register.filter
def file_size(size: int) -> str:
    """A file's size as a French reader reads it ("1,5 Mo")."""
    return megabytes(size or 0)


@register.simple_tag
def evidence_count(evidence, indicator) -> str:
    """ "n preuve(s)" beside an indicator of the entry page, linked to the section; nothing if none.
    `evidence`: the section's FicheYearEvidence (no query)."""
    count = evidence.by_indicator.get(indicator.pk, 0) if evidence else 0
    if not count:
        return ""
    return format_html(
        '<p class="evidence-count"><a href="#preuves">{} preuve{}</a></p>', count, "s" if count > 1 else ""
    )
