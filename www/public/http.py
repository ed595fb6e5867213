"""Responses of the public site: absolute addresses, and HTTP caching headers (conditional GET)."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from core.http import attach
from public.caching import Built, legal_information

HTML = "text/html; charset=utf-8"


def origin(request: HttpRequest) -> str:
    """The site's address ("https://host"): SITE_URL when set, else the one the request came to."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def page_date(updated_at: datetime.datetime | None = None) -> datetime.datetime:
    """When a page last changed: its data, the legal information its footer states (SCP's last edit),
    or midnight today (a milestone falls late with the date)."""
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    legal = legal_information().updated_at  # None until SCP saves it
    return max(date for date in (updated_at, midnight, legal) if date is not None)


def respond(
    request: HttpRequest,
    built: Built,
    *,
    content_type: str = HTML,
    last_modified: datetime.datetime,
    filename: str | None = None,
) -> HttpResponse:
    """The bytes with ETag, Last-Modified and Cache-Control, or 304 when the client's copy is current."""
    response = HttpResponse(built.body, content_type=content_type)
    response["ETag"] = built.etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    if filename:
        attach(response, filename)
    timestamp = int(last_modified.timestamp())
    return get_conditional_response(request, etag=built.etag, last_modified=timestamp, response=response)
