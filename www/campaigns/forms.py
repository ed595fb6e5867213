"""The forms of the campaign pages (SCP): open a campaign, return a fiche-year to its pilot."""

from django import forms

from www.entry.forms import COMMENT_MAX_LENGTH


class CampaignOpenForm(forms.Form):
    year = forms.IntegerField(label="Année suivie", min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label="Date limite de saisie", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire pour le pilote",
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez au pilote ce qu'il doit revoir."},
    )
