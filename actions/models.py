"""The plan as structured data: a SPASER, its axes, objectives, principles and fiches-actions.

Each section of a fiche is its own rows (pilots, goals, milestones, actors, means, vigilance
points), as the document has it, so that it can be queried, followed and reported on. Every content
model keeps its history (django-simple-history), with the acting user.
"""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from simple_history.models import HistoricalRecords

from . import enums


class PlanQuerySet(models.QuerySet):
    def current(self) -> "Plan | None":
        """The plan in force: the most recent one by its first year."""
        return self.order_by("-start_year", "-pk").first()


class Plan(models.Model):
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    title = models.CharField("titre", max_length=300)
    short_title = models.CharField("titre court", max_length=80)
    buyer = models.CharField("collectivité", max_length=200)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    adopted_on = models.DateField("adopté le", null=True, blank=True)
    updated_on = models.DateField("dernière mise à jour", null=True, blank=True)

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "plan (SPASER)"
        verbose_name_plural = "plans (SPASER)"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"
            )
        ]

    def __str__(self):
        return f"{self.short_title} ({self.start_year}-{self.end_year})"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Principle(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="principles", verbose_name="plan")
    code = models.SlugField("code", max_length=40)
    label = models.CharField("libellé", max_length=80)
    description = models.CharField("description", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "principe d'action"
        verbose_name_plural = "principes d'action"
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="principle_code_unique")]

    def __str__(self):
        return self.label


class Direction(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="directions", verbose_name="plan")
    code = models.CharField("sigle", max_length=40)
    name = models.CharField("nom", max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "direction"
        verbose_name_plural = "directions"
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="direction_code_unique")]

    def __str__(self):
        return self.name if self.name == self.code else f"{self.code} – {self.name}"


class Axis(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes", verbose_name="plan")
    code = models.SlugField("code", max_length=40)
    name = models.CharField("nom", max_length=120)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "axe"
        verbose_name_plural = "axes"
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="axis_code_unique")]

    def __str__(self):
        return f"Axe {self.name}"


class Objective(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="objectives", verbose_name="axe")
    code = models.CharField("code", max_length=20)
    title = models.CharField("intitulé", max_length=400)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["axis__plan", "axis__position", "position"]
        constraints = [models.UniqueConstraint(fields=["axis", "code"], name="objective_code_unique")]

    def __str__(self):
        return self.title


class Pack(models.Model):
    """A group of fiches offered together, e.g. the "pack à la carte" (fiches 1, 16 and 18)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="packs", verbose_name="plan")
    code = models.SlugField("code", max_length=40)
    name = models.CharField("nom", max_length=120)
    description = models.TextField("description", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "pack d'actions"
        verbose_name_plural = "packs d'actions"
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="pack_code_unique")]

    def __str__(self):
        return self.name


class GlossaryEntry(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="glossary", verbose_name="plan")
    acronym = models.CharField("sigle", max_length=40)
    definition = models.CharField("définition", max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "entrée du glossaire"
        verbose_name_plural = "glossaire"
        ordering = ["plan", "acronym"]
        constraints = [models.UniqueConstraint(fields=["plan", "acronym"], name="glossary_acronym_unique")]

    def __str__(self):
        return f"{self.acronym} : {self.definition}"


class Pilot(models.Model):
    """A pilot's post: a role in a service of a direction. User accounts occupy it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pilots", verbose_name="plan")
    role = models.CharField("fonction", max_length=200)
    service = models.CharField("service", max_length=200, blank=True)
    direction = models.ForeignKey(
        Direction, on_delete=models.RESTRICT, related_name="pilots", verbose_name="direction"
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="pilot_posts", verbose_name="comptes utilisateurs"
    )

    history = HistoricalRecords(m2m_fields=[users])

    class Meta:
        verbose_name = "pilote"
        verbose_name_plural = "pilotes"
        ordering = ["plan", "direction__code", "service", "role"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "role", "service", "direction"], name="pilot_unique")
        ]

    def __str__(self):
        parts = [self.role, self.service, self.direction.code]
        return " – ".join(p for p in parts if p)


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

    def in_plan_order(self) -> "FicheQuerySet":
        return self.order_by("objective__axis__position", "number")


class Fiche(models.Model):
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
    status = models.CharField(
        "état d'avancement",
        max_length=20,
        choices=enums.ProgressStatus.choices,
        default=enums.ProgressStatus.NOT_STARTED,
    )
    pilots = models.ManyToManyField(
        Pilot, through="FichePilot", related_name="fiches", verbose_name="pilotes"
    )
    version = models.PositiveIntegerField("version", default=1, editable=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords(m2m_fields=[principles])
    objects = FicheQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche-action"
        verbose_name_plural = "fiches-actions"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="fiche_number_unique")]

    def __str__(self):
        return f"Fiche {self.number} – {self.title}"

    @property
    def axis(self) -> Axis:
        return self.objective.axis

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


class FichePilot(models.Model):
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


class Goal(models.Model):
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


class MilestoneQuerySet(models.QuerySet):
    def late(self, today: datetime.date | None = None) -> "MilestoneQuerySet":
        """Planned milestones whose deadline has passed."""
        today = today or datetime.date.today()
        return self.filter(status=enums.MilestoneStatus.PLANNED, due_date__lt=today)


class Milestone(models.Model):
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

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

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
        today = today or datetime.date.today()
        return (
            self.status == enums.MilestoneStatus.PLANNED
            and self.due_date is not None
            and self.due_date < today
        )


class Actor(models.Model):
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


class Means(models.Model):
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


class VigilancePoint(models.Model):
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
