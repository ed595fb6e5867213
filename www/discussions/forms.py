"""The forms of a fiche-year's discussion page. They only read the typing: every refusal (empty or
over-long message, a subject that is not the fiche's) is the service's, shown next to its field."""

from django import forms

from actions.models import Indicator, Milestone
from evidence.models import Evidence


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Votre réponse", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ThreadForm(forms.Form):
    subject = forms.CharField(
        label="Objet",
        required=False,
        help_text="Facultatif si l'échange porte sur un élément de la fiche : son nom sert d'objet.",
    )
    about = forms.ChoiceField(label="À propos de", required=False)
    body = forms.CharField(
        label="Message", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, fiche, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects = {}
        indicators = Indicator.objects.filter(fiche=fiche).order_by("position")
        milestones = Milestone.objects.filter(fiche=fiche).order_by("position")
        evidence = Evidence.objects.current().of_fiche_year(fiche, year).order_by("added_at", "pk")
        groups = [
            ("Indicateurs", "indicator", indicators, lambda i: f"{i.code} – {i.label}"),
            ("Jalons", "milestone", milestones, lambda m: m.text),
            ("Preuves", "evidence", evidence, lambda e: e.title),
        ]
        choices = [("", "Le bilan de l'année dans son ensemble")]
        for title, kind, objects, label in groups:
            options = []
            for obj in objects:
                key = f"{kind}-{obj.pk}"
                self._objects[key] = (kind, obj)
                options.append((key, label(obj)[:120]))
            if options:
                choices.append((title, options))
        self.fields["about"].choices = choices

    def about_kwargs(self) -> dict:
        """What the thread is about, as the service's keyword arguments."""
        chosen = self._objects.get(self.cleaned_data.get("about") or "")
        return {chosen[0]: chosen[1]} if chosen else {}
