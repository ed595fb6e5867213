"""What the State publishes about the companies the buyers' contracts went to, and about the buyers.

- `LegalUnit`: a company (SIREN) as SIRENE's StockUniteLegale describes it: its INSEE category
  (PME, ETI, GE), headcount band, ESS flag, legal category; with the stock file's date.
- `Establishment`: an establishment (SIRET) as StockEtablissement describes it: its commune and
  département, open or closed; with the stock file's date.
- `InclusionListing`: a SIRET on an inclusion list (SIAE, EA/ESAT, GEIQ), with its source and date.
- `SupplierImport`: one import of a SIRENE or inclusion file: what it read, kept, skipped and why.
- `LocalArea`: the départements SCP counts as "local" for a plan (else the buyer's own département).

The SIRENE import keeps only the companies the app needs (suppliers.wanted); the categories a
holder belongs to are read by suppliers.selectors, the shares by the register (contracts).
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from actions.models import Plan
from core.versioning import Versioned

from .enums import InclusionKind, InclusionSubkind, SourceKind


class LegalUnit(models.Model):
    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("dénomination", max_length=255, blank=True)
    enterprise_category = models.CharField(
        "catégorie d'entreprise (INSEE)",
        max_length=3,
        blank=True,
        help_text="PME, ETI ou GE ; vide si non calculée.",
    )
    category_year = models.CharField("année de la catégorie", max_length=4, blank=True)
    headcount_band = models.CharField("tranche d'effectifs", max_length=2, blank=True)
    headcount_year = models.CharField("année de la tranche d'effectifs", max_length=4, blank=True)
    ess = models.BooleanField("économie sociale et solidaire", null=True, blank=True)
    legal_category = models.CharField("catégorie juridique", max_length=4, blank=True)
    closed = models.BooleanField("cessée", default=False)
    source_date = models.DateField("date du fichier source")
    import_run = models.ForeignKey(
        "SupplierImport", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="import"
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "unité légale (SIRENE)"
        verbose_name_plural = "unités légales (SIRENE)"
        ordering = ["siren"]
        indexes = [models.Index(fields=["legal_category"], name="legal_unit_category")]

    def __str__(self):
        return f"{self.name or 'Sans dénomination'} ({self.siren})"


class Establishment(models.Model):
    siret = models.CharField("SIRET", max_length=14, unique=True)
    siren = models.CharField("SIREN", max_length=9, db_index=True)
    commune = models.CharField("code commune (INSEE)", max_length=5, blank=True)
    commune_name = models.CharField("commune", max_length=100, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    departement = models.CharField("département", max_length=3, blank=True, db_index=True)
    closed = models.BooleanField("fermé", default=False)
    is_head_office = models.BooleanField("siège", default=False)
    source_date = models.DateField("date du fichier source")
    import_run = models.ForeignKey(
        "SupplierImport", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="import"
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "établissement (SIRENE)"
        verbose_name_plural = "établissements (SIRENE)"
        ordering = ["siret"]

    def __str__(self):
        return f"{self.siret} ({self.commune_name or self.commune or '?'})"


class InclusionListing(models.Model):
    siret = models.CharField("SIRET", max_length=14, db_index=True)
    siren = models.CharField("SIREN", max_length=9, db_index=True)
    kind = models.CharField("liste", max_length=10, choices=InclusionKind.choices)
    subkind = models.CharField("type de structure", max_length=5, choices=InclusionSubkind.choices)
    name = models.CharField("nom sur la liste", max_length=255, blank=True)
    source = models.CharField("source", max_length=300)
    source_date = models.DateField("date de la liste")
    import_run = models.ForeignKey(
        "SupplierImport", on_delete=models.CASCADE, null=True, blank=True, verbose_name="import"
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    class Meta:
        verbose_name = "structure inscrite sur une liste d'inclusion"
        verbose_name_plural = "listes d'inclusion (SIAE, EA/ESAT, GEIQ)"
        ordering = ["kind", "siret"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "siret", "subkind"], name="inclusion_listing_unique")
        ]

    def __str__(self):
        return f"{self.get_subkind_display()} – {self.name or self.siret}"


class SupplierImport(models.Model):
    """One import of a SIRENE stock file or an inclusion list: what it read, kept and skipped."""

    source = models.CharField("source", max_length=20, choices=SourceKind.choices)
    files = models.JSONField("fichiers", default=list)
    source_date = models.DateField("date des données")
    started_at = models.DateTimeField("lancé le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )
    read = models.PositiveIntegerField("lignes lues", default=0)
    kept = models.PositiveIntegerField("lignes retenues", default=0)
    skipped = models.JSONField("ignorées (ligne, motif)", default=list, blank=True)
    seconds = models.DecimalField("durée (s)", max_digits=9, decimal_places=2, default=0)
    is_demo = models.BooleanField("données de démonstration", default=False)

    class Meta:
        verbose_name = "import SIRENE ou liste d'inclusion"
        verbose_name_plural = "imports SIRENE et listes d'inclusion"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_source_display()} du {self.source_date:%d/%m/%Y}"


class LocalArea(Versioned):
    """The départements whose establishments count as local for a plan (SCP sets it); without it, the
    département of each buyer's own establishment in SIRENE."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, related_name="local_area", verbose_name="plan"
    )
    departements = models.CharField(
        "départements",
        max_length=200,
        help_text="Codes des départements séparés par des virgules (par exemple « 54, 55, 57, 88 »).",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "territoire local"
        verbose_name_plural = "territoires locaux"

    def __str__(self):
        return f"{self.plan} : {self.departements}"

    @property
    def codes(self) -> list[str]:
        return [code.strip().upper() for code in self.departements.split(",") if code.strip()]
