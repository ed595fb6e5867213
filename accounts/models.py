from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .enums import SignInMethod


class Account(models.Model):
    """What the application keeps about an account beside Django's user: the identity the OpenID
    Connect provider knows it by, and the way it last signed in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account", verbose_name="compte"
    )
    sso_issuer = models.CharField("fournisseur d'identité", max_length=300, blank=True)
    sso_subject = models.CharField("identifiant chez le fournisseur", max_length=255, blank=True)
    last_sign_in_method = models.CharField(
        "dernière connexion par", max_length=20, choices=SignInMethod.choices, blank=True
    )

    class Meta:
        verbose_name = "compte (connexion)"
        verbose_name_plural = "comptes (connexion)"
        constraints = [
            models.UniqueConstraint(
                fields=["sso_issuer", "sso_subject"], condition=~Q(sso_subject=""), name="account_sso_unique"
            )
        ]

    def __str__(self):
        return str(self.user)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    """SCP invited a person: who, by whom, when, and when the person first signed in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations", verbose_name="compte"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="invité par",
    )
    created_at = models.DateTimeField("invité le", default=timezone.now)
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation de {self.user.email or self.user}"
