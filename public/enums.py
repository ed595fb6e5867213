from django.db import models


class ConformityStatus(models.TextChoices):
    """The accessibility status a public site must state (RGAA 4.1, "Obligations"): "non conforme"
    until an audit says otherwise, "partiellement conforme" from half the criteria met, "totalement
    conforme" when all are."""

    NOT = "non_conforme", "non conforme"
    PARTIAL = "partiellement_conforme", "partiellement conforme"
    FULL = "totalement_conforme", "totalement conforme"
