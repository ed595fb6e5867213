"""The sign-in tests' fixtures: the local OpenID Connect provider and the application set to use it."""

import pytest

from accounts import oidc

from .provider import CLIENT_ID, CLIENT_SECRET, Provider, provider_start, provider_stop


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory) -> Provider:
    provider = provider_start(folder=tmp_path_factory.mktemp("oidc-provider"), app_url=live_server.url)
    yield provider
    provider_stop(provider)


@pytest.fixture
def sso(settings, oidc_provider) -> Provider:
    """Single sign-on on, through the local provider (its endpoints read from its discovery document)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_LOGIN_LABEL = "Se connecter avec le compte de l'organisation"
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    form_action = [*directives["form-action"], oidc_provider.url]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "form-action": form_action}}
    oidc._discovered.clear()
    return oidc_provider
