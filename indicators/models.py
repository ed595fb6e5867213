"""Indicators of each fiche and what is collected every year: values and the annual review."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from actions.enums import ProgressStatus
from actions.models import Fiche, Plan

from . import enums


class IndicatorQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "IndicatorQuerySet":
        return self.filter(fiche__plan=plan)

    def in_plan_order(self) -> "IndicatorQuerySet":
        return self.order_by("fiche__number", "position")


class Indicator(models.Model):
    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="indicators", verbose_name="fiche"
    )
    code = models.CharField(
        "code", max_length=20, help_text="Identifiant stable dans le plan, par exemple « 5-R1 »."
    )
    kind = models.CharField("type d'indicateur", max_length=20, choices=enums.IndicatorKind.choices)
    label = models.TextField("libellé")
    group = models.CharField("intitulé commun", max_length=200, blank=True)
    value_type = models.CharField("type de valeur", max_length=20, choices=enums.ValueType.choices)
    unit = models.CharField("unité", max_length=40, blank=True)
    target_value = models.DecimalField("valeur cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField("année cible", null=True, blank=True)
    baseline_value = models.DecimalField(
        "valeur de référence", max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField("année de référence", null=True, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["fiche", "position"]
        constraints = [models.UniqueConstraint(fields=["fiche", "code"], name="indicator_code_unique")]

    def __str__(self):
        return f"{self.code} – {self.label}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in enums.NUMERIC_VALUE_TYPES


class CampaignQuerySet(models.QuerySet):
    def open(self) -> "CampaignQuerySet":
        return self.filter(status=enums.CampaignStatus.OPEN)


class Campaign(models.Model):
    """The yearly collection SCP opens and closes, with the deadline given to pilots."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="campaigns", verbose_name="plan")
    year = models.PositiveSmallIntegerField("année suivie")
    deadline = models.DateField("date limite de saisie")
    status = models.CharField(
        "état", max_length=20, choices=enums.CampaignStatus.choices, default=enums.CampaignStatus.OPEN
    )
    opened_at = models.DateTimeField("ouverte le", auto_now_add=True)
    closed_at = models.DateTimeField("fermée le", null=True, blank=True)

    history = HistoricalRecords()
    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne annuelle"
        verbose_name_plural = "campagnes annuelles"
        ordering = ["plan", "-year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="campaign_year_unique")]

    def __str__(self):
        return f"Campagne {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == enums.CampaignStatus.OPEN


class AnnualReviewQuerySet(models.QuerySet):
    def for_year(self, year: int) -> "AnnualReviewQuerySet":
        return self.filter(year=year)

    def validated(self) -> "AnnualReviewQuerySet":
        return self.filter(status=enums.ReviewStatus.VALIDATED)


class AnnualReview(models.Model):
    """A fiche's yearly review by its pilot: progress, narrative, and the workflow state of the year."""

    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="reviews", verbose_name="fiche")
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField(
        "état", max_length=20, choices=enums.ReviewStatus.choices, default=enums.ReviewStatus.DRAFT
    )
    progress_status = models.CharField(
        "état d'avancement",
        max_length=20,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    achievements = models.TextField("réalisations", blank=True)
    difficulties = models.TextField("difficultés", blank=True)
    outlook = models.TextField("perspectives", blank=True)
    return_comment = models.TextField("commentaire du service commande publique", blank=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="soumis par",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifié par",
    )
    version = models.PositiveIntegerField("version", default=1, editable=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False)

    history = HistoricalRecords()
    objects = AnnualReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan annuel de fiche"
        verbose_name_plural = "bilans annuels des fiches"
        ordering = ["fiche", "year"]
        constraints = [models.UniqueConstraint(fields=["fiche", "year"], name="review_year_unique")]

    def __str__(self):
        return f"Fiche {self.fiche.number} – {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status in (enums.ReviewStatus.SUBMITTED, enums.ReviewStatus.VALIDATED)


class IndicatorValueQuerySet(models.QuerySet):
    def for_year(self, year: int) -> "IndicatorValueQuerySet":
        return self.filter(year=year)

    def of_plan(self, plan: Plan) -> "IndicatorValueQuerySet":
        return self.filter(indicator__fiche__plan=plan)

    def demo(self) -> "IndicatorValueQuerySet":
        return self.filter(is_demo=True)


class IndicatorValue(models.Model):
    """The value of one indicator for one year, typed by the indicator's value type."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name="indicateur"
    )
    year = models.PositiveSmallIntegerField("année")
    value_number = models.DecimalField(
        "valeur numérique", max_digits=16, decimal_places=4, null=True, blank=True
    )
    value_bool = models.BooleanField("valeur oui/non", null=True, blank=True)
    value_text = models.TextField("valeur texte", blank=True)
    comment = models.TextField("commentaire", blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField("saisie le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="modifiée par",
    )
    version = models.PositiveIntegerField("version", default=1, editable=False)

    history = HistoricalRecords()
    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="value_year_unique"),
            models.CheckConstraint(
                condition=Q(value_number__isnull=False) | Q(value_bool__isnull=False) | ~Q(value_text=""),
                name="value_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.year} : {self.display()}"

    @property
    def raw(self) -> Decimal | bool | str | None:
        if self.value_number is not None:
            return self.value_number
        if self.value_bool is not None:
            return self.value_bool
        return self.value_text or None

    def set_raw(self, raw: Decimal | bool | str) -> None:
        """Store a typed value in the one column that holds its type, clearing the others."""
        self.value_number = self.value_bool = None
        self.value_text = ""
        if isinstance(raw, bool):
            self.value_bool = raw
        elif isinstance(raw, Decimal):
            self.value_number = raw
        else:
            self.value_text = raw

    def display(self) -> str:
        from .formatting import format_value

        return format_value(self.indicator, self.raw)
