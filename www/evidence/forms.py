"""The form that adds a piece of evidence: a title, a date, a file or a link, and optionally the
indicator or milestone of the fiche it backs. The service checks everything that matters (the file's
content, the link, the rights); the form only reads the fields."""

from django import forms
from django.conf import settings

from actions.models import Indicator, Milestone
from evidence.files import ACCEPTED, megabytes
from evidence.services import TITLE_MAX_LENGTH, URL_MAX_LENGTH


class EvidenceForm(forms.Form):
    prefix = "preuve"  # its fields' names and ids stay its own on the entry page, beside other forms

    title = forms.CharField(label="Titre", max_length=TITLE_MAX_LENGTH)
    dated = forms.DateField(
        label="Date du document", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    upload = forms.FileField(label="Fichier", required=False)
    url = forms.CharField(
        label="ou lien",
        required=False,
        max_length=URL_MAX_LENGTH,
        help_text="Une adresse web (https://…), à la place d'un fichier.",
        widget=forms.URLInput,
    )
    attached_to = forms.ChoiceField(label="Preuve de", required=False)

    def __init__(self, *args, indicators: list[Indicator], milestones: list[Milestone], **kwargs):
        super().__init__(*args, **kwargs)
        limit = megabytes(settings.EVIDENCE_MAX_FILE_SIZE)
        self.fields["upload"].help_text = f"{ACCEPTED} ; {limit} au plus. Le contenu du fichier est vérifié."
        self.fields["title"].error_messages["required"] = "Donnez un titre à la preuve."
        self.fields["dated"].error_messages["required"] = "Indiquez la date du document."
        self.fields["dated"].error_messages["invalid"] = "Indiquez la date du document (jj/mm/aaaa)."
        self._indicators = {f"i{indicator.pk}": indicator for indicator in indicators}
        self._milestones = {f"m{milestone.pk}": milestone for milestone in milestones}
        choices = [("", "L'ensemble du bilan de l'année")]
        if indicators:
            choices.append(
                ("Indicateurs", [(key, f"{i.code} – {i.label[:80]}") for key, i in self._indicators.items()])
            )
        if milestones:
            choices.append(
                ("Étapes du calendrier", [(key, m.text[:90]) for key, m in self._milestones.items()])
            )
        self.fields["attached_to"].choices = choices

    def attachment(self) -> dict:
        """The indicator or milestone chosen, as the service's arguments."""
        key = self.cleaned_data.get("attached_to") or ""
        return {"indicator": self._indicators.get(key), "milestone": self._milestones.get(key)}


class RemoveForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
