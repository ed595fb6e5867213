"""Creates the provider's people and the application's client (run once, after migrate)."""

import json
import os
import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def seed(config: dict) -> None:
    for person in config["people"]:
        User.objects.create_user(**person)
    Application.objects.create(
        name="Pilotage SPASER",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=config["redirect_uri"],
        post_logout_redirect_uris=config["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    seed(json.loads(os.environ["PROVIDER_SEED"]))
    sys.exit(0)
