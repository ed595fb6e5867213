"""The plan itself: a SPASER with its principles, directions, axes, objectives, packs, glossary and
pilot posts. Every content model keeps its history and a version (see `versioning`)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.versioning import Versioned

from .. import enums

# The public site's own pages sit beside its plans' (`/public/<slug>/`): a plan may not take their names.
RESERVED_SLUGS = ("accessibilite", "mentions-legales", "donnees-personnelles")


def validate_slug_free(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            f"L'identifiant « {slug} » est réservé à une page du site public : choisissez-en un autre."
        )


class PlanQuerySet(models.QuerySet):
    def current(self) -> "Plan | None":
        """The plan in force (the most recent one by its first year); failing that, the most recent
        plan. Only where no plan is named (the home page, commands without --plan)."""
        plans = self.order_by("-start_year", "-pk")
        return plans.filter(state=enums.PlanState.IN_FORCE).first() or plans.first()

    def public(self) -> "PlanQuerySet":
        """Plans SCP published on the public site (readable without an account); never a draft."""
        return self.filter(is_public=True).exclude(state=enums.PlanState.PREPARATION)


class Plan(Versioned):
    slug = models.SlugField("identifiant", max_length=80, unique=True, validators=[validate_slug_free])
    title = models.CharField("titre", max_length=300)
    short_title = models.CharField("titre court", max_length=80)
    buyer = models.CharField("collectivité", max_length=200)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    adopted_on = models.DateField("adopté le", null=True, blank=True)
    updated_on = models.DateField("dernière mise à jour", null=True, blank=True)
    is_public = models.BooleanField(
        "publié sur le site public",
        default=False,
        help_text="Lisible sans connexion (site public et données ouvertes) : le plan, ses fiches sauf "
        "celles retirées, et les valeurs et bilans des seules années validées.",
    )
    state = models.CharField(
        "état",
        max_length=20,
        choices=enums.PlanState.choices,
        default=enums.PlanState.IN_FORCE,
        help_text="En préparation : visible du seul service commande publique et du comité de suivi. "
        "Clos : en lecture seule, sauf la campagne de sa dernière année tant que son bilan de fin de "
        "plan n'est pas publié.",
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name="plan précédent",
        help_text="Le plan dont celui-ci prend la suite (ses fiches et ses indicateurs s'y rattachent).",
    )

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

    @property
    def period(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    @property
    def is_in_preparation(self) -> bool:
        return self.state == enums.PlanState.PREPARATION

    @property
    def is_closed(self) -> bool:
        return self.state == enums.PlanState.CLOSED


class Buyer(Versioned):
    """A buyer whose contracts the plan covers, by SIRET: the contracts register keeps its contracts."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="buyers", verbose_name="plan")
    siret = models.CharField(
        "SIRET",
        max_length=14,
        validators=[RegexValidator(r"^[0-9]{14}$", "Un SIRET compte 14 chiffres, sans espace.")],
    )
    name = models.CharField("nom", max_length=200)
    is_demo = models.BooleanField("acheteur de démonstration", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "acheteur"
        verbose_name_plural = "acheteurs (SIRET)"
        ordering = ["plan", "siret"]
        constraints = [models.UniqueConstraint(fields=["plan", "siret"], name="buyer_siret_unique")]

    def __str__(self):
        return f"{self.name} ({self.siret})"


class Principle(Versioned):
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


class Direction(Versioned):
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


class Axis(Versioned):
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


class Objective(Versioned):
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


class Pack(Versioned):
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


class GlossaryEntry(Versioned):
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


class Pilot(Versioned):
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
        return self.label

    @property
    def label(self) -> str:
        """How a pilot post reads in tables and Excel: role – service – direction's code."""
        return " – ".join(p for p in (self.role, self.service, self.direction.code) if p)

    @property
    def is_vacant(self) -> bool:
        """No active account holds the post (nobody was appointed, or they left and SCP deactivated
        them): pages read it "poste vacant". From `Fiche.objects.with_post_holders()` when prefetched."""
        holders = getattr(self, "active_users", None)
        if holders is None:
            return not self.users.filter(is_active=True).exists()
        return not holders

    @property
    def full_label(self) -> str:
        """How a pilot post reads in running text (fiche page, bilan): the direction's name spelled out."""
        return " – ".join(p for p in (self.role, self.service, str(self.direction)) if p)
