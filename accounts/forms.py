from django import forms
from django.contrib.auth.models import Group

from actions.models import Pilot
from core import rights


class PilotChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Pilot) -> str:
        return f"{obj.plan.short_title} {obj.plan.period} – {obj.label}"


class InviteForm(forms.Form):
    """SCP invites a person: their identity, and in the same form their pilot posts and roles."""

    email = forms.EmailField(label="Adresse e-mail")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    groups = forms.ModelMultipleChoiceField(
        label="Rôles",
        queryset=Group.objects.filter(name__in=rights.ROLE_GROUPS).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Une personne à qui un poste de pilote est donné reçoit aussi le rôle « Pilotes ».",
    )
    pilots = PilotChoiceField(
        label="Postes de pilote",
        queryset=Pilot.objects.select_related("plan", "direction").order_by("-plan__start_year", "role"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
