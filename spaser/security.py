"""The client's address as the application should trust it, behind a reverse proxy or not."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the machine that sent the request, for login throttling.

    Behind a reverse proxy every request comes from the proxy, so the client is read from
    X-Forwarded-For, but only when the connection comes from a proxy listed in TRUSTED_PROXIES:
    anyone else could write that header. Each trusted proxy appends the address it saw, so the
    client is the right-most entry that is not itself a trusted proxy; entries left of it were
    written by the client and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR")
    trusted = set(settings.TRUSTED_PROXIES)
    if not trusted or remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote
