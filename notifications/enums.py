from django.db import models


class NotificationKind(models.TextChoices):
    """What happened. Pilots hear of their plan's campaigns and of their fiches' years; SCP of a year
    handed over; both of a message written by the other side in a fiche-year's discussion.

    (The message kind's value is not "message": templates/notifications/email/message.* is the frame
    of every e-mail.)"""

    CAMPAIGN_OPENED = "campaign_opened", "Ouverture d'une campagne annuelle"
    DEADLINE = "deadline", "Date limite de campagne proche (14 et 3 jours avant)"
    YEAR_RETURNED = "year_returned", "Bilan annuel renvoyé pour correction"
    YEAR_VALIDATED = "year_validated", "Bilan annuel validé"
    YEAR_REOPENED = "year_reopened", "Bilan annuel rouvert"
    YEAR_SUBMITTED = "year_submitted", "Bilan annuel soumis par un pilote"
    THREAD_MESSAGE = "thread_message", "Nouveau message dans un échange sur une fiche"


# Who each kind is for (the preferences page shows a person the kinds of their roles).
PILOT_KINDS = (
    NotificationKind.CAMPAIGN_OPENED,
    NotificationKind.DEADLINE,
    NotificationKind.YEAR_RETURNED,
    NotificationKind.YEAR_VALIDATED,
    NotificationKind.YEAR_REOPENED,
    NotificationKind.THREAD_MESSAGE,
)
SCP_KINDS = (NotificationKind.YEAR_SUBMITTED, NotificationKind.THREAD_MESSAGE)


class Mode(models.TextChoices):
    """How a person wants a kind of notification."""

    IMMEDIATE = "immediate", "Un e-mail aussitôt"
    DIGEST = "digest", "Un résumé par jour"
    NONE = "none", "Aucun e-mail"


class NotificationState(models.TextChoices):
    PENDING = "pending", "En attente d'envoi"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyée"
    FAILED = "failed", "Échec de l'envoi"
    SKIPPED = "skipped", "Non envoyée"


class DeliveryState(models.TextChoices):
    DELIVERED = "delivered", "Remis au serveur de messagerie"
    FAILED = "failed", "Échec"
