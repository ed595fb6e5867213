from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Terminé"
    FAILED = "failed", "Échoué"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
