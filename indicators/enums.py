from django.db import models


class CampaignStatus(models.TextChoices):
    OPEN = "ouverte", "Ouverte"
    CLOSED = "fermee", "Fermée"


class ReviewStatus(models.TextChoices):
    """Where a fiche's yearly review stands in the campaign workflow."""

    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "soumis", "Soumis"
    RETURNED = "renvoye", "Renvoyé au pilote"
    VALIDATED = "valide", "Validé"

    @property
    def is_handed_over(self) -> bool:
        """The pilots are done with the year: it waits for SCP, or is validated."""
        return self in (ReviewStatus.SUBMITTED, ReviewStatus.VALIDATED)


class YearState(models.TextChoices):
    """A fiche's year as the campaign lists show it: the review's status, or "to enter" before any input."""

    DUE = "a_saisir", "À saisir"
    DRAFT = "brouillon", "Saisie en cours"
    SUBMITTED = "soumis", "Soumis"
    RETURNED = "renvoye", "Renvoyé au pilote"
    VALIDATED = "valide", "Validé"

    @property
    def is_submitted(self) -> bool:
        return self == YearState.SUBMITTED

    @property
    def is_validated(self) -> bool:
        return self == YearState.VALIDATED

    @property
    def is_returned(self) -> bool:
        return self == YearState.RETURNED

    @property
    def is_handed_over(self) -> bool:
        return self in (YearState.SUBMITTED, YearState.VALIDATED)
