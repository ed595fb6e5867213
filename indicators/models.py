"""What is collected every year: the campaigns, each fiche's annual review and its indicator values.

A fiche's progress status lives here, in its annual reviews (one statement per year); the fiche's
current status is the one of its latest validated review (`AnnualReviewQuerySet.current_progress`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from simple_history.models import HistoricalRecords

from actions.enums import ProgressStatus
from actions.models import Fiche, Indicator, Plan
from core import values
from core.versioning import Versioned

from . import enums


@dataclass(frozen=True)
class Progress:
    """A fiche's progress status as stated for a year."""

    status: ProgressStatus | None
    year: int | None = None
    validated: bool = True

    @property
    def label(self) -> str:
        return self.status.label if self.status else UNKNOWN_PROGRESS_LABEL

    @property
    def code(self) -> str:
        return self.status.value if self.status else UNKNOWN_PROGRESS


def current_progress(reviews) -> Progress:
    """A fiche's current progress: what its latest *validated* annual review states.

    The one rule behind the plan page, the fiche page, the admin and the Excel export (the bilan of
    a year shows that year's review, marked when not validated).
    """
    validated = [review for review in reviews if review.is_validated]
    return max(validated, key=lambda review: review.year).progress if validated else NO_PROGRESS


UNKNOWN_PROGRESS = "non_renseigne"
UNKNOWN_PROGRESS_LABEL = "Non renseigné"
NO_PROGRESS = Progress(None)


class CampaignQuerySet(models.QuerySet):
    def open(self) -> "CampaignQuerySet":
        return self.filter(status=enums.CampaignStatus.OPEN)


class Campaign(Versioned):
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
    def validated(self) -> "AnnualReviewQuerySet":
        return self.filter(status=enums.ReviewStatus.VALIDATED)

    def handed_over(self) -> "AnnualReviewQuerySet":
        """Years the pilots are done with: submitted to SCP, or validated."""
        return self.filter(status__in=(enums.ReviewStatus.SUBMITTED, enums.ReviewStatus.VALIDATED))

    def current_progress(self, fiche_ids) -> dict[int, "Progress"]:
        """Each fiche's current progress (`current_progress`), in one query; a fiche with no validated
        review is absent from the result (its progress is not known yet)."""
        per_fiche: dict[int, list[AnnualReview]] = {}
        for review in (
            self.validated()
            .filter(fiche_id__in=fiche_ids)
            .only("fiche_id", "year", "status", "progress_status")
        ):
            per_fiche.setdefault(review.fiche_id, []).append(review)
        return {fiche_id: current_progress(reviews) for fiche_id, reviews in per_fiche.items()}


class AnnualReview(Versioned):
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
    def is_validated(self) -> bool:
        return self.status == enums.ReviewStatus.VALIDATED

    @property
    def is_submitted(self) -> bool:
        return self.status == enums.ReviewStatus.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.status == enums.ReviewStatus.RETURNED

    @property
    def progress(self) -> Progress:
        """The progress this review states for its year (validated or not)."""
        return Progress(ProgressStatus(self.progress_status), self.year, self.is_validated)


class IndicatorValueQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "IndicatorValueQuerySet":
        return self.filter(indicator__fiche__plan=plan)

    def demo(self) -> "IndicatorValueQuerySet":
        return self.filter(is_demo=True)

    def validated(self) -> "IndicatorValueQuerySet":
        """Values of a year that their fiche's annual review has validated: the only values shown to
        readers outside the team (the public site, the open data)."""
        reviews = AnnualReview.objects.validated().filter(
            fiche=OuterRef("indicator__fiche"), year=OuterRef("year")
        )
        return self.filter(Exists(reviews))


class IndicatorValue(Versioned):
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
        return values.format_value(self.indicator, self.raw)
