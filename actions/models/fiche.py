"""The fiches-actions and their sections.

Each section of a fiche is its own rows (pilots, goals, milestones, actors, means, vigilance
points), as the document has it, so that it can be queried, followed and reported on. Every content
model keeps its history (django-simple-history), with the acting user. A fiche's progress status is
not stored here: it is what its pilots state each year in their annual review (indicators app).
"""

import calendar
import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from core.versioning import Versioned

from .. import enums
from .plan import Objective, Pack, Pilot, Plan, Principle


class FicheQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "FicheQuerySet":
        return self.filter(plan=plan)

    def piloted_by(self, user) -> "FicheQuerySet":
        """Fiches whose pilots include a post held by `user`: the one filter behind every pilot's right."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=FichePilot.objects.filter(pilot__users=user).values("fiche_id"))

    def with_summary(self) -> "FicheQuerySet":
        """Everything a list of fiches shows, in a fixed number of queries."""
        return self.select_related("objective__axis", "pack").prefetch_related(
            "principles",
            Prefetch("fiche_pilots", queryset=FichePilot.objects.select_related("pilot__direction")),
        )

    def with_details(self) -> "FicheQuerySet":
        """Everything the fiche page shows, in a fixed number of queries."""
        return self.with_summary().prefetch_related(
            "goals", "milestones", "actors", "means", "vigilance_points", "indicators"
        )

    def with_post_holders(self) -> "FicheQuerySet":
        """The active accounts holding each pilot post (`pilot.active_users`): a post none holds reads
        "poste vacant" (`Pilot.is_vacant`) on the fiche page."""
        active = get_user_model().objects.filter(is_active=True)
        return self.prefetch_related(
            Prefetch("fiche_pilots__pilot__users", queryset=active, to_attr="active_users")
        )

    def in_plan_order(self) -> "FicheQuerySet":
        return self.order_by("objective__axis__position", "number")

    def public(self) -> "FicheQuerySet":
        """Fiches the public site shows: those of a published plan that SCP has not withheld."""
        return self.filter(plan__is_public=True, is_withheld=False).exclude(
            plan__state=enums.PlanState.PREPARATION
        )


class Fiche(Versioned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="fiches", verbose_name="plan")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("action", max_length=400)
    objective = models.ForeignKey(
        Objective, on_delete=models.RESTRICT, related_name="fiches", verbose_name="objectif"
    )
    principles = models.ManyToManyField(Principle, related_name="fiches", verbose_name="principes d'action")
    is_flagship = models.BooleanField("action phare", default=False)
    pack = models.ForeignKey(
        Pack, on_delete=models.SET_NULL, null=True, blank=True, related_name="fiches", verbose_name="pack"
    )
    added_on = models.DateField(
        "ajoutée le", null=True, blank=True, help_text="Pour une fiche ajoutée après l'adoption du plan."
    )
    context = models.TextField("contexte / état des lieux", blank=True)
    complexity = models.CharField("complexité", max_length=30, choices=enums.Complexity.choices, blank=True)
    duration = models.CharField("durée", max_length=30, choices=enums.Duration.choices, blank=True)
    pilots = models.ManyToManyField(
        Pilot, through="FichePilot", related_name="fiches", verbose_name="pilotes"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    is_withheld = models.BooleanField(
        "retirée du site public",
        default=False,
        help_text="La fiche n'apparaît plus sur le site public ni dans les données ouvertes.",
    )
    withheld_reason = models.TextField(
        "motif du retrait",
        blank=True,
        help_text="Obligatoire pour retirer la fiche ; affiché sur le site public à la place de la fiche.",
    )

    history = HistoricalRecords(m2m_fields=[principles])
    objects = FicheQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche-action"
        verbose_name_plural = "fiches-actions"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="fiche_number_unique"),
            models.CheckConstraint(
                condition=Q(is_withheld=False) | ~Q(withheld_reason=""),
                name="fiche_withheld_with_reason",
                violation_error_message="Indiquez le motif du retrait de la fiche du site public.",
            ),
        ]

    def __str__(self):
        return f"Fiche {self.number} – {self.title}"

    @property
    def qualification(self) -> str:
        parts = [self.get_complexity_display(), self.get_duration_display().lower()]
        return " / ".join(p for p in parts if p)

    def ordered_pilots(self) -> list[Pilot]:
        return [fp.pilot for fp in sorted(self.fiche_pilots.all(), key=lambda fp: fp.position)]

    # Sections of the fiche split by kind, read from the prefetched rows (no query of their own).
    @property
    def quantitative_goals(self):
        return [g for g in self.goals.all() if g.kind == enums.GoalKind.QUANTITATIVE]

    @property
    def qualitative_goals(self):
        return [g for g in self.goals.all() if g.kind == enums.GoalKind.QUALITATIVE]

    @property
    def internal_actors(self):
        return [a for a in self.actors.all() if a.kind == enums.ActorKind.INTERNAL]

    @property
    def external_actors(self):
        return [a for a in self.actors.all() if a.kind == enums.ActorKind.EXTERNAL]

    @property
    def human_means(self):
        return [m for m in self.means.all() if m.kind == enums.MeansKind.HUMAN]

    @property
    def financial_means(self):
        return [m for m in self.means.all() if m.kind == enums.MeansKind.FINANCIAL]

    @property
    def other_means(self):
        return [m for m in self.means.all() if m.kind == enums.MeansKind.OTHER]


class FichePilot(Versioned):
    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="fiche_pilots", verbose_name="fiche"
    )
    pilot = models.ForeignKey(
        Pilot, on_delete=models.RESTRICT, related_name="fiche_pilots", verbose_name="pilote"
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "pilote de la fiche"
        verbose_name_plural = "pilotes de la fiche"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["fiche", "pilot"], name="fiche_pilot_unique")]

    def __str__(self):
        return str(self.pilot)


class Goal(Versioned):
    """One quantitative or qualitative objective of a fiche, with the numeric target it states."""

    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="goals", verbose_name="fiche")
    kind = models.CharField("nature", max_length=20, choices=enums.GoalKind.choices)
    text = models.TextField("objectif")
    target_value = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField("unité de la cible", max_length=60, blank=True)
    level = models.PositiveSmallIntegerField("niveau", default=0, help_text="1 pour un sous-élément.")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif de la fiche"
        verbose_name_plural = "objectifs de la fiche"
        ordering = ["fiche", "position"]

    def __str__(self):
        return self.text


def _period_end(year: int, precision: str, part: int | None) -> datetime.date:
    if precision == enums.DuePrecision.HALF:
        month = 6 * (part or 2)
    elif precision == enums.DuePrecision.QUARTER:
        month = 3 * (part or 4)
    elif precision == enums.DuePrecision.MONTH:
        month = part or 12
    else:
        month = 12
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class Milestone(Versioned):
    """A step or deadline of a fiche's calendar, its date stored with the precision the text gives.

    "fin 2021" is year 2021; "1er semestre 2021" half 1 of 2021; "mi-2022" half 1 of 2022; a recurring
    "dernier trimestre N-1" has no year but a relative year of -1 and quarter 4.
    """

    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="milestones", verbose_name="fiche"
    )
    kind = models.CharField("nature", max_length=20, choices=enums.MilestoneKind.choices)
    heading = models.CharField("phase", max_length=200, blank=True)
    text = models.TextField("libellé")
    due_label = models.CharField("échéance telle qu'écrite", max_length=200, blank=True)
    due_precision = models.CharField(
        "précision de l'échéance", max_length=10, choices=enums.DuePrecision.choices, blank=True
    )
    due_year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    due_part = models.PositiveSmallIntegerField(
        "semestre, trimestre ou mois", null=True, blank=True, help_text="1-2, 1-4 ou 1-12 selon la précision."
    )
    due_day = models.DateField("date précise", null=True, blank=True)
    due_relative_year = models.SmallIntegerField(
        "année relative (N+…)", null=True, blank=True, help_text="Pour une étape annuelle : -1 pour N-1."
    )
    due_date = models.DateField("date limite calculée", null=True, blank=True, editable=False)
    status = models.CharField(
        "statut", max_length=20, choices=enums.MilestoneStatus.choices, default=enums.MilestoneStatus.PLANNED
    )
    completed_on = models.DateField("réalisé le", null=True, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    to_redate = models.BooleanField(
        "à redater",
        default=False,
        help_text="Jalon reconduit d'un plan précédent : fixez son échéance dans le nouveau plan.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "jalon"
        verbose_name_plural = "jalons"
        ordering = ["fiche", "position"]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        # A derived sort key, not a business rule: kept in step with the fields it comes from.
        self.due_date = self.compute_due_date()
        super().save(*args, **kwargs)

    def compute_due_date(self) -> datetime.date | None:
        """The last day of the period the deadline names (sort key and lateness)."""
        if self.due_precision == enums.DuePrecision.DAY:
            return self.due_day
        if self.due_year and self.due_precision:
            return _period_end(self.due_year, self.due_precision, self.due_part)
        return None

    def is_late(self, today: datetime.date | None = None) -> bool:
        return self.state(today) == enums.MilestoneState.LATE

    @property
    def is_done(self) -> bool:
        return self.status == enums.MilestoneStatus.DONE

    @property
    def completion_year(self) -> int | None:
        """The year whose follow-up reported the milestone done (None: not done, or no date given)."""
        return self.completed_on.year if self.is_done and self.completed_on else None

    def completion_validated(self, validated_years) -> bool:
        """Whether readers outside the team may see it done: its completion belongs to a validated
        year of its fiche (or to no year at all: SCP set it in the plan itself)."""
        return self.completion_year is None or self.completion_year in validated_years

    def state(
        self, today: datetime.date | None = None, *, completion_shown: bool = True
    ) -> enums.MilestoneState:
        """Where the milestone stands on `today`: the one rule behind pages, bilans and charts.

        `completion_shown=False`: a completion not validated yet is not shown (public site), so the
        milestone reads as still planned, on time or late.
        """
        today = today or timezone.localdate()
        status = self.status
        if self.is_done and not completion_shown:
            status = enums.MilestoneStatus.PLANNED
        if status == enums.MilestoneStatus.PLANNED and self.due_date is not None and self.due_date < today:
            return enums.MilestoneState.LATE
        if status == enums.MilestoneStatus.DONE:
            return enums.MilestoneState.DONE
        if status == enums.MilestoneStatus.CANCELLED:
            return enums.MilestoneState.CANCELLED
        return enums.MilestoneState.ON_TIME

    def state_label(self, today: datetime.date | None = None, *, completion_shown: bool = True) -> str:
        state = self.state(today, completion_shown=completion_shown)
        if state == enums.MilestoneState.DONE and self.completed_on:
            return f"{state.label} le {date_format(self.completed_on, 'SHORT_DATE_FORMAT')}"
        return state.label

    @property
    def current_state(self) -> enums.MilestoneState:
        return self.state()

    @property
    def current_state_label(self) -> str:
        return self.state_label()

    @property
    def due_text(self) -> str:
        """The deadline as the plan writes it, else the month of the computed date, else ""."""
        if self.due_label:
            return self.due_label
        return date_format(self.due_date, "F Y") if self.due_date else ""


class Actor(Versioned):
    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="actors", verbose_name="fiche")
    kind = models.CharField("nature", max_length=20, choices=enums.ActorKind.choices)
    text = models.TextField("acteur")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "acteur"
        verbose_name_plural = "acteurs"
        ordering = ["fiche", "position"]

    def __str__(self):
        return self.text


class Means(Versioned):
    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="means", verbose_name="fiche")
    kind = models.CharField("nature", max_length=20, choices=enums.MeansKind.choices)
    text = models.TextField("moyen")
    level = models.PositiveSmallIntegerField("niveau", default=0, help_text="1 pour un sous-élément.")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "moyen"
        verbose_name_plural = "moyens"
        ordering = ["fiche", "position"]

    def __str__(self):
        return self.text


class VigilancePoint(Versioned):
    fiche = models.ForeignKey(
        Fiche, on_delete=models.CASCADE, related_name="vigilance_points", verbose_name="fiche"
    )
    text = models.TextField("point de vigilance")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "point de vigilance"
        verbose_name_plural = "points de vigilance"
        ordering = ["fiche", "position"]

    def __str__(self):
        return self.text
