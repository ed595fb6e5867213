"""Every buyer's legal indicators from a national consolidated DECP file, per buyer and year.

`manage.py decp_national FILE...` reads the file (streamed, with the register's reader and rules) and
stores one `NationalFigure` per buyer and notification year, never the contracts themselves. A
`NationalDataset` is one such computation: its file, its date, and whether SCP published the
comparison on the public site. The buyer's kind (département, région, commune, EPCI, other) is read
from SIRENE (suppliers.LegalUnit) when the comparison is shown.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.versioning import Versioned


class NationalDataset(Versioned):
    files = models.JSONField("fichiers", default=list)
    label = models.CharField(
        "source", max_length=300, help_text="Par exemple « DECP consolidées, data.gouv.fr »."
    )
    source_date = models.DateField("date des données")
    started_at = models.DateTimeField("calculé le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )
    read = models.PositiveIntegerField("contrats lus", default=0)
    counted = models.PositiveIntegerField("contrats comptés", default=0)
    buyers = models.PositiveIntegerField("acheteurs", default=0)
    skipped = models.JSONField("ignorés (identifiant, motif)", default=list, blank=True)
    skipped_count = models.PositiveIntegerField("contrats ignorés", default=0)
    no_buyer = models.PositiveIntegerField("contrats sans acheteur identifiable", default=0)
    seconds = models.DecimalField("durée (s)", max_digits=9, decimal_places=2, default=0)
    published = models.BooleanField(
        "publiée sur le site public",
        default=False,
        help_text="La comparaison nationale de ces données est visible sur le site public.",
    )
    is_demo = models.BooleanField("données de démonstration", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "calcul national (DECP consolidées)"
        verbose_name_plural = "calculs nationaux (DECP consolidées)"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.label} ({self.source_date:%d/%m/%Y})"


class NationalFigure(models.Model):
    """One buyer's legal indicators for one notification year, as the register's rules compute them:
    `tally` is {category: {"count": int, "amount": "x.xx"}} for every contracts.enums.Category."""

    dataset = models.ForeignKey(NationalDataset, on_delete=models.CASCADE, related_name="figures")
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14)
    buyer_siren = models.CharField("SIREN de l'acheteur", max_length=9)
    year = models.PositiveSmallIntegerField("année de notification")
    contracts = models.PositiveIntegerField("contrats")
    social = models.PositiveIntegerField("avec une considération sociale")
    environmental = models.PositiveIntegerField("avec une considération environnementale")
    tally = models.JSONField("indicateurs légaux", default=dict)

    class Meta:
        verbose_name = "chiffres d'un acheteur (DECP nationales)"
        verbose_name_plural = "chiffres des acheteurs (DECP nationales)"
        ordering = ["dataset", "year", "buyer_siret"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "buyer_siret", "year"], name="national_figure_unique")
        ]
        indexes = [models.Index(fields=["dataset", "year", "buyer_siren"], name="national_figure_year")]

    def __str__(self):
        return f"{self.buyer_siret} {self.year} : {self.contracts} contrats"
