from django.db import models


class IndicatorKind(models.TextChoices):
    REALISATION = "realisation", "Réalisation"
    EVALUATION = "evaluation", "Évaluation"
    IMPACT = "impact", "Impact"


class ValueType(models.TextChoices):
    COUNT = "count", "Nombre"
    PERCENTAGE = "percentage", "Pourcentage"
    AMOUNT = "amount", "Montant (€)"
    HOURS = "hours", "Heures"
    RATIO = "ratio", "Ratio"
    BOOLEAN = "boolean", "Oui / non"
    TEXT = "text", "Texte libre"


NUMERIC_VALUE_TYPES = frozenset(
    {ValueType.COUNT, ValueType.PERCENTAGE, ValueType.AMOUNT, ValueType.HOURS, ValueType.RATIO}
)


class CampaignStatus(models.TextChoices):
    OPEN = "ouverte", "Ouverte"
    CLOSED = "fermee", "Fermée"


class ReviewStatus(models.TextChoices):
    """Where a fiche's yearly review stands in the campaign workflow."""

    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "soumis", "Soumis"
    RETURNED = "renvoye", "Renvoyé au pilote"
    VALIDATED = "valide", "Validé"
