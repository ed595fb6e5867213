from django.db import models


class EvidenceKind(models.TextChoices):
    FILE = "file", "Fichier"
    LINK = "link", "Lien"
