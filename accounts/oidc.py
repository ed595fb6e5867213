"""Single sign-on: the OpenID Connect relying party, on mozilla-django-oidc.

What this adds to the library: the provider's endpoints read from its discovery document when only
the issuer is configured; the ID token's expiry, audience and issuer checked (the library checks its
signature and nonce only); a userinfo answer signed as a JWT (ProConnect's); the account matched or
created by `accounts.services.oidc_account_match`, which never grants a right; a deactivated account
refused, at sign-in and on every later request; the logout at the provider (RP-initiated logout).
"""

import json
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from .services import SignInRefused, oidc_account_match

# Setting -> the name of the endpoint in the provider's discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
_discovered: dict[str, dict] = {}


def clock() -> float:
    """The relying party's clock, which the ID token's expiry is checked against."""
    return time.time()


def discovery() -> dict:
    """The provider's discovery document (`<issuer>/.well-known/openid-configuration`), read once per
    process; empty when no issuer is configured (the endpoints are then set one by one)."""
    issuer = settings.OIDC_OP_ISSUER
    if not issuer:
        return {}
    if issuer not in _discovered:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        _discovered[issuer] = response.json()
    return _discovered[issuer]


def oidc_setting(name: str, *default):
    """A setting of the library, an endpoint left empty taken from the discovery document."""
    value = getattr(settings, name, "")
    if name in ENDPOINTS and not value and settings.OIDC_ENABLED:
        return discovery().get(ENDPOINTS[name], "")
    return import_from_settings(name, *default)


def expected_issuer() -> str:
    return settings.OIDC_OP_ISSUER and discovery().get("issuer", settings.OIDC_OP_ISSUER)


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in a person coming back from the provider (the callback's code, state and nonce)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # The provider's settings (and its discovery document) are read for an SSO callback only, so
        # that a password login never depends on the provider.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "password" in kwargs or "nonce" not in kwargs:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)  # signature, algorithm, nonce
        if (
            not isinstance(payload.get("exp"), int | float)
            or clock() > payload["exp"] + settings.OIDC_CLOCK_SKEW_SECONDS
        ):
            raise SuspiciousOperation("ID token expired")
        audience = payload.get("aud")
        if self.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("ID token audience is not this client")
        issuer = expected_issuer()
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issuer is not the configured provider")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.OIDC_TIMEOUT,
        )
        response.raise_for_status()
        if response.headers.get("Content-Type", "").startswith("application/jwt"):
            # ProConnect signs the userinfo answer: checked with the provider's keys, like the ID token.
            token = response.content.strip()
            key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
            return json.loads(self.get_payload_data(token, key))
        return response.json()

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo subject differs from the ID token's")
        try:
            return oidc_account_match(claims=claims, issuer=payload.get("iss", ""))
        except SignInRefused as refusal:
            self.request.sso_refusal = refusal.message
            return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def provider_logout_url(request, *, redirect_to: str) -> str | None:
    """The provider's end-session address for this session (RP-initiated logout), or None when the
    person did not sign in by SSO or the provider offers no logout. Read before the session ends."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and id_token):
        return None
    try:
        endpoint = oidc_setting("OIDC_OP_LOGOUT_ENDPOINT")
    except requests.RequestException:
        return None
    if not endpoint:
        return None
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": request.build_absolute_uri(redirect_to)}
    return f"{endpoint}?{urlencode(query)}"
