"""Published bilans: the exact data and PDF the comité received, frozen at publication."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from actions.models import Plan


class PublishedBilanQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "PublishedBilanQuerySet":
        return self.filter(plan=plan)

    def for_year(self, year: int | None) -> "PublishedBilanQuerySet":
        """Versions of one bilan: a year's, or the end-of-plan one when `year` is None."""
        return self.filter(year__isnull=True) if year is None else self.filter(year=year)

    def public(self) -> "PublishedBilanQuerySet":
        return self.filter(is_public=True)

    def without_content(self) -> "PublishedBilanQuerySet":
        """Lists show versions, not their frozen data and PDF: do not load megabytes for a table."""
        return self.defer("data", "pdf")


class PublishedBilan(models.Model):
    """One published version of a bilan: its data (JSON) and PDF bytes, never re-computed.

    `year` is None for the end-of-plan bilan (every year of the plan).
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="published_bilans", verbose_name="plan"
    )
    year = models.PositiveSmallIntegerField(
        "année", null=True, blank=True, help_text="Vide : bilan de fin de plan."
    )
    version = models.PositiveIntegerField("version")
    data = models.JSONField("données figées", editable=False)
    pdf = models.BinaryField("PDF figé", editable=False)
    sha256 = models.CharField("empreinte SHA-256 du PDF", max_length=64, editable=False)
    published_at = models.DateTimeField("publié le", editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="publié par",
        editable=False,
    )
    is_public = models.BooleanField(
        "public", default=False, help_text="Lisible sans connexion, sur les pages publiques du site."
    )

    # The frozen content never changes; the history records who made a version public, and when.
    history = HistoricalRecords(excluded_fields=["data", "pdf"])
    objects = PublishedBilanQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan publié"
        verbose_name_plural = "bilans publiés"
        ordering = ["plan", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "version"],
                condition=Q(year__isnull=False),
                name="published_bilan_version_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "version"],
                condition=Q(year__isnull=True),
                name="published_final_bilan_version_unique",
            ),
        ]

    def __str__(self):
        return f"{self.label} – version {self.version}"

    @property
    def label(self) -> str:
        if self.year is None:
            return f"Bilan de fin de plan {self.plan.start_year}-{self.plan.end_year}"
        return f"Bilan {self.year}"

    @property
    def scope(self) -> str:
        """The bilan's part of its addresses: its year, or "fin-de-plan"."""
        return "fin-de-plan" if self.year is None else str(self.year)

    @property
    def filename(self) -> str:
        return f"{self.plan.slug}-bilan-{self.scope}-v{self.version}.pdf"
