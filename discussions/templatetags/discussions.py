"""How a message reads on a page: plain text, escaped, its links made clickable (and followed by no
search engine, opening no window that could reach back), its line breaks kept."""

from django import template
from django.utils.html import Urlizer, normalize_newlines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class _MessageUrlizer(Urlizer):
    url_template = '<a href="{href}" rel="nofollow noopener">{url}</a>'


_urlize = _MessageUrlizer()


@register.filter
def message_text(body: str) -> SafeString:
    """`body` escaped (it is never trusted HTML), its URLs as links, its line breaks as <br>."""
    text = _urlize(normalize_newlines(str(body)), trim_url_limit=80, autoescape=True)
    return mark_safe(text.replace("\n", "<br>"))
