"""Choices of the project's plumbing: the value types the value grammar (core.values) reads and writes."""

from django.db import models


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
