"""Notifications by e-mail: what happened, to whom (Notification), the e-mails sent (Delivery), the
daily digests (Digest), and how each person wants each kind (Preference).

A notification is written in the transaction of the event that caused it, its text already rendered,
and sent after the commit (services.notify). The plan, fiche and year it is about are plain numbers:
this app sits below the plan's apps and knows none of them.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .enums import DeliveryState, Mode, NotificationKind, NotificationState


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> "NotificationQuerySet":
        return self.filter(state=NotificationState.PENDING)

    def for_digest(self, day) -> "NotificationQuerySet":
        """The notifications waiting for `day`'s digest."""
        return self.pending().filter(mode=Mode.DIGEST, day=day)


class Digest(models.Model):
    """One e-mail grouping a person's digest notifications of a day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="destinataire"
    )
    day = models.DateField("journée résumée")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "résumé quotidien"
        verbose_name_plural = "résumés quotidiens"
        ordering = ["-day", "recipient__username"]

    def __str__(self):
        return f"Résumé du {self.day:%d/%m/%Y} pour {self.recipient}"


class Notification(models.Model):
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    mode = models.CharField("envoi", max_length=10, choices=Mode.choices)
    subject = models.CharField("objet", max_length=250)
    body_text = models.TextField("texte")
    body_html = models.TextField("texte HTML")
    link = models.CharField("lien vers la page", max_length=500)  # absolute (services.site_link)
    # What it is about, as plain numbers (no foreign key to the plan's apps, which sit above this one).
    plan_id = models.PositiveIntegerField("plan (identifiant)", null=True, blank=True)
    fiche_id = models.PositiveIntegerField("fiche (identifiant)", null=True, blank=True)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    # An event notified once only per person (a deadline reminder of a day: the command may run twice).
    key = models.CharField("clé d'unicité", max_length=200, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    day = models.DateField("jour (pour le résumé)")
    state = models.CharField(
        "état", max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    reason = models.CharField("raison", max_length=300, blank=True)
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="résumé",
    )
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [models.Index(fields=["state", "mode", "day"], name="notification_waiting")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_state_display().lower()})"


class Delivery(models.Model):
    """One e-mail handed to the mail server: to whom, what, when, and whether it was accepted."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="destinataire"
    )
    email = models.EmailField("adresse")
    subject = models.CharField("objet", max_length=250)
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name="notification",
    )
    digest = models.ForeignKey(
        Digest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name="résumé",
    )
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)
    state = models.CharField("résultat", max_length=10, choices=DeliveryState.choices)
    error = models.TextField("erreur du serveur de messagerie", blank=True)

    class Meta:
        verbose_name = "envoi"
        verbose_name_plural = "envois"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subject} → {self.email} ({self.get_state_display().lower()})"


class Preference(models.Model):
    """How a person wants a kind of notification; without a row, at once (Mode.IMMEDIATE)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="personne",
    )
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    mode = models.CharField("envoi", max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        ordering = ["user__username", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_unique")]

    def __str__(self):
        return f"{self.user} : {self.get_kind_display()} – {self.get_mode_display()}"
