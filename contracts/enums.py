from django.db import models


class Nature(models.TextChoices):
    CONTRACT = "marche", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class Considerations(models.TextChoices):
    """What a record says about one kind of consideration (social or environmental)."""

    STATED = "declaree", "Au moins une considération"
    NONE = "aucune", "Aucune considération déclarée"
    # The field is absent (published before it existed), empty, or holds a value that is none of the
    # schema's: never counted as "none", which would lower the rates the bilan prints.
    UNKNOWN = "inconnue", "Non renseigné"


class Category(models.TextChoices):
    """The legal indicators (art. L2111-3): each a set of contracts counted in number and in value."""

    CONTRACTS = "contracts", "Tous les contrats"
    SOCIAL = "social", "Au moins une considération sociale"
    RESERVED = "reserved", "dont marchés réservés"
    ENVIRONMENTAL = "environmental", "Au moins une considération environnementale"
    BOTH = "both", "Considérations sociale et environnementale"
    NONE = "none", "Aucune considération déclarée"
    UNKNOWN = "unknown", "Non renseigné (champ absent ou valeur non reconnue)"


class Measure(models.TextChoices):
    COUNT = "count", "Nombre de contrats"
    AMOUNT = "amount", "Montant initial (€ HT)"


class IndicatorMeasure(models.TextChoices):
    """What a fiche indicator computed from the register gives: a number or an amount of contracts, or
    their share of the year's contracts (in number or in value)."""

    COUNT = "count", "Nombre de contrats"
    AMOUNT = "amount", "Montant initial (€ HT)"
    SHARE_COUNT = "share_count", "Part en nombre (%)"
    SHARE_AMOUNT = "share_amount", "Part en valeur (%)"


class RecordOutcome(models.TextChoices):
    NEW = "new", "Nouveau"
    CHANGED = "changed", "Modifié"
    UNCHANGED = "unchanged", "Inchangé"
    SKIPPED = "skipped", "Ignoré (non conforme)"


class NoticeKind(models.TextChoices):
    """What an import found doubtful in a record it kept: listed for SCP, never silently reinterpreted."""

    UNRECOGNISED = "valeur_non_reconnue", "Valeur non reconnue"
    AMOUNT = "montant_anormal", "Montant anormal"
    SHARED_ID = "identifiant_partage", "Identifiant partagé"
    DATE = "date_impossible", "Date de publication impossible ou illisible"


class ThresholdKind(models.TextChoices):
    """Dated amounts the register compares contracts with (SCP keeps them, with their source)."""

    CEILING = "plafond", "Plafond de vraisemblance des montants (au-delà : anomalie)"
    SUPPLIES_SERVICES = "fournitures_services", "Seuil européen : fournitures et services (collectivités)"
    WORKS = "travaux", "Seuil européen : travaux"
    CONCESSIONS = "concessions", "Seuil européen : concessions"


class Duty(models.TextChoices):
    """The duties in force since 21 August 2026 (loi Climat et résilience, art. 35), one list each."""

    ENVIRONMENTAL_CRITERION = "critere_env", "Sans critère environnemental d'attribution"
    ENVIRONMENTAL_CLAUSE = "clause_env", "Sans condition d'exécution environnementale"
    SOCIAL_CLAUSE = "clause_sociale", "Au-dessus des seuils européens, sans condition d'exécution sociale"


class CorrectionChoice(models.TextChoices):
    """One flag of a correction: as published, or set by SCP."""

    PUBLISHED = "", "Tel que publié"
    YES = "oui", "Oui"
    NO = "non", "Non"
