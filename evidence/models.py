"""Evidence ("preuves") behind a fiche-year's figures: a file or a link, attached to the fiche's year
and optionally to one of its indicators (that year's value) or one of its milestones.

Removing a piece of evidence keeps its row (`removed_at`, `removed_by`) and its history: the record
that it existed stays, only the file goes. Never shown on the public site nor in open data.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from actions.models import Fiche, Indicator, Milestone
from core.versioning import Versioned

from .enums import EvidenceKind


class EvidenceQuerySet(models.QuerySet):
    def current(self) -> "EvidenceQuerySet":
        """Not removed: what a page, the bilan and the archive count."""
        return self.filter(removed_at__isnull=True)

    def of_fiche_year(self, fiche: Fiche, year: int) -> "EvidenceQuerySet":
        return self.filter(fiche=fiche, year=year)

    def of_plan_year(self, plan, year: int) -> "EvidenceQuerySet":
        return self.filter(fiche__objective__axis__plan=plan, year=year)


class Evidence(Versioned):
    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="evidence", verbose_name="fiche")
    year = models.PositiveSmallIntegerField("année")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="indicateur",
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name="étape du calendrier",
    )
    title = models.CharField("titre", max_length=200)
    kind = models.CharField("nature", max_length=10, choices=EvidenceKind.choices)
    # Stored through Django's storage API (local folder, or S3-compatible storage), under a name the
    # service builds; `file_name` is the uploader's name made safe, offered on download.
    file = models.FileField("fichier", upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField("nom du fichier", max_length=200, blank=True)
    content_type = models.CharField("type de contenu", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    url = models.URLField("lien", max_length=500, blank=True)
    dated = models.DateField("date du document")
    added_at = models.DateTimeField("ajoutée le", auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ajoutée par",
    )
    removed_at = models.DateTimeField("retirée le", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="retirée par",
    )

    history = HistoricalRecords()
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "preuve"
        verbose_name_plural = "preuves"
        ordering = ["fiche", "year", "added_at", "pk"]
        indexes = [models.Index(fields=["fiche", "year"], name="evidence_fiche_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=EvidenceKind.LINK, file="") | Q(kind=EvidenceKind.FILE, url=""),
                name="evidence_file_or_link",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None
