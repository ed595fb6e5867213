"""Choices of the next plan's preparation."""

from django.db import models


class FicheDecision(models.TextChoices):
    """What becomes of a fiche of a plan in the next one (decided from its evaluation)."""

    RENEWED = "reconduite", "Reconduite"
    MODIFIED = "modifiee", "Reconduite et modifiée"
    MERGED = "fusionnee", "Fusionnée dans une autre fiche"
    COMPLETED = "achevee", "Achevée"
    ABANDONED = "abandonnee", "Abandonnée"


# Decisions that carry the fiche into the next plan as a fiche of its own.
CARRIED_DECISIONS = frozenset({FicheDecision.RENEWED, FicheDecision.MODIFIED})
