"""The contracts register: the buyer's own contracts, from its published essential data (DECP).

A contract is identified by its uid (the buyer's SIRET followed by the contract's id, as the DECP
consolidation does): a contract published again (when modified) is stored once. The register is
written by the import only (services.decp_apply); SCP edits the plan's targets and the national
references in the admin.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from actions.models import Indicator, Plan
from actions.versioning import Versioned

from .enums import Category, Considerations, Measure, Nature

# Since 21 August 2026 every new contract carries an environmental consideration (loi Climat et
# résilience, art. 35; décret 2022-767): the register flags those notified since without one.
ENVIRONMENTAL_DUTY_SINCE = "2026-08-21"


def category_filters() -> dict[str, Q]:
    """Each legal indicator as a filter on contracts (one home for the definitions)."""
    social = Q(social=Considerations.STATED)
    environmental = Q(environmental=Considerations.STATED)
    return {
        Category.CONTRACTS: Q(),
        Category.SOCIAL: social,
        Category.RESERVED: Q(reserved=True),
        Category.ENVIRONMENTAL: environmental,
        Category.BOTH: social & environmental,
        Category.NONE: Q(social=Considerations.NONE, environmental=Considerations.NONE),
        Category.UNKNOWN: Q(social=Considerations.UNKNOWN) | Q(environmental=Considerations.UNKNOWN),
    }


class ContractQuerySet(models.QuerySet):
    def of_buyers(self, sirets) -> "ContractQuerySet":
        return self.filter(buyer_siret__in=list(sirets))

    def notified_in(self, year: int) -> "ContractQuerySet":
        return self.filter(year=year)

    def in_category(self, category: str) -> "ContractQuerySet":
        return self.filter(category_filters()[category])

    def missing_environmental(self) -> "ContractQuerySet":
        """Notified since the environmental duty began, without a stated environmental consideration."""
        return self.filter(notified_on__gte=ENVIRONMENTAL_DUTY_SINCE).exclude(
            environmental=Considerations.STATED
        )

    def tally(self) -> dict[str, dict]:
        """Count and initial amount of every legal category, in one query."""
        return _figures(self.aggregate(**_category_aggregates()))

    def by_year(self) -> dict[int, dict[str, dict]]:
        """`tally` per notification year, in one query."""
        rows = self.order_by().values("year").annotate(**_category_aggregates())
        return {row["year"]: _figures(row) for row in rows}


def _category_aggregates() -> dict:
    """`<category>__count` and `<category>__amount` (initial amounts) for every legal category."""
    zero = Value(0, output_field=DecimalField(max_digits=18, decimal_places=2))
    aggregates = {}
    for category, condition in category_filters().items():
        aggregates[f"{category}__count"] = Count("pk", filter=condition)
        aggregates[f"{category}__amount"] = Coalesce(Sum("initial_amount", filter=condition), zero)
    return aggregates


def _figures(row: dict) -> dict[str, dict]:
    return {
        category: {"count": row[f"{category}__count"], "amount": row[f"{category}__amount"]}
        for category in Category.values
    }


class Contract(models.Model):
    uid = models.CharField("identifiant unique (acheteur + id)", max_length=120, unique=True)
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14, db_index=True)
    contract_id = models.CharField("identifiant du contrat", max_length=64)
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    nature_label = models.CharField("nature déclarée", max_length=80, blank=True)
    object = models.TextField("objet")
    cpv = models.CharField("code CPV", max_length=12, blank=True)
    procedure = models.CharField("procédure", max_length=200, blank=True)
    notified_on = models.DateField("date de notification")
    year = models.PositiveSmallIntegerField("année de notification", db_index=True)
    initial_amount = models.DecimalField("montant initial (€ HT)", max_digits=16, decimal_places=2)
    current_amount = models.DecimalField(
        "montant après modifications (€ HT)", max_digits=16, decimal_places=2
    )
    modifications = models.PositiveSmallIntegerField("modifications", default=0)
    social = models.CharField("considérations sociales", max_length=10, choices=Considerations.choices)
    social_clause = models.BooleanField("clause sociale", default=False)
    social_criterion = models.BooleanField("critère social", default=False)
    reserved = models.BooleanField("marché réservé", default=False)
    environmental = models.CharField(
        "considérations environnementales", max_length=10, choices=Considerations.choices
    )
    environmental_clause = models.BooleanField("clause environnementale", default=False)
    environmental_criterion = models.BooleanField("critère environnemental", default=False)
    holders = models.JSONField("titulaires (SIRET)", default=list, blank=True)
    published_on = models.DateField("date de publication des données", null=True, blank=True)
    source_file = models.CharField("fichier source", max_length=255)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    history = HistoricalRecords()
    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["-notified_on", "uid"]
        indexes = [models.Index(fields=["buyer_siret", "year"], name="contract_buyer_year")]

    def __str__(self):
        return f"{self.contract_id} – {self.object[:80]}"

    @property
    def cpv_division(self) -> str:
        return self.cpv[:2]

    @property
    def social_labels(self) -> list[str]:
        flags = (
            (self.social_clause, "Clause sociale"),
            (self.social_criterion, "Critère social"),
            (self.reserved, "Marché réservé"),
        )
        return [label for flag, label in flags if flag]

    @property
    def environmental_labels(self) -> list[str]:
        flags = (
            (self.environmental_clause, "Clause environnementale"),
            (self.environmental_criterion, "Critère environnemental"),
        )
        return [label for flag, label in flags if flag]


class DecpImport(models.Model):
    """One import (command or admin): what it read, what it changed, what it skipped and why."""

    files = models.JSONField("fichiers", default=list)
    buyers = models.JSONField("acheteurs retenus (SIRET)", default=list)
    started_at = models.DateTimeField("lancé le", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )
    read = models.PositiveIntegerField("contrats lus", default=0)
    kept = models.PositiveIntegerField("contrats des acheteurs", default=0)
    new = models.PositiveIntegerField("nouveaux", default=0)
    changed = models.PositiveIntegerField("modifiés", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    skipped = models.JSONField("ignorés (identifiant, motif)", default=list, blank=True)
    seconds = models.DecimalField("durée (s)", max_digits=9, decimal_places=2, default=0)
    is_demo = models.BooleanField("données de démonstration", default=False)

    class Meta:
        verbose_name = "import DECP"
        verbose_name_plural = "imports DECP"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Import du {self.started_at:%d/%m/%Y %H:%M} ({', '.join(self.files)[:80]})"


class LegalTarget(Versioned):
    """The plan's own target for a legal indicator: a share of contracts, in number or in value."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="legal_targets", verbose_name="plan"
    )
    category = models.CharField("indicateur", max_length=20, choices=Category.choices)
    measure = models.CharField("mesure", max_length=10, choices=Measure.choices, default=Measure.COUNT)
    share = models.DecimalField(
        "part visée (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    year = models.PositiveSmallIntegerField(
        "année visée", null=True, blank=True, help_text="Vide : la cible vaut pour chaque année du plan."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cible du plan (indicateur légal)"
        verbose_name_plural = "cibles du plan (indicateurs légaux)"
        ordering = ["plan", "category", "measure", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "category", "measure", "year"], name="legal_target_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_category_display()} : {self.share} % ({self.get_measure_display().lower()})"


class NationalReference(Versioned):
    """A national figure to compare with (for example the OECP's yearly census), with its source."""

    category = models.CharField("indicateur", max_length=20, choices=Category.choices)
    measure = models.CharField("mesure", max_length=10, choices=Measure.choices, default=Measure.COUNT)
    year = models.PositiveSmallIntegerField("année")
    share = models.DecimalField(
        "part (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    source = models.CharField("source", max_length=300)
    url = models.URLField("adresse de la source", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "référence nationale"
        verbose_name_plural = "références nationales"
        ordering = ["category", "measure", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["category", "measure", "year"], name="national_reference_unique")
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.year} : {self.share} % ({self.source})"


class RegisterIndicator(Versioned):
    """A fiche indicator that counts or values contracts: computed from the register (SCP sets it)."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="register_source", verbose_name="indicateur"
    )
    category = models.CharField("contrats comptés", max_length=20, choices=Category.choices)
    measure = models.CharField("mesure", max_length=10, choices=Measure.choices, default=Measure.COUNT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur calculé depuis le registre"
        verbose_name_plural = "indicateurs calculés depuis le registre"
        ordering = ["indicator"]

    def __str__(self):
        category, measure = self.get_category_display().lower(), self.get_measure_display().lower()
        return f"{self.indicator.code} : {category} ({measure})"
