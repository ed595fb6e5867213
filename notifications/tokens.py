"""The signed link of every e-mail that changes a person's preference without logging in.

The token names the person and the kinds of notification the e-mail was about; it is signed with the
site's secret key (django.core.signing), so it cannot be forged or altered, and expires after
NOTIFICATIONS_LINK_MAX_AGE_DAYS.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing

from .enums import NotificationKind

SALT = "notifications.preference"


class InvalidLink(Exception):
    """A preference link that was altered, cut, or expired; its message is French, for the page."""


@dataclass(frozen=True)
class PreferenceLink:
    user: User
    kinds: list[str]


def preference_token(user_id: int, kinds: list[str]) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def preference_token_read(token: str) -> PreferenceLink:
    """The person and kinds a token names; InvalidLink (French message) when it is not valid."""
    max_age = settings.NOTIFICATIONS_LINK_MAX_AGE_DAYS * 86400
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(
            "Ce lien a expiré. Connectez-vous pour régler vos notifications depuis votre compte."
        ) from None
    except signing.BadSignature:
        raise InvalidLink(
            "Ce lien n'est pas valide (il a peut-être été coupé ou modifié). Copiez-le en entier depuis "
            "l'e-mail, ou connectez-vous pour régler vos notifications depuis votre compte."
        ) from None
    kinds = data.get("k") if isinstance(data, dict) else None
    user = User.objects.filter(pk=data.get("u")).first() if isinstance(data, dict) else None
    if user is None or not kinds or not set(kinds) <= set(NotificationKind.values):
        raise InvalidLink("Ce lien ne correspond à aucun compte : il n'est plus valide.")
    return PreferenceLink(user=user, kinds=kinds)
