"""From one plan to the next: what becomes of each fiche of the old plan (decided by SCP from its
end-of-plan evaluation). A fiche of the new plan that no decision names is a new fiche. The rules of a
decision (a reason, a merge target of the new plan...) are planning.services.fiche_decide's."""

from django.db import models
from simple_history.models import HistoricalRecords

from actions.models import Fiche, Plan
from core.versioning import Versioned

from . import enums


class FicheDecisionQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "FicheDecisionQuerySet":
        """The decisions preparing `plan` (the new one), in the old plan's order."""
        return self.filter(plan=plan).order_by("previous__number")


class FicheDecision(Versioned):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="fiche_decisions", verbose_name="nouveau plan"
    )
    previous = models.ForeignKey(
        Fiche, on_delete=models.PROTECT, related_name="decisions", verbose_name="fiche du plan précédent"
    )
    decision = models.CharField(
        "décision", max_length=20, choices=enums.FicheDecision.choices, default=enums.FicheDecision.RENEWED
    )
    reason = models.TextField("motif", blank=True)
    fiche = models.ForeignKey(
        Fiche,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="origins",
        verbose_name="fiche du nouveau plan",
        help_text="La fiche qui la poursuit (reconduite) ou qui l'absorbe (fusionnée).",
    )

    history = HistoricalRecords()
    objects = FicheDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision sur une fiche"
        verbose_name_plural = "décisions sur les fiches"
        ordering = ["plan", "previous__number"]
        constraints = [models.UniqueConstraint(fields=["plan", "previous"], name="fiche_decision_unique")]

    def __str__(self):
        return f"Fiche {self.previous.number} : {self.get_decision_display().lower()}"
