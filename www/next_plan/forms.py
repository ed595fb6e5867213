"""The forms of the pages that prepare the next plan. They only read and check what was typed; the
rules (a reason required, a merge target of the new plan...) are the services' (planning.services),
whose ValidationError lands on the same fields."""

from django import forms
from django.core.validators import validate_slug

from actions.models import Fiche, Objective, Plan
from planning import enums

TEXT_MAX_LENGTH = 4000


class PrepareNextForm(forms.Form):
    slug = forms.CharField(
        label="Identifiant du nouveau plan",
        max_length=80,
        help_text="Lettres minuscules, chiffres et tirets ; il apparaît dans les adresses, par exemple "
        "spaser54-2027-2032.",
        error_messages={"required": "Indiquez l'identifiant du nouveau plan."},
    )
    title = forms.CharField(
        label="Titre", max_length=300, error_messages={"required": "Indiquez le titre du nouveau plan."}
    )
    short_title = forms.CharField(
        label="Titre court",
        max_length=80,
        required=False,
        help_text="Affiché dans les menus ; par défaut, celui du plan actuel.",
    )
    start_year = forms.IntegerField(
        label="Première année",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Indiquez la première année.",
            "invalid": "Indiquez une année, par exemple 2027.",
            "min_value": "Indiquez une année, par exemple 2027.",
            "max_value": "Indiquez une année, par exemple 2027.",
        },
    )
    end_year = forms.IntegerField(
        label="Dernière année",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Indiquez la dernière année.",
            "invalid": "Indiquez une année, par exemple 2032.",
            "min_value": "Indiquez une année, par exemple 2032.",
            "max_value": "Indiquez une année, par exemple 2032.",
        },
    )

    def __init__(self, *args, old: Plan, **kwargs):
        self.old = old
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        try:
            validate_slug(slug)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Utilisez seulement des lettres sans accent, des chiffres, des tirets et des soulignés."
            ) from None
        if Plan.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"Un plan a déjà l'identifiant « {slug} ».")
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start is not None and start <= self.old.start_year:
            self.add_error(
                "start_year",
                f"Le nouveau plan doit commencer après le début du plan actuel ({self.old.start_year}).",
            )
        if start is not None and end is not None and end < start:
            self.add_error("end_year", "La dernière année précède la première année.")
        return data


class DecisionForm(forms.Form):
    """One fiche's decision: each fiche has its own form (prefix: the old fiche's number)."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=enums.FicheDecision.choices,
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire sauf pour une fiche reconduite.",
    )
    into = forms.ModelChoiceField(
        label="Fusionnée dans la fiche",
        queryset=Fiche.objects.none(),
        required=False,
        empty_label="—",
        help_text="Pour une fiche fusionnée : la fiche du nouveau plan qui l'absorbe.",
        error_messages={"invalid_choice": "Choisissez une fiche du nouveau plan."},
    )
    continue_indicators = forms.BooleanField(
        label="Prolonger ses indicateurs dans la fiche qui l'absorbe",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, decision, fiches: list[Fiche], **kwargs):
        initial = {
            "decision": decision.decision,
            "reason": decision.reason,
            "into": decision.fiche_id if decision.decision == enums.FicheDecision.MERGED else None,
            "version": decision.version,
        }
        super().__init__(*args, initial=initial, prefix=f"f{decision.previous.number}", **kwargs)
        # The choices come from the list the page already read: no query per form.
        field = self.fields["into"]
        field.queryset = Fiche.objects.filter(plan_id=decision.plan_id)
        field.choices = [("", "—")] + [(f.pk, f"Fiche {f.number} – {f.title}") for f in fiches]


class NewFicheForm(forms.Form):
    number = forms.IntegerField(
        label="Numéro",
        min_value=1,
        max_value=999,
        error_messages={
            "required": "Indiquez le numéro de la fiche.",
            "invalid": "Indiquez un numéro entier, par exemple 22.",
            "min_value": "Indiquez un numéro entier positif.",
            "max_value": "Indiquez un numéro inférieur à 1000.",
        },
    )
    title = forms.CharField(
        label="Intitulé de la fiche",
        max_length=400,
        error_messages={"required": "Indiquez l'intitulé de la fiche."},
    )
    objective = forms.ModelChoiceField(
        label="Objectif du nouveau plan",
        queryset=Objective.objects.none(),
        empty_label="—",
        error_messages={
            "required": "Choisissez l'objectif de la fiche.",
            "invalid_choice": "Choisissez un objectif du nouveau plan.",
        },
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, prefix="nouvelle", **kwargs)
        self.fields["objective"].queryset = (
            Objective.objects.filter(axis__plan=plan)
            .select_related("axis")
            .order_by("axis__position", "position")
        )
