"""Writes of the public app: the legal pages' record, which SCP sets in the admin."""

from django.contrib.auth.models import User
from django.db import transaction

from core import rights
from core.versioning import save_claimed

from .models import LegalInformation


@transaction.atomic
def legal_information_save(*, information: LegalInformation, user: User, seen_version: int | None) -> None:
    """Save the site's legal information as SCP edited it (over the version the form showed).

    Its history row draws a new data version (core.caching), so every public page, whose footer
    states the accessibility status, is built again with it.
    """
    rights.require(
        rights.may_publish(user), "Modification des pages légales réservée au service commande publique."
    )
    if information.pk is None and LegalInformation.objects.exists():
        raise ValueError("Le site n'a qu'un enregistrement d'informations légales.")
    save_claimed(information, seen=seen_version, user=user)
