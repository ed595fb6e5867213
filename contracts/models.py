"""The contracts register: the buyer's own contracts, from its published essential data (DECP).

A contract is identified by its uid (the buyer's SIRET followed by the contract's id, as the DECP
consolidation does): a contract published again (when modified) is stored once. The register is
written by the import (services.decp_apply) and by SCP's corrections (services.contract_correct);
SCP edits the plan's targets, the national references and the thresholds in the admin.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from actions.models import Indicator, Plan
from core.versioning import Versioned
from suppliers.enums import SupplierCategory

from . import rules
from .enums import Category, Considerations, IndicatorMeasure, Measure, Nature, ThresholdKind


class ContractQuerySet(models.QuerySet):
    def of_buyers(self, sirets) -> "ContractQuerySet":
        return self.filter(buyer_siret__in=list(sirets))

    def notified_in(self, year: int) -> "ContractQuerySet":
        return self.filter(year=year)

    def counted(self) -> "ContractQuerySet":
        """Every contract but those SCP excluded (duplicates, errors): they count nowhere."""
        return self.filter(rules.COUNTED)

    def in_category(self, category: str) -> "ContractQuerySet":
        return self.filter(rules.category_filters()[category])

    def missing_environmental(self) -> "ContractQuerySet":
        """Notified since the environmental duty began, without a stated environmental consideration."""
        return self.filter(rules.missing_environmental())


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
    # Empty when the published amount is missing, unreadable or too large to be a number (then
    # `published_amount` keeps it as written): an anomaly, like an amount below 1 € or above the ceiling.
    initial_amount = models.DecimalField(
        "montant initial (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    current_amount = models.DecimalField(
        "montant après modifications (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    published_amount = models.CharField(
        "montant tel que publié",
        max_length=60,
        blank=True,
        help_text="Le montant tel qu'il est écrit dans le fichier, quand ce n'est pas un nombre "
        "ordinaire (« 50 000,00 », « 1e+17 ») ou qu'il manque.",
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
    # The considerations as published (statuses, flags, words as written). The columns above are the
    # ones the figures use: the published ones, or SCP's correction where it made one. They are kept on
    # the row (not joined at each count) so that a closed plan's figures read the contracts' history
    # alone, as of its closing, in one query.
    published = models.JSONField("considérations telles que publiées", default=dict, blank=True)
    corrected = models.BooleanField("corrigé par le service commande publique", default=False)
    excluded = models.BooleanField("exclu des indicateurs", default=False)
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
            (self.reserved, "Concession réservée" if self.nature == Nature.CONCESSION else "Marché réservé"),
        )
        return [label for flag, label in flags if flag]

    @property
    def environmental_labels(self) -> list[str]:
        flags = (
            (self.environmental_clause, "Clause environnementale"),
            (self.environmental_criterion, "Critère environnemental"),
        )
        return [label for flag, label in flags if flag]


class ContractHolder(models.Model):
    """One holder of a contract, as its `holders` JSON names it: a row per holder so that a holder's
    contracts can be queried (SQLite's JSONField has no `contains`). Written with the contract by the
    DECP import (services.decp_apply), never by hand; the JSON stays the truth a closed plan reads."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="holder_rows", verbose_name="contrat"
    )
    identifier = models.CharField("identifiant (SIRET le plus souvent)", max_length=100, db_index=True)
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True)
    position = models.PositiveSmallIntegerField("rang")
    holders = models.PositiveSmallIntegerField("titulaires du contrat")

    class Meta:
        verbose_name = "titulaire d'un contrat"
        verbose_name_plural = "titulaires des contrats"
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="contract_holder_position")
        ]

    def __str__(self):
        return f"{self.identifier} ({self.contract_id})"

    @staticmethod
    def siren_of(identifier: str) -> str:
        """The SIREN a SIRET names (its first 9 digits); empty for any other identifier."""
        return identifier[:9] if len(identifier) == 14 and identifier.isdigit() else ""

    @classmethod
    def rows_of(cls, contract: Contract) -> list["ContractHolder"]:
        """The rows of a contract's holders (unsaved), from its `holders` JSON."""
        identifiers = [str(identifier)[:100] for identifier in contract.holders or []]
        return [
            cls(
                contract_id=contract.pk,
                identifier=identifier,
                siren=cls.siren_of(identifier),
                position=position,
                holders=len(identifiers),
            )
            for position, identifier in enumerate(identifiers)
        ]


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
    notices = models.JSONField("gardés mais à vérifier (identifiant, motif)", default=list, blank=True)
    no_buyer = models.PositiveIntegerField("contrats sans acheteur identifiable", default=0)
    not_records = models.PositiveIntegerField("éléments qui ne sont pas des contrats", default=0)
    seconds = models.DecimalField("durée (s)", max_digits=9, decimal_places=2, default=0)
    is_demo = models.BooleanField("données de démonstration", default=False)

    class Meta:
        verbose_name = "import DECP"
        verbose_name_plural = "imports DECP"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Import du {self.started_at:%d/%m/%Y %H:%M} ({', '.join(self.files)[:80]})"


class ContractCorrection(Versioned):
    """What SCP corrects in a contract's published data, with the reason: each consideration flag
    (empty: as published), or the whole contract excluded (a duplicate, an error). Written by
    services.contract_correct only, which carries it onto the contract's columns; later imports keep
    it. Its history says who corrected what, when and why."""

    contract = models.OneToOneField(
        Contract, on_delete=models.CASCADE, related_name="correction", verbose_name="contrat"
    )
    social_clause = models.BooleanField("clause sociale", null=True, blank=True)
    social_criterion = models.BooleanField("critère social", null=True, blank=True)
    reserved = models.BooleanField("marché réservé", null=True, blank=True)
    environmental_clause = models.BooleanField("clause environnementale", null=True, blank=True)
    environmental_criterion = models.BooleanField("critère environnemental", null=True, blank=True)
    excluded = models.BooleanField("exclu des indicateurs", default=False)
    reason = models.TextField("motif")
    updated_at = models.DateTimeField("corrigé le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="par"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "correction d'un contrat"
        verbose_name_plural = "corrections des contrats"
        ordering = ["-updated_at"]

    def __str__(self):
        return f"Correction du contrat {self.contract.contract_id}"


class Threshold(Versioned):
    """A dated amount the register compares contracts with, with its source: the ceiling above which
    an amount is an anomaly, the European thresholds (the duties since 2026). The one valid at a
    contract's notification applies to it."""

    kind = models.CharField("nature", max_length=30, choices=ThresholdKind.choices)
    amount = models.DecimalField(
        "montant (€ HT)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(100_000_000_000)],
    )
    valid_from = models.DateField("applicable à partir du")
    source = models.CharField("source", max_length=300)
    url = models.URLField("adresse de la source", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "seuil ou plafond"
        verbose_name_plural = "seuils et plafond des montants"
        ordering = ["kind", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["kind", "valid_from"], name="threshold_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.amount} € HT à partir du {self.valid_from:%d/%m/%Y}"


class RegisterFreeze(models.Model):
    """When a plan closed: its legal figures are read from the contracts as they stood then (imports
    still fill the register, which belongs to the buyer, never what a closed plan shows). Written by
    the plan's change of state only (a hook of services), removed if the plan is put back in force."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="register_freeze")
    frozen_at = models.DateTimeField("chiffres arrêtés le")

    class Meta:
        verbose_name = "chiffres arrêtés à la clôture"
        verbose_name_plural = "chiffres arrêtés à la clôture"

    def __str__(self):
        return f"{self.plan} : chiffres arrêtés le {self.frozen_at:%d/%m/%Y %H:%M}"


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


# The categories of holders a fiche indicator may count (every one but "non identifié").
HOLDER_CHOICES = [
    (key, label) for key, label in SupplierCategory.choices if key != SupplierCategory.UNIDENTIFIED
]


class RegisterIndicator(Versioned):
    """A fiche indicator that counts or values contracts: computed from the register (SCP sets it).

    With a category of holders, it counts the contracts of `category` that went to it (by the shares'
    rules, contracts.selectors.suppliers); a share is taken of all the contracts of `category`."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="register_source", verbose_name="indicateur"
    )
    category = models.CharField("contrats comptés", max_length=20, choices=Category.choices)
    holders = models.CharField(
        "catégorie de titulaires",
        max_length=20,
        choices=HOLDER_CHOICES,
        blank=True,
        help_text="Vide : tous les titulaires. Sinon, les contrats dont au moins un titulaire relève de la "
        "catégorie (en nombre), ou la part du montant qui leur revient (en valeur).",
    )
    measure = models.CharField(
        "mesure", max_length=20, choices=IndicatorMeasure.choices, default=IndicatorMeasure.COUNT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur calculé depuis le registre"
        verbose_name_plural = "indicateurs calculés depuis le registre"
        ordering = ["indicator"]

    def __str__(self):
        category, measure = self.get_category_display().lower(), self.get_measure_display().lower()
        holders = f", titulaires : {self.get_holders_display().lower()}" if self.holders else ""
        return f"{self.indicator.code} : {category}{holders} ({measure})"
