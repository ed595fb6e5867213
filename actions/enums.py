from django.db import models

# The indicators' value types are the value grammar's (core.values), defined with it.
from core.enums import NUMERIC_VALUE_TYPES, ValueType  # noqa: F401


class Complexity(models.TextChoices):
    SIMPLE = "simple", "Simple"
    MODERATELY_SIMPLE = "moyennement_simple", "Moyennement simple"
    COMPLEX = "complexe", "Complexe"


class Duration(models.TextChoices):
    RAPID = "rapide", "Rapide"
    MODERATELY_RAPID = "moyennement_rapide", "Moyennement rapide"
    TIME_CONSUMING = "chronophage", "Chronophage"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "non_demarree", "Non démarrée"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "realisee", "Réalisée"
    POSTPONED = "reportee", "Reportée"
    ABANDONED = "abandonnee", "Abandonnée"


class GoalKind(models.TextChoices):
    QUANTITATIVE = "quantitative", "Quantitatif"
    QUALITATIVE = "qualitative", "Qualitatif"


class MilestoneKind(models.TextChoices):
    STEP = "step", "Étape"
    DEADLINE = "deadline", "Échéance"


class MilestoneStatus(models.TextChoices):
    PLANNED = "prevu", "Prévu"
    DONE = "realise", "Réalisé"
    CANCELLED = "abandonne", "Abandonné"


class DuePrecision(models.TextChoices):
    YEAR = "year", "Année"
    HALF = "half", "Semestre"
    QUARTER = "quarter", "Trimestre"
    MONTH = "month", "Mois"
    DAY = "day", "Jour"


class ActorKind(models.TextChoices):
    INTERNAL = "internal", "Interne"
    EXTERNAL = "external", "Externe"


class MeansKind(models.TextChoices):
    HUMAN = "human", "Humains"
    FINANCIAL = "financial", "Financiers"
    OTHER = "other", "Autre"


class IndicatorKind(models.TextChoices):
    REALISATION = "realisation", "Réalisation"
    EVALUATION = "evaluation", "Évaluation"
    IMPACT = "impact", "Impact"


class MilestoneState(models.TextChoices):
    """Where a milestone stands on a given day (derived from its status, deadline and the day)."""

    DONE = "done", "Réalisé"
    ON_TIME = "on_time", "Dans les délais"
    LATE = "late", "En retard"
    CANCELLED = "cancelled", "Abandonné"


class PlanState(models.TextChoices):
    """Where a plan stands in its life: drafted, followed, then closed (read-only)."""

    PREPARATION = "preparation", "En préparation"
    IN_FORCE = "en_vigueur", "En vigueur"
    CLOSED = "clos", "Clos"
