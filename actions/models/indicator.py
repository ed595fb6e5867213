"""The indicators each fiche defines: what is measured, its type, unit, target and baseline.

They belong to the plan (the document states them, fiche by fiche); what is measured each year is
the follow-up (indicators app).
"""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core import values
from core.versioning import Versioned

from .. import enums
from .fiche import Fiche
from .plan import Plan


class IndicatorQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "IndicatorQuerySet":
        return self.filter(fiche__plan=plan)

    def in_plan_order(self) -> "IndicatorQuerySet":
        return self.order_by("fiche__number", "position")


class Indicator(Versioned):
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
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name="prolonge l'indicateur",
        help_text="L'indicateur du plan précédent dont celui-ci poursuit la série : ses valeurs "
        "s'affichent avant celles de ce plan, la limite entre les plans marquée. Les cibles restent "
        "propres à chaque plan.",
    )

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["fiche", "position"]
        constraints = [models.UniqueConstraint(fields=["fiche", "code"], name="indicator_code_unique")]

    def __str__(self):
        return f"{self.code} – {self.label}"

    def clean(self):
        super().clean()
        if self.continues_id is None:
            return
        plan = self.fiche.plan if self.fiche_id else None
        previous = self.continues.fiche.plan
        if plan is not None and (plan.predecessor_id != previous.pk):
            raise ValidationError(
                {"continues": "L'indicateur prolongé doit appartenir au plan précédent de ce plan."}
            )

    @property
    def is_numeric(self) -> bool:
        return self.value_type in enums.NUMERIC_VALUE_TYPES

    @property
    def target_label(self) -> str:
        return values.format_target(self)
