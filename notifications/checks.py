"""A deployment check: the links of the e-mails need the site's public address. Information only
(SITE_URL may stay empty for the public site, which then uses each request's address)."""

from django.conf import settings
from django.core.checks import Info, register

DEFAULT_SITE = "http://127.0.0.1:8000"


@register(deploy=True)
def site_url_check(app_configs, **kwargs):
    if settings.NOTIFICATIONS_SITE_URL.rstrip("/") == DEFAULT_SITE:
        return [
            Info(
                "The e-mails' links point to http://127.0.0.1:8000.",
                hint="Set SITE_URL (or NOTIFICATIONS_SITE_URL) to the site's public address.",
                id="notifications.I001",
            )
        ]
    return []
