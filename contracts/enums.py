from django.db import models


class Nature(models.TextChoices):
    CONTRACT = "marche", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class Considerations(models.TextChoices):
    """What a record says about one kind of consideration (social or environmental)."""

    STATED = "declaree", "Au moins une considération"
    NONE = "aucune", "Aucune considération déclarée"
    UNKNOWN = "inconnue", "Non renseigné (donnée antérieure au champ)"


class Category(models.TextChoices):
    """The legal indicators (art. L2111-3): each a set of contracts counted in number and in value."""

    CONTRACTS = "contracts", "Tous les contrats"
    SOCIAL = "social", "Au moins une considération sociale"
    RESERVED = "reserved", "dont marchés réservés"
    ENVIRONMENTAL = "environmental", "Au moins une considération environnementale"
    BOTH = "both", "Considérations sociale et environnementale"
    NONE = "none", "Aucune considération déclarée"
    UNKNOWN = "unknown", "Non renseigné (données antérieures au champ)"


class Measure(models.TextChoices):
    COUNT = "count", "Nombre de contrats"
    AMOUNT = "amount", "Montant initial (€ HT)"


class RecordOutcome(models.TextChoices):
    NEW = "new", "Nouveau"
    CHANGED = "changed", "Modifié"
    UNCHANGED = "unchanged", "Inchangé"
    SKIPPED = "skipped", "Ignoré (non conforme)"
